import SFUBase

/// The ICE-lite side of one transport (RFC 8445 §2.5, §7.3; consent freshness RFC 7675).
///
/// Sans-IO: feed it every STUN datagram that reaches the transport with `handleSTUN` (it
/// writes the response, if any, into the caller's buffer), call `handleTimeout` at or after
/// `nextTimeout()`, and drain `pollEvent()` after each call. Owned by one thread (the media
/// worker that owns the transport); `Sendable` so it can be built elsewhere and handed over.
///
/// A lite agent is always controlled, never sends checks and keeps no candidate pairs beyond
/// the nominated one. Behaviour per request (RFC 8489 §6.3, §9.1.3; RFC 8445 §7.3):
/// - Only Binding requests are answered; indications and responses are ignored (we never
///   send requests, so any response is unsolicited).
/// - A datagram with a valid header but malformed attributes → 400; a FINGERPRINT that does
///   not verify → silently dropped (RFC 8489 §7.3).
/// - A non-Binding request, or one without USERNAME or MESSAGE-INTEGRITY(-SHA256) → 400.
/// - USERNAME other than "localUfrag:remoteUfrag" (only "localUfrag:…" while the remote ufrag is
///   unknown), or integrity that does not verify with the local pwd → 401 without integrity.
/// - An unknown comprehension-required attribute → 420 (after authentication, with integrity).
/// - ICE-CONTROLLED (the peer thinks it is controlled too) → 487 Role Conflict, with integrity.
///   We cannot take the controlling role, so we act as if our tiebreaker always wins: the full
///   peer then switches to controlling (RFC 8445 §7.2.5.1) and checks again.
/// - Otherwise a success response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY (the same
///   algorithm as the request) and FINGERPRINT. USE-CANDIDATE selects the source address
///   (the latest nomination wins, which covers both aggressive and regular nomination).
///   PRIORITY is not required: a lite agent learns no peer-reflexive candidates from it.
///
/// Consent (RFC 7675): every successful check from the selected address (or, before any
/// nomination, from anywhere) refreshes consent. Without one for `consentTimeout` seconds —
/// counted from creation, so a peer that never connects expires too — the agent reports
/// `.consentExpired` once and becomes `.failed`. Checks are still answered afterwards.
public struct ICELiteAgent: Sendable {
    public private(set) var localCredentials: ICECredentials
    public private(set) var remoteCredentials: ICECredentials?
    public private(set) var state: ICEAgentState = .new
    /// The nominated pair's remote address, where media goes.
    public private(set) var selectedAddress: TransportAddress?

    /// The remote address of the last authenticated check (nominating or not).
    public private(set) var lastCheckAddress: TransportAddress?

    // Credential bytes kept ready so a check is verified without converting strings.
    private var expectedUsernamePrefix: [UInt8]  // "localUfrag:"
    private var remoteUfragBytes: [UInt8]?
    private var localPasswordKey: [UInt8]

    private let consentTimeoutNanoseconds: UInt64
    private var lastConsent: MonotonicInstant
    /// Set by `restart` (which has no clock): the next call with a clock restarts the consent timer.
    private var consentTimerNeedsReset = false

    // At most one of each event is pending; a later nomination replaces an unreported one.
    private var pendingSelected: TransportAddress?
    private var pendingConsentExpired = false

    public init(local: ICECredentials, remote: ICECredentials?, now: MonotonicInstant, consentTimeout seconds: Double = 30) {
        self.localCredentials = local
        self.remoteCredentials = remote
        self.expectedUsernamePrefix = Array(local.ufrag.utf8) + [UInt8(ascii: ":")]
        self.remoteUfragBytes = remote.map { Array($0.ufrag.utf8) }
        self.localPasswordKey = Array(local.pwd.utf8)
        // Clamped so that a bad configured value cannot trap the conversion (NaN, ∞, negative).
        let clamped = seconds.isFinite ? min(max(0, seconds), 86_400 * 365) : 30
        self.consentTimeoutNanoseconds = UInt64(clamped * 1e9)
        self.lastConsent = now
    }

