import ICE

/// Answering a remote offer: the publisher (receiveOnly) and echo (mirror) paths.
extension SDPNegotiator {
    /// Answers a remote offer (RFC 3264 §6, JSEP RFC 8829 §5.3).
    ///
    /// Our answer: `a=ice-lite` (if `local.iceLite`), one BUNDLE group with the
    /// offered mids we keep (RFC 8843; no group when the offer had none, then
    /// only its first m-line is used), rtcp-mux, and on each audio/video m-line
    /// one codec — the first of the policy found in the offer, with the
    /// offerer's payload type — plus its `rtx` when offered and
    /// `policy.acceptRTX`. `rtcp-fb` is the offer's for that codec, limited to
    /// what we implement; extmaps are the offer's, limited to
    /// `policy.acceptedExtensions`, with the offer's ids. DTLS: `setup:active`
    /// (we are the client) unless the offer said `active`. Our candidates are
    /// inline on every m-line, followed by `a=end-of-candidates`
    /// (half-trickle, as Janus).
    ///
    /// - An audio/video m-line without an acceptable codec is answered like
    ///   Janus does: port 9, `a=inactive`, still bundled, with the offer's first
    ///   payload type (an answer may only list offered formats). It is reported
    ///   with `rejected == true`.
    /// - m-lines the offerer rejected (port 0), that cannot be bundled (no mid,
    ///   not in the offered group) or of unknown kind are rejected with port 0
    ///   (RFC 3264 §6) and left out of the group.
    /// - `m=application` with `a=sctp-port` is accepted (`a=sctp-port:5000`,
    ///   `a=max-message-size:262144`) when `policy.acceptDataChannels`, as Janus
    ///   does; the legacy `DTLS/SCTP` + `a=sctpmap` form is rejected with port 0.
    /// - m-lines where we send get `a=msid:sfu sfu<mid>` and `a=ssrc` lines from
    ///   `localSSRCs[mid]` (media SSRC, optional RTX SSRC, paired by
    ///   `a=ssrc-group:FID` when RTX was negotiated).
    ///
    /// Throws `SDPError` (Janus 465) when the offer has no ICE credentials or
    /// fingerprint for its BUNDLE transport, a mid is longer than 16
    /// characters, or nothing can be bundled.
    public static func answer(
        offer: SessionDescription,
        local: LocalTransportParameters,
        policy: CodecPolicy,
        direction: AnswerDirection,
        localSSRCs: [String: (UInt32, UInt32?)],
        sessionID: UInt64,
        sessionVersion: UInt64,
        sessionName: String = "-"
    ) throws(SDPError) -> NegotiationResult {
        try checkMids(offer)
        let remote = try remoteTransport(offer)
        let remoteSetup = offer.effectiveSetup ?? .actpass
        let ourSetup: DTLSSetup = remoteSetup == .active ? .passive : .active

        let offeredGroup = offer.bundleMids
        let candidates = hostCandidates(local)
        var answer = sessionSkeleton(
            local: local, sessionID: sessionID, sessionVersion: sessionVersion, sessionName: sessionName)
        answer.extmapAllowMixed = offer.extmapAllowMixed || offer.media.contains { $0.extmapAllowMixed }

        var results: [NegotiatedMedia] = []
        var bundled: [String] = []
        for (index, offered) in offer.media.enumerated() {
            let eligible: Bool
            if let mid = offered.mid, !offered.isRejected {
                eligible = offeredGroup.isEmpty ? bundled.isEmpty : offeredGroup.contains(mid)
            } else {
                eligible = false
            }
            var outcome: (MediaDescription, NegotiatedMedia)?
            if eligible {
                switch offered.kind {
                case .audio where offered.isRTP, .video where offered.isRTP:
                    outcome = answerRTP(
                        offered, index: index, policy: policy, direction: direction,
                        localSSRCs: localSSRCs[offered.mid ?? ""])
                case .application where policy.acceptDataChannels && offered.sctpPort != nil:
                    outcome = answerData(offered, index: index)
                default:
                    outcome = nil
                }
            }
            if let (answered, result) = outcome {
                var m = answered
                addTransport(to: &m, local: local, setup: ourSetup, candidates: candidates)
                answer.media.append(m)
                results.append(result)
                bundled.append(m.mid ?? "")
            } else {
                answer.media.append(rejectedMedia(offered))
                results.append(NegotiatedMedia(mid: offered.mid ?? "", mindex: index, kind: offered.kind))
            }
        }
        guard !bundled.isEmpty else {
            throw SDPError(.noBundleableMedia, "No m-line can be bundled (BUNDLE group with a=mid needed)")
        }
        if !offeredGroup.isEmpty {
            // RFC 8843 §7.3.1: the answer's group keeps the offer's order, tagged mid first.
            answer.groups = [SDPGroup(semantics: "BUNDLE", mids: offeredGroup.filter { bundled.contains($0) })]
        }
        return NegotiationResult(
            answer: answer,
            media: results,
            remoteIceUfrag: remote.ufrag,
            remoteIcePwd: remote.pwd,
            remoteFingerprint: remote.fingerprint.text,
            remoteSetup: remoteSetup.rawValue,
            localDTLSRole: ourSetup == .active ? .client : .server,
            bundleMids: answer.bundleMids.isEmpty ? bundled : answer.bundleMids)
    }

