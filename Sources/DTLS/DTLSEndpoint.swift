import COpenSSL
import SFUBase

/// One DTLS-SRTP association (RFC 5764 over DTLS 1.2, RFC 6347), sans-IO: feed it datagrams,
/// timeouts and the current `MonotonicInstant`; drain `pollTransmit()` and `pollEvent()` after
/// every call, and call `handleTimeout(now:)` at `nextTimeout()`.
///
/// OpenSSL 3 runs the handshake over two memory BIOs; the peer's certificate is accepted
/// without a trust store and must match the SDP fingerprint (RFC 8122 §5) — before the keys
/// are exported, and already during the handshake when the fingerprint is known by then, so
/// that the peer sees a `bad_certificate` alert. Retransmission timing is ours, on the injected
/// clock (see `DTLSFlightRetransmitter` for why and how).
///
/// Confined to one thread at a time: the media worker that owns the transport. Not reentrant.
public final class DTLSEndpoint: @unchecked Sendable {
    public let role: DTLSRole
    public let certificate: DTLSCertificate
    public private(set) var remoteFingerprint: DTLSFingerprint?
    /// The keys once `.connected` was emitted.
    public private(set) var keyingMaterial: DTLSSRTPKeyingMaterial?
    /// Retransmitted flights so far (diagnostics).
    public private(set) var retransmissionCount = 0
    public let mtu: Int
    public let timerPolicy: DTLSTimerPolicy

    /// Timer callback answers: "already expired" (below OpenSSL's 15 ms slack) and one hour.
    private static let expireNowMicroseconds: UInt32 = 1
    private static let neverExpireMicroseconds: UInt32 = 3_600_000_000

    private enum State {
        case idle, handshaking, awaitingFingerprint, connected, closed, failed
    }

    /// Where OpenSSL's output goes until the next boundary (a timer callback or a read).
    private enum Sink {
        case transmit
        case retransmissionCopy(Int)
        case discard
        /// Our close_notify, written ahead and kept for `close()` (see `releaseHandshakeState`).
        case closeNotify
    }

    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private var state = State.idle
    private var handshakeDeadline: MonotonicInstant?
    private var retransmitter: DTLSFlightRetransmitter
    private var copiesStillToMake = 0
    private var sink = Sink.transmit
    /// The instant of the call in progress, for the callbacks OpenSSL makes during it.
    private var now = MonotonicInstant(nanoseconds: 0)
    private var peerCertificateRejected = false
    private var outbox = FIFOQueue<[UInt8]>()
    /// The `SSL` was freed by `releaseHandshakeState()`; `ssl` and the BIOs must not be touched.
    private var released = false
    /// Our close_notify record, written before the `SSL` was freed.
    private var closeNotifyRecord: [UInt8] = []
    private var events = FIFOQueue<DTLSEvent>()

    public convenience init(
        role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: DTLSFingerprint?,
        srtpProfiles: [UInt16] = [0x0007, 0x0001, 0x0002], mtu: Int = 1200
    ) throws {
        try self.init(
            role: role, certificate: certificate, remoteFingerprint: remoteFingerprint,
            srtpProfiles: srtpProfiles, mtu: mtu, timerPolicy: DTLSTimerPolicy())
    }