    /// Sets the peer's credentials once its SDP arrives (checks may come earlier; until then
    /// only our half of USERNAME is checked).
    public mutating func setRemoteCredentials(_ remote: ICECredentials) {
        remoteCredentials = remote
        remoteUfragBytes = Array(remote.ufrag.utf8)
    }

    /// ICE restart (RFC 8445 §9): checks must now use the new credentials; the old ones get 401.
    /// Media keeps flowing to the selected address until the peer nominates again. A failed
    /// agent becomes `.new`. The consent period starts afresh at the next
    /// `handleTimeout`/`handleSTUN` (until then `nextTimeout()` may lie in the past, which just
    /// makes the driver call `handleTimeout` at once).
    public mutating func restart(local: ICECredentials, remote: ICECredentials?) {
        localCredentials = local
        expectedUsernamePrefix = Array(local.ufrag.utf8) + [UInt8(ascii: ":")]
        localPasswordKey = Array(local.pwd.utf8)
        remoteCredentials = remote
        remoteUfragBytes = remote.map { Array($0.ufrag.utf8) }
        consentTimerNeedsReset = true
        if state == .failed {
            state = .new
            selectedAddress = nil
            pendingSelected = nil
        }
        pendingConsentExpired = false
    }

    /// The next event, or nil when none is pending. Call until nil after every input.
    public mutating func pollEvent() -> ICEAgentEvent? {
        if let address = pendingSelected {
            pendingSelected = nil
            return .selected(address)
        }
        if pendingConsentExpired {
            pendingConsentExpired = false
            return .consentExpired
        }
        return nil
    }

    /// When `handleTimeout` should run next (the consent deadline), or nil once failed.
    public func nextTimeout() -> MonotonicInstant? {
        state == .failed ? nil : lastConsent.adding(nanoseconds: consentTimeoutNanoseconds)
    }

    /// Checks consent freshness (RFC 7675 §5.1).
    public mutating func handleTimeout(now: MonotonicInstant) {
        resetConsentTimerIfNeeded(now: now)
        guard state != .failed else { return }
        if now.nanoseconds(since: lastConsent) >= consentTimeoutNanoseconds {
            state = .failed
            pendingConsentExpired = true
        }
    }

    private mutating func resetConsentTimerIfNeeded(now: MonotonicInstant) {
        if consentTimerNeedsReset {
            consentTimerNeedsReset = false
            lastConsent = now
        }
    }
}

// MARK: - Connectivity checks

extension ICELiteAgent {
    /// Handles one STUN datagram from `from`; writes the response (if any) into `response`
    /// and returns its length, 0 when nothing is to be sent (also when `response` is too small).
    /// Never traps on any input; allocates nothing on the success path.
    public mutating func handleSTUN(
        _ datagram: UnsafeRawBufferPointer, from: TransportAddress, now: MonotonicInstant,
        response: UnsafeMutableRawBufferPointer
    ) -> Int {
        resetConsentTimerIfNeeded(now: now)
        guard let header = STUNHeader.peek(datagram), header.messageType.messageClass == .request else {
            return 0
        }
        let message: STUNMessage
        do {
            message = try STUNMessage(datagram)
        } catch {
            return writeError(.badRequest, transactionID: header.transactionID, authenticated: false, into: response)
        }
        if message.hasFingerprint && !message.verifyFingerprint() {
            return 0
        }
        guard header.messageType.method == .binding,
            let username = message.usernameBytes,
            message.hasMessageIntegrity || message.hasMessageIntegritySHA256
        else {
            return writeError(.badRequest, transactionID: header.transactionID, authenticated: false, into: response)
        }
        let authenticated =
            isExpectedUsername(username)
            && localPasswordKey.withUnsafeBytes { message.verifyMessageIntegrity(key: $0) }
        guard authenticated else {
            return writeError(.unauthenticated, transactionID: header.transactionID, authenticated: false, into: response)
        }
        // SHA-256 only when the peer used only SHA-256 (RFC 8489 §9.1.3 answers in kind).
        let useSHA256 = !message.hasMessageIntegrity
        if message.hasUnknownComprehensionRequiredAttribute {
            return writeUnknownAttributes(message, useSHA256: useSHA256, into: response)
        }
        if message.iceControlled != nil {
            return writeError(.roleConflict, transactionID: header.transactionID, authenticated: true, useSHA256: useSHA256, into: response)
        }

        recordValidCheck(from: from, nominated: message.useCandidate, now: now)

        var builder = STUNMessageBuilder(buffer: response, type: .bindingSuccessResponse, transactionID: header.transactionID)
        builder.appendXORMappedAddress(from)
        appendIntegrityAndFingerprint(&builder, useSHA256: useSHA256)
        return builder.finish() ?? 0
    }

