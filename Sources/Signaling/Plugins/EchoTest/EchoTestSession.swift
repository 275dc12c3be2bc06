import ICE
import Logging
import SFUMedia

/// One EchoTest handle: at most one PeerConnection, echoed back to itself.
actor EchoTestSession: JanusPluginSession {
    private let context: PluginHandleContext
    private let engine: MediaEngine
    private let logger: Logger
    private var settings = EchoSettings()
    private var transport: TransportAllocation?
    /// The running transport's m-lines, for its echo bindings.
    private var echoSetup: TransportSetup?
    /// Bumped per transport so events of a closed transport are ignored.
    private var generation: UInt64 = 0
    private var sdpVersion: UInt64 = 1
    private var lastAnswer: SessionDescription?
    private var remoteICEUfrag: String?
    private var lastRemoteFingerprint: SDPFingerprint?

    /// `handle_info`: the echo settings (Janus echotest's `query_session` fields) and the
    /// PeerConnection.
    func adminInfo() async -> PluginAdminInfo {
        PluginAdminInfo(
            pluginSpecific: [
                "audio_active": .bool(settings.audio), "video_active": .bool(settings.video),
                "bitrate": .int(Int64(settings.bitrate)),
            ],
            transport: transport, localSDP: lastAnswer?.text)
    }

    init(context: PluginHandleContext, engine: MediaEngine, logger: Logger) {
        self.context = context
        self.engine = engine
        var logger = logger
        logger[metadataKey: "handle"] = "\(context.handleID)"
        self.logger = logger
    }

    func handleMessage(transaction: String, body: JSONObject, jsep: JSEP?) async -> PluginMessageResult {
        let request: EchoTestRequest
        do {
            request = try EchoTestRequest(body: body)
        } catch {
            context.push(.event(transaction: transaction, data: Self.errorData(error.code, error.reason), jsep: nil))
            return .ack(hint: "I'm taking my time!")
        }
        apply(request)
        var answer: JSEP?
        if let jsep {
            guard jsep.type == .offer else {
                // We never offer, so an answer has nothing to answer (Janus core: 469).
                return .error(JanusError(JanusError.unexpectedAnswer, "Unexpected ANSWER (did we offer?)"))
            }
            switch negotiate(offer: jsep) {
            case .success(let sdp):
                answer = JSEP(type: .answer, sdp: sdp)
            case .failure(let error):
                return .error(error)
            }
        }
        context.push(.event(transaction: transaction, data: ["echotest": "event", "result": "ok"], jsep: answer))
        return .ack(hint: "I'm taking my time!")
    }

    func handleTrickle(candidates: [TrickleCandidate], completed: Bool) async {
        // ICE-lite: the peer's checks tell us its addresses; trickled candidates are not needed.
    }

    func hangup(reason: String) async {
        if closeTransport() {
            pushHangup(reason: reason)
        } else {
            // Janus's echotest answers a hangup with "done" even when no PeerConnection exists.
            context.push(.event(transaction: nil, data: ["echotest": "event", "result": "done"], jsep: nil))
        }
    }

    /// Janus's echotest tells the handle `{"result":"done"}` when its PeerConnection goes away,
    /// then the core's `hangup` follows.
    private func pushHangup(reason: String) {
        context.push(.event(transaction: nil, data: ["echotest": "event", "result": "done"], jsep: nil))
        context.push(.hangup(reason: reason))
    }

    func destroy() async {
        _ = closeTransport()
    }

    // MARK: Negotiation

    private func negotiate(offer jsep: JSEP) -> Result<String, JanusError> {
        let offer: SessionDescription
        do {
            offer = try SessionDescription.parse(jsep.sdp)
        } catch {
            return .failure(JanusError(JanusError.jsepInvalidSDP, "\(error)"))
        }
        // A re-offer on the same ICE session keeps the transport (Janus answers renegotiations the
        // same way); anything else starts a new PeerConnection.
        if let transport, let lastAnswer, offer.effectiveFingerprint == lastRemoteFingerprint {
            sdpVersion += 1
            var current = transport
            if offer.effectiveICEUfrag != remoteICEUfrag {
                // ICE restart: new credentials both ways, the DTLS association stays.
                guard let ufrag = offer.effectiveICEUfrag, let pwd = offer.effectiveICEPwd else {
                    return .failure(JanusError(JanusError.jsepInvalidSDP, "Invalid SDP (missing ICE credentials)"))
                }
                current = engine.restartICE(transport, remote: ICECredentials(ufrag: ufrag, pwd: pwd))
                self.transport = current
                remoteICEUfrag = ufrag
            }
            return answer(offer, on: current, previous: lastAnswer).map {
                self.lastAnswer = $0.answer
                return $0.answer.text
            }
        }
        _ = closeTransport()
        let allocation = engine.allocateTransport()
        let result: NegotiationResult
        switch answer(offer, on: allocation, previous: nil) {
        case .success(let negotiated): result = negotiated
        case .failure(let error): return .failure(error)
        }
        guard let setup = TransportSetup(negotiation: result, settings: PublisherSettings(bitrate: settings.bitrate)) else {
            return .failure(JanusError(JanusError.jsepInvalidSDP, "Invalid SDP (bad ICE credentials or fingerprint)"))
        }
        generation += 1
        let generation = self.generation
        let context = self.context
        engine.startTransport(allocation, setup: setup) { [weak self] event in
            switch event {
            case .connected:
                context.push(.webrtcUp)
            case .mediaReceiving(let mid, let kind, let receiving):
                context.push(.media(mid: mid, type: kind.token, receiving: receiving, substream: nil))
            case .slowLink(let mid, let kind, let uplink, let lost):
                context.push(.slowLink(mid: mid, media: kind.token, uplink: uplink, lost: lost))
            case .talking, .layerChanged, .temporalLayerChanged, .videoPaused:
                break  // The EchoTest reports neither talking nor layer changes.
            case .failed(let reason):
                Task { await self?.transportFailed(generation: generation, reason: reason.janusReason) }
            }
        }
        // The echo: the transport consumes its own producers.
        engine.bindSubscriber(
            allocation, bindings: SubscriberBinding.echo(of: allocation, setup: setup, audio: settings.audio, video: settings.video))
        transport = allocation
        echoSetup = setup
        lastAnswer = result.answer
        remoteICEUfrag = offer.effectiveICEUfrag
        lastRemoteFingerprint = offer.effectiveFingerprint
        return .success(result.answer.text)
    }

    private func answer(
        _ offer: SessionDescription, on allocation: TransportAllocation, previous: SessionDescription?
    ) -> Result<NegotiationResult, JanusError> {
        var localSSRCs: [String: (UInt32, UInt32?)] = [:]
        for media in offer.media {
            guard let mid = media.mid else { continue }
            // Keep the SSRCs of a previous answer so a renegotiation does not change streams.
            let previousSSRC = previous?.media.first(where: { $0.mid == mid })?.ssrcs.first?.ssrc
            localSSRCs[mid] = (previousSSRC ?? UInt32.random(in: 1...UInt32.max), nil)
        }
        let local = LocalTransportParameters(
            iceUfrag: allocation.localCredentials.ufrag, icePwd: allocation.localCredentials.pwd,
            fingerprint: allocation.fingerprint.sdpValue,
            candidates: allocation.candidates)
        var policy = CodecPolicy()
        policy.audioCodecs = ["opus", "g722", "pcmu", "pcma"]
        policy.videoCodecs = ["vp8", "vp9", "h264", "av1"]
        // The echo relays the receiver's NACKs to the sender, which retransmits on the original
        // SSRC; RTX and transport-cc would need state this plugin does not keep.
        policy.acceptRTX = false
        policy.acceptedExtensions.remove(RTPExtensionURI.transportCC)
        do {
            return .success(
                try SDPNegotiator.answer(
                    offer: offer, local: local, policy: policy, direction: .mirror, localSSRCs: localSSRCs,
                    sessionID: context.handleID, sessionVersion: sdpVersion))
        } catch {
            return .failure(JanusError(JanusError.jsepInvalidSDP, "\(error)"))
        }
    }

    // MARK: State

    private func apply(_ request: EchoTestRequest) {
        if let audio = request.audio { settings.audio = audio }
        if let video = request.video { settings.video = video }
        if let bitrate = request.bitrate { settings.bitrate = bitrate }
        if let transport, let echoSetup {
            engine.configurePublisher(transport, settings: PublisherSettings(bitrate: settings.bitrate))
            engine.bindSubscriber(
                transport,
                bindings: SubscriberBinding.echo(
                    of: transport, setup: echoSetup, audio: settings.audio, video: settings.video))
            if request.keyframe == true { engine.requestKeyframes(transport) }
        }
    }

    private func transportFailed(generation: UInt64, reason: String) {
        guard generation == self.generation, transport != nil else { return }
        transport = nil
        lastAnswer = nil
        remoteICEUfrag = nil
        pushHangup(reason: reason)
    }

    /// Closes the PeerConnection if there is one; returns whether there was.
    private func closeTransport() -> Bool {
        guard let transport else { return false }
        engine.closeTransport(transport)
        self.transport = nil
        lastAnswer = nil
        remoteICEUfrag = nil
        generation += 1
        return true
    }

    private static func errorData(_ code: Int, _ reason: String) -> JSONObject {
        ["echotest": "event", "error_code": .int(Int64(code)), "error": .string(reason)]
    }
}
