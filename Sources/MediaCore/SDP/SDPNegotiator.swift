/// Offer/answer (RFC 3264, JSEP RFC 8829) for a server that bundles every
/// m-line on one ICE-lite transport. Pure functions: no state, no I/O; call
/// from any thread.
///
/// Answering (`answer(offer:...)`) follows what Janus' VideoRoom does with a
/// browser offer (janus-api.md §10.2); offering (`offer(streams:...)`) follows
/// its subscriber offers (§10.3).
public enum SDPNegotiator {
    /// Janus refuses longer mids; the RTP `mid` header extension is built for short ones.
    public static let maxMidLength = 16

    /// `rtcp-fb` values the media plane implements (RFC 4585, 5104, REMB, TWCC).
    static let supportedFeedback: Set<String> = ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"]

    static let sctpPort = 5000
    static let maxMessageSize = 262_144
    static let cname = "sfu"

    // MARK: helpers shared by offer and answer

    /// RFC 8445 §5.1.2.1 with type preference 126 (host) and a local
    /// preference that keeps the caller's order.
    static func hostCandidates(_ local: LocalTransportParameters) -> [SDPCandidate] {
        local.candidates.enumerated().map { index, c in
            let localPreference = UInt32(65535 - min(index, 65535))
            let priority = (126 << 24) | (localPreference << 8) | (256 - 1)
            return SDPCandidate(foundation: "\(index + 1)", priority: priority, address: c.address, port: c.port)
        }
    }

    /// `c=` for our m-lines: the first candidate address (Janus puts its public
    /// address there), `0.0.0.0` without candidates.
    static func connection(_ local: LocalTransportParameters) -> SDPConnection {
        SDPConnection(address: local.candidates.first?.address ?? "0.0.0.0")
    }

    static func sessionSkeleton(
        local: LocalTransportParameters, sessionID: UInt64, sessionVersion: UInt64, sessionName: String
    ) -> SessionDescription {
        let c = connection(local)
        var s = SessionDescription(
            origin: SDPOrigin(sessionID: "\(sessionID)", sessionVersion: "\(sessionVersion)",
                              addressType: c.addressType, address: c.address),
            sessionName: sessionName)
        s.iceLite = local.iceLite
        s.iceOptions = "trickle"
        if let fp = SDPFingerprint(local.fingerprint) { s.fingerprints = [fp] }
        s.msidSemantic = "WMS *"
        return s
    }

    /// ICE and DTLS attributes repeated on every bundled m-line, as Janus does:
    /// peers that read them per m-line (aiortc) and peers that read only the
    /// tagged one (browsers) are both served.
    static func addTransport(
        to m: inout MediaDescription, local: LocalTransportParameters, setup: DTLSSetup,
        candidates: [SDPCandidate]
    ) {
        m.connection = connection(local)
        m.iceUfrag = local.iceUfrag
        m.icePwd = local.icePwd
        m.iceOptions = "trickle"
        m.setup = setup
        m.candidates = candidates
        m.endOfCandidates = true
    }

    /// The remote transport parameters of `sdp` (offer or answer), or the error
    /// Janus would give (465).
    static func remoteTransport(_ sdp: SessionDescription) throws(SDPError)
        -> (ufrag: String, pwd: String, fingerprint: SDPFingerprint)
    {
        guard let ufrag = sdp.effectiveICEUfrag, !ufrag.isEmpty,
            let pwd = sdp.effectiveICEPwd, !pwd.isEmpty
        else {
            throw SDPError(.missingICECredentials, "Missing ICE credentials (a=ice-ufrag/a=ice-pwd)")
        }
        guard let fp = sdp.effectiveFingerprint else {
            throw SDPError(.missingFingerprint, "Missing DTLS fingerprint (a=fingerprint)")
        }
        return (ufrag, pwd, fp)
    }

    static func checkMids(_ sdp: SessionDescription) throws(SDPError) {
        var seen = Set<String>()
        for m in sdp.media {
            guard let mid = m.mid else { continue }
            if mid.utf8.count > maxMidLength {
                throw SDPError(.midTooLong, "Invalid mid '\(mid.prefix(32))' (longer than \(maxMidLength) characters)")
            }
            // RFC 8843 §9.1: a mid identifies one m-line.
            guard seen.insert(mid).inserted else {
                throw SDPError(.invalidSyntax, "Duplicate mid '\(mid)'")
            }
        }
    }
}