    /// USERNAME must be "localUfrag:remoteUfrag" (RFC 8445 §7.3.1); the remote half is only
    /// compared once the peer's ufrag is known.
    private func isExpectedUsername(_ username: UnsafeRawBufferPointer) -> Bool {
        expectedUsernamePrefix.withUnsafeBytes { prefix in
            guard username.count >= prefix.count,
                username.starts(with: prefix)
            else { return false }
            let rest = UnsafeRawBufferPointer(rebasing: username[prefix.count...])
            guard let remoteUfragBytes else { return true }
            return remoteUfragBytes.withUnsafeBytes { rest.elementsEqual($0) }
        }
    }

    private mutating func recordValidCheck(from: TransportAddress, nominated: Bool, now: MonotonicInstant) {
        lastCheckAddress = from
        // Failure is terminal until an ICE restart: a late check must not revive the pair.
        guard state != .failed else { return }
        if nominated && selectedAddress != from {
            selectedAddress = from
            pendingSelected = from
            if state == .new { state = .connected }
            lastConsent = now
        } else if nominated && state == .new {
            state = .connected
        }
        // Consent belongs to the selected pair; before nomination any check keeps the agent alive.
        if selectedAddress == nil || selectedAddress == from {
            lastConsent = now
        }
    }

    private func appendIntegrityAndFingerprint(_ builder: inout STUNMessageBuilder, useSHA256: Bool) {
        localPasswordKey.withUnsafeBytes { key in
            if useSHA256 {
                builder.appendMessageIntegritySHA256(key: key)
            } else {
                builder.appendMessageIntegrity(key: key)
            }
        }
        builder.appendFingerprint()
    }

    /// An error response; integrity only when the request was authenticated (a 400 or 401 is
    /// sent without it, RFC 8489 §9.1.3). FINGERPRINT always, as ICE requires (RFC 8445 §7.1).
    private func writeError(
        _ error: STUNErrorCode, transactionID: STUNTransactionID, authenticated: Bool, useSHA256: Bool = false,
        into response: UnsafeMutableRawBufferPointer
    ) -> Int {
        var builder = STUNMessageBuilder(buffer: response, type: .bindingErrorResponse, transactionID: transactionID)
        builder.appendErrorCode(error)
        if authenticated {
            appendIntegrityAndFingerprint(&builder, useSHA256: useSHA256)
        } else {
            builder.appendFingerprint()
        }
        return builder.finish() ?? 0
    }

    private func writeUnknownAttributes(_ message: STUNMessage, useSHA256: Bool, into response: UnsafeMutableRawBufferPointer) -> Int {
        var builder = STUNMessageBuilder(buffer: response, type: .bindingErrorResponse, transactionID: message.transactionID)
        builder.appendErrorCode(.unknownAttribute)
        builder.appendUnknownAttributes(message.unknownComprehensionRequiredAttributes())
        appendIntegrityAndFingerprint(&builder, useSHA256: useSHA256)
        return builder.finish() ?? 0
    }
}
