#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SFUMedia

/// `handle_info` (janus.c admin handler and `janus_admin_peerconnection_summary`): Janus's
/// field names where this server has the figure, nothing made up where it has not.
extension JanusAdminAPI {
    func handleInfo(_ view: JanusCore.AdminHandleView, pluginOnly: Bool) async -> JSONObject {
        let now = Self.monotonicMicroseconds()
        func micros(_ instant: ContinuousClock.Instant) -> JSONValue {
            let ago = ContinuousClock.now - instant
            return .int(now - ago.components.seconds * 1_000_000 - ago.components.attoseconds / 1_000_000_000_000)
        }
        var info: JSONObject = [
            "session_id": JanusMessages.id(view.sessionID),
            "session_last_activity": micros(view.sessionLastActivity),
            "session_timeout": .int(Int64(core.configuration.sessionTimeout)),
            "session_transport": .string(view.sessionTransport),
            "handle_id": JanusMessages.id(view.handleID),
            "created": micros(view.created),
            "current_time": .int(now),
            "plugin": .string(view.plugin),
        ]
        if let opaqueID = view.opaqueID { info["opaque_id"] = .string(opaqueID) }
        if let token = view.token { info["token"] = .string(token) }
        let plugin = await view.pluginSession.adminInfo()
        if let specific = plugin.pluginSpecific { info["plugin_specific"] = .object(specific) }
        if pluginOnly { return info }
        var sdps: JSONObject = [:]
        if let local = plugin.localSDP {
            sdps["profile"] = "UDP/TLS/RTP/SAVPF"
            sdps["local"] = .string(local)
        }
        info["sdps"] = .object(sdps)
        if let transport = plugin.transport {
            info["ice-mode"] = "lite"
            info["ice-role"] = "controlled"
            if let inspection = await hooks.inspect?(transport) {
                info["webrtc"] = .object(webrtc(inspection, localCandidates: transport.candidateLines))
            }
        }
        return info
    }

    /// `webrtc`: `ice`, `dtls` and `media` (one entry per m-line, by mid).
    private func webrtc(_ inspection: TransportInspection, localCandidates: [String]) -> JSONObject {
        var ice: JSONObject = [
            "stream_id": 1, "component_id": 1, "state": .string(inspection.iceState),
            "local-candidates": .array(localCandidates.map(JSONValue.string)),
            "remote-candidates": .array(inspection.remoteAddresses.map(JSONValue.string)),
        ]
        if let remote = inspection.selectedRemote {
            ice["selected-pair"] = .string("\(inspection.selectedLocal ?? "?") [host,udp] <-> \(remote) [prflx,udp]")
        }
        var dtls: JSONObject = [
            "dtls-role": .string(inspection.dtlsRole), "dtls-state": .string(inspection.dtlsState),
            "valid": .bool(inspection.srtpProfile != nil), "srtp-profile": .string(inspection.srtpProfile ?? "none"),
            "ready": .bool(inspection.dtlsState == "connected"),
        ]
        if let fingerprint = hooks.localFingerprint { dtls["fingerprint"] = .string(fingerprint) }
        var media: JSONObject = [:]
        for (index, stream) in inspection.streams.enumerated() {
            media[stream.mid] = .object(Self.medium(stream, mindex: index))
        }
        var info: JSONObject = ["ice": .object(ice), "dtls": .object(dtls), "media": .object(media)]
        if let bandwidth = inspection.bandwidth {
            // Ours: congestion control on what we send this PeerConnection.
            var object: JSONObject = [
                "source": .string(bandwidth.source), "max-bitrate": .int(Int64(bandwidth.maximumBitrate)),
                "allocated": .int(Int64(bandwidth.allocated)), "layer-changes": .int(Int64(bandwidth.switches)),
                "pauses": .int(Int64(bandwidth.pauses)), "probes": .int(Int64(bandwidth.probes)),
            ]
            if let estimate = bandwidth.estimate { object["estimate"] = .int(Int64(estimate)) }
            info["bandwidth"] = .object(object)
        }
        return info
    }

    private static func medium(_ stream: TransportInspection.Stream, mindex: Int) -> JSONObject {
        var ssrc: JSONObject = ["ssrc": .int(Int64(stream.localSSRC))]
        if let rtx = stream.localRTXSSRC { ssrc["ssrc-rtx"] = .int(Int64(rtx)) }
        if let peer = stream.remoteSSRC { ssrc["ssrc-peer"] = .int(Int64(peer)) }
        var codecs: JSONObject = ["pt": .int(Int64(stream.payloadType)), "codec": .string(stream.codec.lowercased())]
        if let rtx = stream.rtxPayloadType { codecs["rtx-pt"] = .int(Int64(rtx)) }
        var medium: JSONObject = [
            "type": .string(stream.kind), "mindex": .int(Int64(mindex)), "mid": .string(stream.mid),
            "ssrc": .object(ssrc),
            "direction": ["send": .bool(stream.sends), "recv": .bool(stream.receives)],
            "codecs": .object(codecs),
            "rtcp": ["main": ["lost": .int(Int64(stream.lost)), "jitter-local": .int(Int64(stream.jitter))]],
            "stats": [
                "in": ["packets": .int(Int64(stream.packetsReceived))],
                "out": ["packets": .int(Int64(stream.packetsSent)), "bytes": .int(Int64(stream.bytesSent))],
            ],
        ]
        if stream.simulcastLayers > 1 {
            // Janus's `rid-simulcast.rid`, and (ours) which layer is forwarded now.
            if !stream.simulcastRIDs.isEmpty {
                medium["rid-simulcast"] = ["rid": .array(stream.simulcastRIDs.map(JSONValue.string))]
            }
            var layers: JSONObject = ["count": .int(Int64(stream.simulcastLayers))]
            if let forwarded = stream.forwardedLayer { layers["forwarded"] = .int(Int64(forwarded)) }
            if stream.sends {
                if let allowed = stream.bandwidthLayer { layers["bandwidth-layer"] = .int(Int64(allowed)) }
                layers["paused-for-bandwidth"] = .bool(stream.pausedForBandwidth)
                if !stream.layerBitrates.isEmpty {
                    layers["bitrates"] = .array(stream.layerBitrates.prefix(stream.simulcastLayers).map { .int(Int64($0)) })
                }
            }
            medium["simulcast-layers"] = .object(layers)
        }
        return medium
    }

    /// Janus's `janus_get_monotonic_time()`: microseconds of CLOCK_MONOTONIC.
    static func monotonicMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