    // MARK: per m-line

    /// RFC 3264 §6: port 0, the offer's first format, mid kept so the peer can match it.
    static func rejectedMedia(_ offered: MediaDescription) -> MediaDescription {
        var m = MediaDescription(kind: offered.kind, port: 0, proto: offered.proto)
        if offered.isRTP {
            if let first = offered.codecs.first {
                var c = first
                c.fmtp = nil
                c.feedback = []
                m.codecs = [c]
            }
        } else {
            m.formats = offered.formats
        }
        m.connection = SDPConnection(address: "0.0.0.0")
        m.mid = offered.mid
        m.direction = .inactive
        return m
    }

    static func answerData(_ offered: MediaDescription, index: Int) -> (MediaDescription, NegotiatedMedia) {
        var m = MediaDescription(kind: .application, port: 9, proto: offered.proto, formats: offered.formats)
        m.mid = offered.mid
        m.sctpPort = sctpPort
        m.maxMessageSize = maxMessageSize
        var r = NegotiatedMedia(mid: offered.mid ?? "", mindex: index, kind: .application)
        r.rejected = false
        r.direction = .sendrecv
        r.sctpPort = offered.sctpPort
        return (m, r)
    }

    static func answerRTP(
        _ offered: MediaDescription, index: Int, policy: CodecPolicy, direction: AnswerDirection,
        localSSRCs: (UInt32, UInt32?)?
    ) -> (MediaDescription, NegotiatedMedia)? {
        guard let firstOffered = offered.codecs.first else { return nil }
        let mid = offered.mid ?? ""
        var m = MediaDescription(kind: offered.kind, port: 9, proto: offered.proto)
        m.mid = mid
        m.rtcpMux = true
        m.rtcpReducedSize = policy.acceptReducedSizeRTCP && offered.rtcpReducedSize
        var r = NegotiatedMedia(mid: mid, mindex: index, kind: offered.kind)
        r.remoteSSRCs = offered.mediaSSRCs
        r.remoteRTXSSRCs = offered.repairSSRCs

        guard let chosen = chooseCodec(offered, policy: policy) else {
            // Janus: inactive, port kept, still bundled; the offer's first format.
            var placeholder = firstOffered
            placeholder.fmtp = nil
            placeholder.feedback = []
            m.codecs = [placeholder]
            m.direction = .inactive
            r.rejected = true
            return (m, r)
        }

        let ourDirection: MediaDirection
        switch direction {
        case .mirror: ourDirection = offered.effectiveDirection.reversed
        case .receiveOnly: ourDirection = offered.effectiveDirection.sends ? .recvonly : .inactive
        }
        m.direction = ourDirection

        // Header extensions: the offer's ids, only the ones we handle.
        let isSVC = ["av1", "vp9"].contains(chosen.name.lowercased())
        m.extensions = offered.extensions.compactMap { e in
            guard policy.acceptedExtensions.contains(e.uri), e.direction != .inactive else { return nil }
            if e.uri == RTPExtensionURI.dependencyDescriptor && !isSVC { return nil }
            return SDPExtension(id: e.id, direction: e.direction?.reversed, uri: e.uri)
        }
        let twcc = m.extensions.contains { $0.uri == RTPExtensionURI.transportCC }

        var codec = SDPCodec(payloadType: chosen.payloadType, name: chosen.name,
                             clockRate: chosen.clockRate, channels: chosen.channels)
        codec.fmtp = answerFmtp(chosen, policy: policy)
        var seenFeedback = Set<String>()
        codec.feedback = (offered.wildcardFeedback + chosen.feedback).filter { fb in
            guard supportedFeedback.contains(fb), fb != "transport-cc" || twcc else { return false }
            return seenFeedback.insert(fb).inserted
        }
        m.codecs = [codec]
        var rtxPT: UInt8?
        if policy.acceptRTX, let rtx = offered.rtxCodec(for: chosen.payloadType) {
            m.codecs.append(SDPCodec(payloadType: rtx.payloadType, name: rtx.name, clockRate: rtx.clockRate,
                                     fmtp: "apt=\(chosen.payloadType)"))
            rtxPT = rtx.payloadType
        }

        // Simulcast (RFC 8853 §5.3): receive the rids the peer sends.
        var rids: [String] = []
        if ourDirection.receives, let sim = offered.simulcast, !sim.send.isEmpty {
            let sendRids = Set(offered.rids.filter { $0.direction == .send }.map(\.id))
            let streams = sim.send.map { $0.filter { sendRids.contains($0.rid) } }.filter { !$0.isEmpty }
            if !streams.isEmpty {
                rids = streams.flatMap { $0.map(\.rid) }
                m.rids = rids.map { SDPRid(id: $0, direction: .recv) }
                m.simulcast = SDPSimulcast(recv: streams)
            }
        }

        if offered.kind == .video, let cap = policy.bitrateCapKbps {
            if offered.bandwidths.contains(where: { $0.type == "TIAS" }) {
                m.bandwidths = [SDPBandwidth(type: "TIAS", value: cap * 1000)]
            } else {
                m.bandwidths = [SDPBandwidth(type: "AS", value: cap)]
            }
        }

        if ourDirection.sends, let (ssrc, rtxSSRC) = localSSRCs {
            m.msid = ["\(cname) \(cname)\(mid)"]
            if let rtxSSRC, rtxPT != nil {
                m.ssrcGroups = [SDPSSRCGroup(semantics: "FID", ssrcs: [ssrc, rtxSSRC])]
                m.ssrcs = [SDPSSRCAttribute(ssrc: ssrc, attribute: "cname", value: cname),
                           SDPSSRCAttribute(ssrc: rtxSSRC, attribute: "cname", value: cname)]
                r.localRTXSSRC = rtxSSRC
            } else {
                m.ssrcs = [SDPSSRCAttribute(ssrc: ssrc, attribute: "cname", value: cname)]
            }
            r.localSSRC = ssrc
        }

        r.rejected = false
        r.direction = ourDirection
        r.payloadType = codec.payloadType
        r.codecName = codec.name
        r.clockRate = codec.clockRate
        r.channels = codec.channels
        r.fmtp = codec.fmtp
        r.rtxPayloadType = rtxPT
        r.feedback = codec.feedback
        r.extensions = m.extensions.map { NegotiatedExtension(id: $0.id, uri: $0.uri) }
        r.rids = rids
        if ourDirection.receives, let group = offered.ssrcGroups.first(where: { $0.semantics == "SIM" }) {
            r.simulcastSSRCs = group.ssrcs
        }
        return (m, r)
    }

