import ICE
import RTP

/// A PeerConnection's state at one moment, as the Admin API's `handle_info` shows it: read on
/// the transport's worker thread (`MediaEngine.inspect`), then handed out as a plain value.
public struct TransportInspection: Sendable, Hashable {
    /// One m-line.
    public struct Stream: Sendable, Hashable {
        public var mid: String
        /// `audio`, `video` or `data`.
        public var kind: String
        public var codec: String
        public var payloadType: UInt8
        public var rtxPayloadType: UInt8?
        public var localSSRC: UInt32
        public var localRTXSSRC: UInt32?
        /// The SSRC the peer sends on this m-line, when known.
        public var remoteSSRC: UInt32?
        public var sends: Bool
        public var receives: Bool
        /// Media arrived within the no-media interval.
        public var receiving: Bool
        public var packetsReceived: Int
        /// RFC 3550 interarrival jitter of what we receive, in RTP timestamp units.
        public var jitter: Int
        /// RFC 3550 cumulative number of packets lost of what we receive.
        public var lost: Int
        public var packetsSent: Int
        public var bytesSent: Int
        /// Simulcast: the layers' rids (a publisher m-line; in the order of our `StreamSetup`), how
        /// many layers, and the layer that matters here (0 the lowest; nil before the first): the
        /// one a subscriber m-line forwards now, the highest one a publisher m-line sends. Empty /
        /// 1 / nil for a single encoding.
        public var simulcastRIDs: [String] = []
        public var simulcastLayers = 1
        public var forwardedLayer: Int?
        /// A subscriber m-line: the highest layer its subscriber's bandwidth allows (nil: any),
        /// and whether it is paused because not even the lowest fits.
        public var bandwidthLayer: Int?
        public var pausedForBandwidth = false
        /// A subscriber m-line: the measured bits/s of each layer of its source.
        public var layerBitrates: [Int] = []
    }

    /// Congestion control on what we send the peer.
    public struct Bandwidth: Sendable, Hashable {
        /// `none` (nothing known: no limit), `remb` (the peer's own estimate) or `twcc` (ours,
        /// from its transport-wide feedback).
        public var source: String
        /// The estimate, bits/s (nil when nothing is known), and the user's cap (0: none).
        public var estimate: Int?
        public var maximumBitrate: Int
        /// What the last allocation spends, bits/s.
        public var allocated: Int
        /// Layer changes and pauses the allocator made.
        public var switches: Int
        public var pauses: Int
        public var probes: Int
    }

    /// Janus's (libnice's) names: `connecting` (no pair nominated yet), `connected` (a pair
    /// nominated, consent fresh), `failed` (consent expired).
    public var iceState: String
    /// The nominated pair's remote address, `HOST:PORT`.
    public var selectedRemote: String?
    /// Our socket of the nominated pair, `HOST:PORT`.
    public var selectedLocal: String?
    /// Remote addresses the peer proved with a check (the pairs it nominated).
    public var remoteAddresses: [String]
    /// `active` (we are the DTLS client) or `passive`.
    public var dtlsRole: String
    /// `created`, `trying`, `connected` or `failed`.
    public var dtlsState: String
    /// The negotiated SRTP profile (`SRTP_AEAD_AES_128_GCM`, …), nil before DTLS finished.
    public var srtpProfile: String?
    public var streams: [Stream]
    public var bandwidth: Bandwidth? = nil
}

extension TransportAllocation {
    /// Our ICE candidates for this transport, as the SDP we send lists them (`a=candidate:`
    /// values: foundation, component, transport, priority, address, port, `typ host`).
    public var candidateLines: [String] {
        let local = LocalTransportParameters(
            iceUfrag: localCredentials.ufrag, icePwd: localCredentials.pwd, fingerprint: fingerprint.sdpValue,
            candidates: candidates)
        return SDPNegotiator.hostCandidates(local).map(\.raw)
    }
}

extension SRTPProtectionProfile {
    /// The profile's name as Janus (and RFC 5764 / 7714) spells it.
    public var janusName: String {
        switch self {
        case .aes128CmHmacSha1_80: "SRTP_AES128_CM_SHA1_80"
        case .aes128CmHmacSha1_32: "SRTP_AES128_CM_SHA1_32"
        case .aeadAes128Gcm: "SRTP_AEAD_AES_128_GCM"
        }
    }
}

extension WebRTCTransport {
    /// The state now; on the worker thread.
    package func inspection() -> TransportInspection {
        let iceState: String
        switch ice.state {
        case .new: iceState = "connecting"
        case .connected: iceState = "connected"
        case .failed: iceState = "failed"
        }
        let dtlsState: String
        if connected {
            dtlsState = "connected"
        } else if isFinished {
            dtlsState = "failed"
        } else {
            dtlsState = selectedAddress == nil ? "created" : "trying"
        }
        return TransportInspection(
            iceState: iceState, selectedRemote: selectedAddress?.description, selectedLocal: nil,
            remoteAddresses: knownAddresses.map(\.description), dtlsRole: dtlsRole == .client ? "active" : "passive",
            dtlsState: dtlsState, srtpProfile: outbound?.profile.janusName,
            streams: zip(producers, consumers).map(Self.inspection(of:consumer:)),
            bandwidth: consumers.contains(where: \.setup.sends) ? bandwidthInspection : nil)
    }

    private var bandwidthInspection: TransportInspection.Bandwidth {
        let source: String
        switch bandwidth.input {
        case .none: source = "none"
        case .receiverEstimate: source = "remb"
        case .transportWide: source = "twcc"
        }
        return TransportInspection.Bandwidth(
            source: source, estimate: bandwidth.budget, maximumBitrate: bandwidth.cap,
            allocated: bandwidth.allocatedBitsPerSecond, switches: bandwidth.switches, pauses: bandwidth.pauses,
            probes: bandwidth.probes)
    }

    private static func inspection(of stream: Producer, consumer: Consumer) -> TransportInspection.Stream {
        let setup = stream.setup
        let kind: String
        switch setup.kind {
        case .audio: kind = "audio"
        case .video: kind = "video"
        case .application: kind = "data"
        case .other(let name): kind = name
        }
        return TransportInspection.Stream(
            mid: setup.mid, kind: kind, codec: setup.codecName, payloadType: setup.payloadType,
            rtxPayloadType: setup.rtxPayloadType, localSSRC: setup.localSSRC, localRTXSSRC: setup.localRTXSSRC,
            remoteSSRC: stream.remoteSSRC, sends: setup.sends, receives: setup.receives, receiving: stream.receiving,
            packetsReceived: Int(stream.reports.reception.packetsReceived), jitter: Int(stream.reports.reception.jitter),
            lost: Int(stream.reports.reception.cumulativeLost), packetsSent: Int(consumer.reports.packetsSent),
            bytesSent: Int(consumer.reports.octetsSent), simulcastRIDs: setup.simulcastRIDs,
            simulcastLayers: max(stream.layers.count, consumer.layerChoice?.layerCount ?? 1),
            forwardedLayer: consumer.layerChoice?.current ?? (stream.isSimulcast ? stream.topLiveLayer : nil),
            bandwidthLayer: consumer.layerChoice?.budgetCeiling, pausedForBandwidth: consumer.pausedForBandwidth,
            layerBitrates: setup.sends && consumer.layerMeter.isMeasured ? consumer.layerMeter.rates : [])
    }
}
