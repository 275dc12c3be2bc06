import CLibSRTP
import TestSupport
@testable import RTP

func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace }.utf8)
    var out: [UInt8] = []
    var i = 0
    while i + 1 < digits.count {
        let pair = String(decoding: digits[i..<(i + 2)], as: UTF8.self)
        out.append(UInt8(pair, radix: 16) ?? 0)
        i += 2
    }
    return out
}

func randomBytes(_ count: Int, using rng: inout SeededGenerator) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// Runs `body` over a mutable copy of `bytes` with `extra` spare bytes; returns the result
/// length and the buffer.
func withPacket<R>(
    _ bytes: [UInt8], extra: Int = 64, _ body: (UnsafeMutableRawBufferPointer, Int) throws -> R
) rethrows -> (R, [UInt8]) {
    var buffer = bytes + [UInt8](repeating: 0, count: extra)
    let result = try buffer.withUnsafeMutableBytes { try body($0, bytes.count) }
    return (result, buffer)
}

/// Applies an SRTP transform to a copy of `bytes`, returning the output bytes or the error.
func transform(
    _ bytes: [UInt8], _ op: (UnsafeMutableRawBufferPointer, Int) throws(SRTPError) -> Int
) -> Result<[UInt8], SRTPError> {
    var buffer = bytes + [UInt8](repeating: 0, count: 64)
    let result: Result<Int, SRTPError> = buffer.withUnsafeMutableBytes { raw in
        do throws(SRTPError) { return .success(try op(raw, bytes.count)) } catch { return .failure(error) }
    }
    return result.map { Array(buffer[0..<$0]) }
}

// MARK: - libsrtp2 oracle

let libsrtpReady: Bool = srtp_init() == srtp_err_status_ok

/// One libsrtp2 session (one direction), used only as a reference implementation.
final class LibSRTPSession {
    private var session: srtp_t?

    init?(profile: SRTPProtectionProfile, key: [UInt8], salt: [UInt8], outbound: Bool, rtcpAuthOnly: Bool = false) {
        guard libsrtpReady else { return nil }
        var policy = srtp_policy_t()
        let p = srtp_profile_t(rawValue: UInt32(profile.rawValue))
        guard srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, p) == srtp_err_status_ok,
            srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, p) == srtp_err_status_ok
        else { return nil }
        if rtcpAuthOnly { policy.rtcp.sec_serv = sec_serv_auth }
        policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 128
        policy.allow_repeat_tx = 1
        policy.next = nil
        var material = key + salt
        let status = material.withUnsafeMutableBufferPointer { m -> srtp_err_status_t in
            policy.key = m.baseAddress
            return srtp_create(&session, &policy)
        }
        guard status == srtp_err_status_ok else { return nil }
    }

    deinit { if let session { srtp_dealloc(session) } }

    private func run(
        _ bytes: [UInt8], _ op: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>) -> srtp_err_status_t
    ) -> [UInt8]? {
        var buffer = bytes + [UInt8](repeating: 0, count: Int(SRTP_MAX_TRAILER_LEN) + 16)
        var length = Int32(bytes.count)
        let status = buffer.withUnsafeMutableBytes { op(session, $0.baseAddress, &length) }
        return status == srtp_err_status_ok ? Array(buffer[0..<Int(length)]) : nil
    }

    func protectRTP(_ bytes: [UInt8]) -> [UInt8]? { run(bytes) { srtp_protect($0, $1, $2) } }
    func unprotectRTP(_ bytes: [UInt8]) -> [UInt8]? { run(bytes) { srtp_unprotect($0, $1, $2) } }
    func protectRTCP(_ bytes: [UInt8]) -> [UInt8]? { run(bytes) { srtp_protect_rtcp($0, $1, $2) } }
    func unprotectRTCP(_ bytes: [UInt8]) -> [UInt8]? { run(bytes) { srtp_unprotect_rtcp($0, $1, $2) } }
}