    /// The first codec of the policy that the offer has. Several H.264 entries:
    /// packetization-mode=1 first (what every browser decodes).
    static func chooseCodec(_ offered: MediaDescription, policy: CodecPolicy) -> SDPCodec? {
        let preference: [String]
        switch offered.kind {
        case .audio: preference = policy.audioCodecs
        case .video: preference = policy.videoCodecs
        default: return nil
        }
        for name in preference {
            let matches = offered.codecs.filter { $0.name.lowercased() == name.lowercased() && $0.clockRate > 0 }
            if name.lowercased() == "h264",
               let mode1 = matches.first(where: { $0.parameter("packetization-mode") == "1" }) {
                return mode1
            }
            if let first = matches.first { return first }
        }
        return nil
    }

    /// Opus: only the parameters Janus answers (RFC 7587 §7); video: the offer's.
    static func answerFmtp(_ codec: SDPCodec, policy: CodecPolicy) -> String? {
        guard codec.name.lowercased() == "opus" else { return codec.fmtp }
        var params: [String] = []
        if policy.opusFEC && codec.parameter("useinbandfec") == "1" { params.append("useinbandfec=1") }
        if policy.opusDTX && codec.parameter("usedtx") == "1" { params.append("usedtx=1") }
        if codec.parameter("stereo") == "1" { params.append("stereo=1") }
        return params.isEmpty ? nil : params.joined(separator: ";")
    }
}