    /// - Parameters:
    ///   - srtpProfiles: `use_srtp` profile ids in preference order (the server's order wins).
    ///   - mtu: the largest datagram we send (UDP payload); records are cut to fit it.
    public init(
        role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: DTLSFingerprint?,
        srtpProfiles: [UInt16], mtu: Int, timerPolicy: DTLSTimerPolicy
    ) throws {
        guard (256...65_507).contains(mtu) else { throw DTLSError.invalidMTU(mtu) }
        guard !srtpProfiles.isEmpty else { throw DTLSError.unsupportedSRTPProfile(0) }
        let profileList = try DTLSSRTPProtectionProfile.openSSLList(srtpProfiles)

        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(certificate.context.ctx) else {
            throw DTLSError.openSSL(operation: "SSL_new", reason: OpenSSLErrorQueue.drain())
        }
        guard let readBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw DTLSError.openSSL(operation: "BIO_new", reason: OpenSSLErrorQueue.drain())
        }
        guard let writeBIO = BIO_new(BIO_s_mem()) else {
            BIO_free(readBIO)
            SSL_free(ssl)
            throw DTLSError.openSSL(operation: "BIO_new", reason: OpenSSLErrorQueue.drain())
        }
        // An empty read BIO means "no datagram yet" (retry), not end of file.
        _ = sfu_BIO_set_mem_eof_return(readBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)  // the SSL owns both BIOs now
        // NO_QUERY_MTU before the MTU: a memory BIO has no path MTU to ask for.
        _ = SSL_set_options(ssl, sfu_SSL_OP_dtls_srtp())
        // The write buffer is sized for the largest record we send; no record we send exceeds the
        // MTU, so OpenSSL's default (2^14 bytes, ≈ 17 KB kept per association for its whole life)
        // is cut to ≈ 1.3 KB. Not SSL_free_buffers/SSL_MODE_RELEASE_BUFFERS: on DTLS, OpenSSL 3.0
        // writes into a released write buffer without reallocating it (a retransmitted flight or
        // close_notify after the handshake would dereference NULL).
        _ = sfu_SSL_set_max_send_fragment(ssl, max(512, min(mtu, 16_384)))
        _ = sfu_SSL_set_mtu(ssl, mtu)
        _ = sfu_DTLS_set_link_mtu(ssl, mtu)
        guard SSL_set_tlsext_use_srtp(ssl, profileList) == 0 else {
            let reason = OpenSSLErrorQueue.drain()
            SSL_free(ssl)
            throw DTLSError.openSSL(operation: "SSL_set_tlsext_use_srtp", reason: reason)
        }
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }

        self.role = role
        self.certificate = certificate
        self.remoteFingerprint = remoteFingerprint
        self.mtu = mtu
        self.timerPolicy = timerPolicy
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.retransmitter = DTLSFlightRetransmitter(policy: timerPolicy)

        // Callbacks find this endpoint through the SSL's ex_data and the BIO's callback arg;
        // both die with `ssl` in deinit, so an unretained reference is enough.
        let unretained = Unmanaged.passUnretained(self).toOpaque()
        _ = SSL_set_ex_data(ssl, dtlsEndpointExDataIndex, unretained)
        DTLS_set_timer_cb(ssl, dtlsTimerCallback)
        BIO_set_callback_arg(readBIO, unretained.assumingMemoryBound(to: CChar.self))
        BIO_set_callback_ex(readBIO, dtlsReadBIOCallback)
        _ = OpenSSLErrorQueue.drain()
    }

    deinit {
        if !released { SSL_free(ssl) }
    }

    // MARK: - Public interface

    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// Frees the OpenSSL `SSL` (≈ 55 KB: record buffers, the handshake message buffer kept for
    /// retransmissions, the session and peer certificate) once the association only carries
    /// SRTP. Call it when the peer has proved that it holds our Finished, i.e. on its first
    /// authenticated SRTP or SRTCP packet: from then on neither side retransmits a flight.
    /// The exported keys stay in `keyingMaterial`; our close_notify is written now and sent by
    /// `close()`. Afterwards DTLS records from the peer are dropped unread: its alerts (such as
    /// close_notify) can no longer be authenticated, so a peer that goes away is noticed by ICE
    /// consent expiry (RFC 7675) instead; application data (data channels) is no longer possible.
    /// Does nothing unless connected.
    public func releaseHandshakeState() {
        guard case .connected = state, !released else { return }
        withOpenSSLCall(now: now) {
            sink = .closeNotify
            _ = SSL_shutdown(ssl)
        }
        SSL_free(ssl)  // frees both BIOs too
        released = true
        retransmitter.cancel()
    }

    /// Whether `releaseHandshakeState()` freed the OpenSSL state.
    public var hasReleasedHandshakeState: Bool { released }

    /// Sets the fingerprint from the remote SDP. It may arrive after the handshake finished (the
    /// answer can trail ICE and DTLS); `.connected` or `.failed` is decided then.
    public func setRemoteFingerprint(_ fingerprint: DTLSFingerprint) {
        switch state {
        case .idle, .handshaking:
            remoteFingerprint = fingerprint
        case .awaitingFingerprint:
            remoteFingerprint = fingerprint
            withOpenSSLCall(now: now) { completeHandshake(verifying: fingerprint) }
        case .connected, .closed, .failed:
            return
        }
    }

    /// Starts the handshake clock; the client also sends its ClientHello. Call once ICE has a
    /// working pair. A server that receives a datagram before `start` starts implicitly.
    public func start(now: MonotonicInstant) {
        guard case .idle = state else { return }
        state = .handshaking
        handshakeDeadline = now.adding(milliseconds: timerPolicy.handshakeTimeoutMilliseconds)
        if role == .client {
            withOpenSSLCall(now: now) { driveHandshake() }
        }
    }

    /// Feeds one datagram from the peer (RFC 7983 demux already chose DTLS). Bytes that are not
    /// DTLS records, malformed plaintext records (`DTLSRecordFilter`) and records OpenSSL finds
    /// invalid are dropped silently (RFC 6347 §4.1.2.7).
    public func handleDatagram(_ bytes: UnsafeRawBufferPointer, now: MonotonicInstant) {
        switch state {
        case .idle:
            guard role == .server else { return }
            start(now: now)
        case .handshaking, .awaitingFingerprint, .connected:
            break
        case .closed, .failed:
            return
        }
        // Released: no record layer left to read what comes (see releaseHandshakeState). Only a
        // protected alert is still understood, from its clear record header.
        if released {
            if DTLSRecordPacker.containsProtectedAlert(bytes) {
                state = .closed
                events.append(.closed)
            }
            return
        }
        guard DTLSRecordPacker.looksLikeDTLS(bytes), bytes.count <= 65_535 else { return }
        if let sanitized = DTLSRecordFilter.sanitize(bytes, minimumProtectedLength: minimumProtectedRecordLength) {
            guard !sanitized.isEmpty else { return }
            sanitized.withUnsafeBytes { feed($0, now: now) }
        } else {
            feed(bytes, now: now)
        }
    }

    /// The negotiated suite's shortest record; `nil` before ServerHello chose one.
    private var minimumProtectedRecordLength: Int? {
        // The session's cipher, or during the handshake the one ServerHello chose.
        guard let cipher = SSL_get_current_cipher(ssl) ?? SSL_get_pending_cipher(ssl) else { return nil }
        return DTLSRecordFilter.minimumProtectedLength(cipherNID: SSL_CIPHER_get_cipher_nid(cipher))
    }

    private func feed(_ bytes: UnsafeRawBufferPointer, now: MonotonicInstant) {
        guard let base = bytes.baseAddress else { return }
        withOpenSSLCall(now: now) {
            // The read BIO holds exactly this datagram: OpenSSL reads one datagram per BIO_read.
            _ = sfu_BIO_reset(readBIO)
            guard BIO_write(readBIO, base, Int32(bytes.count)) == Int32(bytes.count) else { return }
            if case .handshaking = state { driveHandshake() }
            switch state {
            case .connected, .awaitingFingerprint: readRecords()
            default: break
            }
            _ = sfu_BIO_reset(readBIO)
        }
    }

    /// The next datagram to send, `nil` when there is none. Each is at most `mtu` bytes.
    public func pollTransmit() -> [UInt8]? { outbox.popFirst() }

    public func pollEvent() -> DTLSEvent? { events.popFirst() }

    /// When `handleTimeout(now:)` should run next: the next retransmission of our last flight
    /// or the handshake deadline; `nil` once connected, closed or failed.
    public func nextTimeout() -> MonotonicInstant? {
        switch state {
        case .handshaking, .awaitingFingerprint:
            guard let deadline = handshakeDeadline else { return retransmitter.nextRetransmission }
            guard let retransmission = retransmitter.nextRetransmission else { return deadline }
            return min(deadline, retransmission)
        case .idle, .connected, .closed, .failed:
            return nil
        }
    }

    /// Retransmits our last flight when its back-off timer is due (RFC 6347 §4.2.4.1) and gives
    /// up with `.failed("DTLS timeout")` once the handshake deadline has passed.
    public func handleTimeout(now: MonotonicInstant) {
        switch state {
        case .handshaking, .awaitingFingerprint:
            break
        case .idle, .connected, .closed, .failed:
            return
        }
        self.now = now
        if let deadline = handshakeDeadline, now >= deadline {
            if case .awaitingFingerprint = state {
                fail("DTLS timeout (remote fingerprint never set)")
            } else {
                fail("DTLS timeout")
            }
            return
        }
        if let copy = retransmitter.popDue(now: now) {
            retransmissionCount += 1
            queueDatagrams(packing: copy)
        }
    }

    /// Queues close_notify (once the handshake has finished) and ends the association.
    public func close() {
        if released {
            if case .connected = state { queueDatagrams(packing: closeNotifyRecord) }
            state = .closed
            return
        }
        switch state {
        case .connected, .awaitingFingerprint:
            withOpenSSLCall(now: now) { _ = SSL_shutdown(ssl) }
        case .idle, .handshaking:
            break  // OpenSSL refuses SSL_shutdown during a handshake; there is nothing to close
        case .closed, .failed:
            return
        }
        state = .closed
        retransmitter.cancel()
    }

    /// Sends application data (e.g. SCTP for data channels, RFC 8261) once connected.
    /// Returns false when not connected or OpenSSL refused.
    @discardableResult
    public func sendApplicationData(_ bytes: [UInt8]) -> Bool {
        guard case .connected = state, !released, !bytes.isEmpty, bytes.count <= 16_384 else { return false }
        return withOpenSSLCall(now: now) {
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return false }
                return SSL_write(ssl, base, Int32(raw.count)) == Int32(raw.count)
            }
        }
    }

    /// Time left on OpenSSL's own (wall-clock) retransmission timer, `nil` when it is stopped.
    /// After a flight it stays parked at about an hour: OpenSSL never retransmits by itself.
    var openSSLTimerRemainingMicroseconds: Int64? {
        guard !released else { return nil }
        var microseconds: Int64 = 0
        return sfu_DTLSv1_get_timeout_us(ssl, &microseconds) == 1 ? microseconds : nil
    }

    // MARK: - Driving OpenSSL

    /// Every libssl call goes through here: a clean error queue before, output routed and the
    /// queue emptied after, so nothing leaks into the next endpoint on this thread.
    private func withOpenSSLCall<T>(now: MonotonicInstant, _ body: () -> T) -> T {
        self.now = now
        sink = .transmit
        OpenSSLErrorQueue.clear()
        let result = body()
        drainWriteBIO()
        sink = .transmit
        _ = OpenSSLErrorQueue.drain()
        return result
    }

    private func driveHandshake() {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            handshakeFinished()
            return
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { return }
        let reason = OpenSSLErrorQueue.drain()
        fail(peerCertificateRejected ? "fingerprint mismatch" : "DTLS handshake failed: \(reason)")
    }

    private func handshakeFinished() {
        retransmitter.cancel()
        guard let fingerprint = remoteFingerprint else {
            state = .awaitingFingerprint
            return
        }
        completeHandshake(verifying: fingerprint)
    }

    /// The last gate before keys leave: the SRTP profile and the peer certificate's digest.
    private func completeHandshake(verifying fingerprint: DTLSFingerprint) {
        guard let selected = SSL_get_selected_srtp_profile(ssl),
            let profile = DTLSSRTPProtectionProfile(id: UInt16(truncatingIfNeeded: selected.pointee.id))
        else {
            fail("no SRTP protection profile negotiated")
            _ = SSL_shutdown(ssl)
            return
        }
        guard let peer = SSL_get1_peer_certificate(ssl) else {
            fail("peer presented no certificate")
            return
        }
        let digest = DTLSCertificate.digest(of: peer, algorithm: fingerprint.algorithm)
        X509_free(peer)
        guard let digest, digest == fingerprint.bytes else {
            fail("fingerprint mismatch")
            _ = SSL_shutdown(ssl)  // the peer believes it is connected; tell it otherwise
            return
        }
        let label = "EXTRACTOR-dtls_srtp"  // RFC 5764 §4.2
        var exported = [UInt8](repeating: 0, count: 2 * (profile.masterKeyLength + profile.masterSaltLength))
        let exportResult = exported.withUnsafeMutableBytes { out in
            SSL_export_keying_material(
                ssl, out.baseAddress?.assumingMemoryBound(to: UInt8.self), out.count,
                label, label.utf8.count, nil, 0, 0)
        }
        guard exportResult == 1,
            let material = DTLSSRTPKeyingMaterial(exported: exported, profile: profile, role: role)
        else {
            fail("SRTP keying material export failed: \(OpenSSLErrorQueue.drain())")
            return
        }
        for index in exported.indices { exported[index] = 0 }
        keyingMaterial = material
        state = .connected
        events.append(.connected(material))
    }

    /// Reads records after the handshake: application data, close_notify, fatal alerts.
    private func readRecords() {
        // One record's plaintext at most (RFC 6347 §4.1: 2^14 bytes), on the stack: after the
        // handshake records are rare (alerts, data channels), so no endpoint keeps a buffer.
        withUnsafeTemporaryAllocation(byteCount: 16_384, alignment: 16) { readBuffer in
            readRecords(into: readBuffer)
        }
    }

    private func readRecords(into readBuffer: UnsafeMutableRawBufferPointer) {
        // Bounded: one datagram holds at most a few dozen records.
        for _ in 0..<64 {
            let count = SSL_read(ssl, readBuffer.baseAddress, Int32(readBuffer.count))
            if count > 0 {
                // Data from a peer whose fingerprint is still unchecked is not handed out.
                if case .connected = state {
                    events.append(.applicationData(Array(UnsafeRawBufferPointer(rebasing: readBuffer[0..<Int(count)]))))
                }
                continue
            }
            let error = SSL_get_error(ssl, count)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                state = .closed
                retransmitter.cancel()
                events.append(.closed)
                _ = SSL_shutdown(ssl)  // answer with our own close_notify (RFC 5246 §7.2.1)
                return
            default:
                fail("DTLS failed (SSL_get_error \(error)): \(OpenSSLErrorQueue.drain())")
                return
            }
        }
    }

    private func fail(_ reason: String) {
        switch state {
        case .closed, .failed: return
        default: break
        }
        state = .failed
        retransmitter.cancel()
        keyingMaterial = nil
        events.append(.failed(reason))
    }

    // MARK: - Callbacks from inside OpenSSL (same thread, during withOpenSSLCall)

    /// Moves what OpenSSL wrote since the last boundary to the current sink.
    private func drainWriteBIO() {
        let pending = Int(BIO_ctrl_pending(writeBIO))
        guard pending > 0, pending <= Int(Int32.max) else { return }
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = bytes.withUnsafeMutableBytes { BIO_read(writeBIO, $0.baseAddress, Int32(pending)) }
        guard read > 0 else { return }
        if Int(read) < pending { bytes.removeLast(pending - Int(read)) }
        switch sink {
        case .transmit:
            queueDatagrams(packing: bytes)
        case .retransmissionCopy(let index):
            retransmitter.append(bytes, toCopy: index)
        case .discard:
            break
        case .closeNotify:
            closeNotifyRecord.append(contentsOf: bytes)
        }
    }

    /// Cuts a record stream into datagrams of at most `mtu` bytes and queues them for `pollTransmit()`.
    private func queueDatagrams(packing stream: [UInt8]) {
        var datagrams: [[UInt8]] = []
        DTLSRecordPacker.appendDatagrams(packing: stream, mtu: mtu, to: &datagrams)
        outbox.append(contentsOf: datagrams)
    }

    /// OpenSSL (re)starts its retransmission timer: `previous == 0` for a new flight, else it is
    /// about to retransmit the current one. Returns the timer duration in µs.
    fileprivate func openSSLTimerCallback(previousMicroseconds previous: UInt32) -> UInt32 {
        drainWriteBIO()
        if previous == 0 {
            // A new flight is about to be written; it goes out now.
            sink = .transmit
            retransmitter.flightStarted(at: now)
            copiesStillToMake = timerPolicy.retransmissionsPerFlight
            return copiesStillToMake > 0 ? Self.expireNowMicroseconds : Self.neverExpireMicroseconds
        }
        guard copiesStillToMake > 0 else {
            // Only reachable if an hour of wall clock passes mid-handshake; our clock decides.
            sink = .discard
            return Self.neverExpireMicroseconds
        }
        copiesStillToMake -= 1
        sink = .retransmissionCopy(retransmitter.beginCopy())
        return copiesStillToMake > 0 ? Self.expireNowMicroseconds : Self.neverExpireMicroseconds
    }

    /// OpenSSL is about to read a datagram: any retransmission being captured is complete.
    fileprivate func openSSLWillRead() {
        drainWriteBIO()
        sink = .transmit
    }

    /// The certificate check that replaces chain verification: accept any certificate (they
    /// are self-signed) unless we already know the fingerprint and it differs.
    fileprivate func acceptsPeerCertificate(_ certificate: OpaquePointer) -> Bool {
        guard let fingerprint = remoteFingerprint else { return true }
        guard let digest = DTLSCertificate.digest(of: certificate, algorithm: fingerprint.algorithm),
            digest == fingerprint.bytes
        else {
            peerCertificateRejected = true
            return false
        }
        return true
    }

    fileprivate static func from(ssl: OpaquePointer?) -> DTLSEndpoint? {
        guard let ssl, let raw = SSL_get_ex_data(ssl, dtlsEndpointExDataIndex) else { return nil }
        return Unmanaged<DTLSEndpoint>.fromOpaque(raw).takeUnretainedValue()
    }
}

