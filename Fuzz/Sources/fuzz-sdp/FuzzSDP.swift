import FuzzSupport
import SFUMedia

// SDP (RFC 8866) from the peer: SessionDescription.parse, the serializer round trip (what
// parses must re-parse to the same model, as SDPParser promises), the BUNDLE/ICE/DTLS
// accessors, and SDPNegotiator.answer in both directions (the answer must re-parse too).
// Input: one control byte, then the SDP text.

private let local = LocalTransportParameters(
    iceUfrag: "sfuU", icePwd: "sfupasswordsfupassword",
    fingerprint: "sha-256 E0:60:F9:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:7C:7E",
    candidates: [LocalCandidateAddress(address: "127.0.0.1", port: 40000), LocalCandidateAddress(address: "::1", port: 40002)])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let control = input.byte()
    let text = String(decoding: input.rest(), as: UTF8.self)
    guard let sdp = try? SessionDescription.parse(text) else { return 0 }
    blackHole(sdp.bundleMids)
    blackHole(sdp.bundleTransportIndex)
    blackHole(sdp.effectiveICEUfrag)
    blackHole(sdp.effectiveICEPwd)
    blackHole(sdp.effectiveFingerprint)
    blackHole(sdp.effectiveSetup)
    for m in sdp.media { blackHole(sdp.media(mid: m.mid ?? "")) }

    let serialized = sdp.text
    guard let again = try? SessionDescription.parse(serialized) else {
        fuzzCheck(false, "serialized SDP does not parse:\n\(serialized)")
        return 0
    }
    fuzzCheck(again == sdp, "SDP round trip changed the model:\n--- input\n\(text)\n--- serialized\n\(serialized)")

    var policy = CodecPolicy()
    policy.acceptRTX = control & 1 != 0
    policy.acceptDataChannels = control & 2 != 0
    policy.acceptReducedSizeRTCP = control & 4 != 0
    policy.opusDTX = control & 8 != 0
    if control & 0x10 != 0 { policy.bitrateCapKbps = Int(control) * 10 }
    let ssrcs: [String: (UInt32, UInt32?)] = ["0": (1, 2), "1": (3, nil), "a": (5, 6)]
    for direction in [AnswerDirection.receiveOnly, .mirror] {
        guard let result = try? SDPNegotiator.answer(
            offer: sdp, local: local, policy: policy, direction: direction, localSSRCs: ssrcs,
            sessionID: 1, sessionVersion: UInt64(control))
        else { continue }
        fuzzCheck(result.media.count == sdp.media.count, "answer has \(result.media.count) m-lines for \(sdp.media.count)")
        let answerText = result.answer.text
        let reparsed = try? SessionDescription.parse(answerText)
        fuzzCheck(reparsed == result.answer, "our answer does not round-trip:\n\(answerText)")
        for m in result.media { blackHole(m.extensionID("urn:ietf:params:rtp-hdrext:sdes:mid")) }
    }
    return 0
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
