/// A parsed SDP (RFC 8866) with the session-level attributes WebRTC uses,
/// and its media sections.
///
/// `SessionDescription.parse(_:)` reads it, `text` writes it back with CRLF
/// line ends in the order browsers emit. Unknown attributes and lines are kept
/// verbatim so that a parse/serialize round trip loses nothing of meaning.
/// A value type, safe to share between threads.
public struct SessionDescription: Sendable, Hashable {
    public var version: Int
    public var origin: SDPOrigin
    public var sessionName: String
    /// `t=` (RFC 8866 §5.9); WebRTC always uses `0 0`.
    public var timing: String
    public var connection: SDPConnection?
    public var bandwidths: [SDPBandwidth]
    /// `i=`, `u=`, `e=`, `p=`, `r=`, `z=`, `k=` and extra `t=` lines.
    public var extraLines: [SDPLine]

    public var groups: [SDPGroup]
    public var iceLite: Bool
    public var iceUfrag: String?
    public var icePwd: String?
    public var iceOptions: String?
    public var fingerprints: [SDPFingerprint]
    public var setup: DTLSSetup?
    public var direction: MediaDirection?
    public var extmapAllowMixed: Bool
    /// Value of `a=msid-semantic:` without leading blanks (`WMS *`, `WMS`).
    public var msidSemantic: String?
    public var otherAttributes: [SDPAttribute]

    public var media: [MediaDescription]

    public init(origin: SDPOrigin, sessionName: String = "-", media: [MediaDescription] = []) {
        self.version = 0
        self.origin = origin
        self.sessionName = sessionName
        self.timing = "0 0"
        self.connection = nil
        self.bandwidths = []
        self.extraLines = []
        self.groups = []
        self.iceLite = false
        self.iceUfrag = nil
        self.icePwd = nil
        self.iceOptions = nil
        self.fingerprints = []
        self.setup = nil
        self.direction = nil
        self.extmapAllowMixed = false
        self.msidSemantic = nil
        self.otherAttributes = []
        self.media = media
    }

    /// The m-line with this `a=mid`.
    public func media(mid: String) -> MediaDescription? {
        media.first { $0.mid == mid }
    }

    // MARK: BUNDLE transport (RFC 8843)

    /// The mids of the first `a=group:BUNDLE`, empty if there is none.
    public var bundleMids: [String] {
        groups.first { $0.semantics == "BUNDLE" }?.mids ?? []
    }

    /// Index of the m-line whose transport the BUNDLE group uses: the first
    /// mid of the group (the offerer's tagged m-line, RFC 8843 §7.2), or the
    /// first non-rejected m-line without a group.
    public var bundleTransportIndex: Int? {
        if let tag = bundleMids.first, let i = media.firstIndex(where: { $0.mid == tag }) {
            return i
        }
        return media.firstIndex { !$0.isRejected } ?? (media.isEmpty ? nil : 0)
    }

    private var transportMedia: MediaDescription? { bundleTransportIndex.map { media[$0] } }

    /// ICE ufrag of the BUNDLE transport: media level overrides session level (RFC 8839 §5.4).
    public var effectiveICEUfrag: String? { transportMedia?.iceUfrag ?? iceUfrag }
    public var effectiveICEPwd: String? { transportMedia?.icePwd ?? icePwd }

    /// All fingerprints that apply to the BUNDLE transport (media level wins, RFC 8122 §5).
    public var effectiveFingerprints: [SDPFingerprint] {
        if let m = transportMedia, !m.fingerprints.isEmpty { return m.fingerprints }
        return fingerprints
    }

    /// The fingerprint to check the peer's certificate against: sha-256 when
    /// offered (what our DTLS layer computes), otherwise the first one.
    public var effectiveFingerprint: SDPFingerprint? {
        let all = effectiveFingerprints
        return all.first { $0.hashFunction.lowercased() == "sha-256" } ?? all.first
    }

    public var effectiveSetup: DTLSSetup? { transportMedia?.setup ?? setup }
}