/// The SSL ex_data slot holding the owning endpoint (allocated once per process).
let dtlsEndpointExDataIndex: Int32 = sfu_SSL_get_ex_new_index()

private func dtlsTimerCallback(_ ssl: OpaquePointer?, _ previousMicroseconds: UInt32) -> UInt32 {
    guard let endpoint = DTLSEndpoint.from(ssl: ssl) else { return 1_000_000 }
    return endpoint.openSSLTimerCallback(previousMicroseconds: previousMicroseconds)
}

private func dtlsReadBIOCallback(
    _ bio: OpaquePointer?, _ operation: Int32, _ argp: UnsafePointer<CChar>?, _ length: Int,
    _ argi: Int32, _ argl: Int, _ ret: Int32, _ processed: UnsafeMutablePointer<Int>?
) -> Int {
    if operation == BIO_CB_READ, let bio, let arg = BIO_get_callback_arg(bio) {
        Unmanaged<DTLSEndpoint>.fromOpaque(UnsafeRawPointer(arg)).takeUnretainedValue().openSSLWillRead()
    }
    return Int(ret)
}

/// `SSL_CTX_set_cert_verify_callback`: replaces chain building (WebRTC certificates are
/// self-signed); the fingerprint decides.
func dtlsCertificateVerifyCallback(_ storeContext: OpaquePointer?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let storeContext,
        let sslPointer = X509_STORE_CTX_get_ex_data(storeContext, SSL_get_ex_data_X509_STORE_CTX_idx()),
        let endpoint = DTLSEndpoint.from(ssl: OpaquePointer(sslPointer)),
        let certificate = X509_STORE_CTX_get0_cert(storeContext)
    else { return 0 }
    if endpoint.acceptsPeerCertificate(certificate) { return 1 }
    X509_STORE_CTX_set_error(storeContext, X509_V_ERR_CERT_REJECTED)
    return 0
}
