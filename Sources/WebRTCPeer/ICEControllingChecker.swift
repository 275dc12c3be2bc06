import ICE
import RTP
import SFUBase

/// The controlling side of ICE towards one ICE-lite server candidate (RFC 8445 §7.2.4, §8.1.1;
/// consent freshness RFC 7675 §5.1). Sans-IO: ask `pollRequest(now:)` for a check to send,
/// feed every STUN response to `handleResponse(_:now:)`.
///
/// With a single candidate pair there is nothing to order: the first check already carries
/// USE-CANDIDATE (aggressive nomination) and is retransmitted until a success response arrives;
/// after that a plain check every `consentInterval` keeps consent. Confined to its owner's thread.
struct ICEControllingChecker {
    private let local: ICECredentials
    private let remote: ICECredentials
    private let tiebreaker: UInt64
    private let priority: UInt32
    private let checkInterval: UInt64
    private let consentInterval: UInt64
    private let consentTimeout: UInt64

    /// Transactions still awaiting an answer (the last few retransmissions).
    private var outstanding: [STUNTransactionID] = []
    private var nextCheckAt: MonotonicInstant
    private var lastSuccess: MonotonicInstant
    private(set) var nominated = false
    private(set) var consentLost = false

    init(configuration: ClientPeerConfiguration, now: MonotonicInstant) {
        local = configuration.localCredentials
        remote = configuration.remoteCredentials
        tiebreaker = configuration.tiebreaker
        priority = configuration.priority
        checkInterval = configuration.checkIntervalMilliseconds * 1_000_000
        consentInterval = configuration.consentIntervalMilliseconds * 1_000_000
        consentTimeout = configuration.consentTimeoutMilliseconds * 1_000_000
        nextCheckAt = now
        lastSuccess = now
    }

    var nextTimeout: MonotonicInstant { nextCheckAt }

    /// A Binding request to send now, if one is due.
    mutating func pollRequest(now: MonotonicInstant) -> [UInt8]? {
        guard !consentLost else { return nil }
        if now.nanoseconds(since: lastSuccess) >= consentTimeout {
            consentLost = true
            return nil
        }
        guard now >= nextCheckAt else { return nil }
        let transactionID = STUNTransactionID.random()
        if outstanding.count >= 8 { outstanding.removeFirst() }
        outstanding.append(transactionID)
        // Until the first success we retransmit fast; an unanswered consent check is retried
        // every half second (a success pushes the next one a whole consent period away).
        nextCheckAt = now.adding(nanoseconds: nominated ? 500_000_000 : checkInterval)
        return STUNMessage.encodeBindingRequest(
            transactionID: transactionID, username: "\(remote.ufrag):\(local.ufrag)", password: remote.pwd,
            priority: priority, useCandidate: !nominated, iceControlling: tiebreaker)
    }

    /// Handles a STUN message from the server; true when it is the first success (nominated).
    mutating func handleResponse(_ message: STUNMessage, now: MonotonicInstant) -> Bool {
        guard let index = outstanding.firstIndex(of: message.transactionID) else { return false }
        switch message.messageType {
        case .bindingSuccessResponse:
            // Responses are keyed with the pwd of the agent that answered (RFC 8445 §7.2.5.2.1).
            guard message.hasMessageIntegrity, message.verifyMessageIntegrity(password: remote.pwd) else {
                return false
            }
            outstanding.removeAll()
            lastSuccess = now
            nextCheckAt = now.adding(nanoseconds: consentInterval)
            if nominated { return false }
            nominated = true
            return true
        case .bindingErrorResponse:
            outstanding.remove(at: index)
            return false
        default:
            return false
        }
    }
}
