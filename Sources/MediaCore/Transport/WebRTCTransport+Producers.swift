import ICE
import RTP
import SFUBase

/// The producer side of a transport: what its peer sends us. A received packet is accounted
/// for (upstream loss, talking, a moderator's mute), numbered as it is forwarded, kept for
/// consumers' NACKs and handed to the router; our feedback to the peer (NACKs, keyframe
/// requests, the REMB cap) goes from here.
extension WebRTCTransport {
    package func streamIndex(mid: String) -> Int? {
        producers.firstIndex { $0.setup.mid == mid }
    }

    /// New knobs (room `bitrate`, moderation mute, `fir_freq`, talking detection; EchoTest `bitrate`).
    package func updateSettings(_ new: PublisherSettings, output: PacketOutput) {
        settings = new
        if new.bitrate > 0 { sendEstimate(bitrate: UInt64(new.bitrate), output: output) }
    }

    func publish(_ packet: RTPPacket, streamIndex index: Int, layer: Int, now: MonotonicInstant, router: Router) {
        guard producers[index].layers.indices.contains(layer) else { return }
        trackUpstreamLoss(packet, streamIndex: index, layer: layer, now: now)
        if settings.audioLevelEvents, producers[index].setup.kind == .audio, let id = producers[index].audioLevelExtensionID,
            let level = packet.audioLevel(id: id)
        {
            if let change = producers[index].audioLevel.add(
                level: level.level, windowPackets: settings.audioActivePackets, threshold: settings.audioLevelAverage)
            {
                emit(.talking(mid: producers[index].setup.mid, talking: change.talking, level: change.average))
            }
        }
        if !settings.mutedMids.isEmpty, settings.mutedMids.contains(producers[index].setup.mid) {
            // Withheld on purpose: what follows is numbered on from the last packet forwarded, so
            // no subscriber sees a hole to NACK, and nothing withheld is kept for retransmission.
            producers[index].layers[layer].forwardedNumbering.pause()
            return
        }
        guard let number = producers[index].layers[layer].forwardedNumbering.rewriteIfCurrent(packet.sequenceNumber)
        else { return }
        packet.sequenceNumber = number
        storeForRetransmission(packet, streamIndex: index, layer: layer)
        let live = producers[index].isSimulcast ? producers[index].liveLayers(now: now) : 1
        router.publish(
            packet, from: StreamHandle(transport: handle, stream: index), layer: UInt8(truncatingIfNeeded: layer),
            liveLayers: live, publisherID: id)
    }

    /// Gaps in the peer's own numbering, for upstream NACKs (video).
    @inline(__always)
    func trackUpstreamLoss(_ packet: RTPPacket, streamIndex index: Int, layer: Int, now: MonotonicInstant) {
        guard producers[index].setup.kind == .video else { return }
        producers[index].layers[layer].nacks.received(packet.sequenceNumber, now: now)
    }

    /// A copy of a packet that goes out, under the number it goes out with, for answering
    /// consumers' NACKs (video). Only forwarded packets are kept: a NACK can never bring back
    /// something that was withheld.
    @inline(__always)
    func storeForRetransmission(_ packet: RTPPacket, streamIndex index: Int, layer: Int) {
        guard producers[index].setup.kind == .video else { return }
        if producers[index].layers[layer].retransmissions == nil {
            producers[index].layers[layer].retransmissions = RetransmissionBuffer()
        }
        producers[index].layers[layer].retransmissions?.store(
            UnsafeRawBufferPointer(rebasing: packet.buffer[0..<packet.length]), sequenceNumber: packet.sequenceNumber)
    }

    /// Upstream NACKs for the gaps in what the peer sends us (video).
    func requestMissingPackets(now: MonotonicInstant, output: PacketOutput) {
        for index in producers.indices where producers[index].setup.kind == .video {
            for layer in producers[index].layers.indices where producers[index].layers[layer].nacks.hasPending {
                guard let mediaSSRC = producers[index].layers[layer].ssrc else { continue }
                var lost: [UInt16] = []
                producers[index].layers[layer].nacks.due(now: now) { lost.append($0) }
                guard !lost.isEmpty else { continue }
                countedIn?.nacksSent.add(lost.count, ordering: .relaxed)
                let sender = consumers[index].setup.localSSRC
                sendRTCP(output: output) { out in
                    (try? RTCPGenericNACK(senderSSRC: sender, mediaSSRC: mediaSSRC, lostSequenceNumbers: lost)
                        .write(into: out)) ?? 0
                }
            }
        }
    }

    /// Once a second: the REMB cap, and periodic keyframe requests (room `fir_freq`).
    func periodicProducerFeedback(now: MonotonicInstant, output: PacketOutput) {
        if settings.bitrate > 0 { sendEstimate(bitrate: UInt64(settings.bitrate), output: output) }
        if settings.keyframeInterval > 0 {
            for index in producers.indices where producers[index].setup.kind == .video {
                guard let last = producers[index].lastPacketAt, now.nanoseconds(since: last) < 2_000_000_000 else { continue }
                if producers[index].periodicKeyframeDue(now: now, intervalSeconds: settings.keyframeInterval) {
                    requestKeyframe(streamIndex: index, now: now, output: output)
                }
            }
        }
    }

    /// Our peer's own estimate of what it can receive, when it is the only receiver of what it
    /// sends (an EchoTest peer consuming its own producers): relayed to its encoder, under our cap.
    func relayOwnEstimate(_ packet: RTCPPacket, output: PacketOutput) {
        guard let remb = try? RTCPReceiverEstimatedMaxBitrate(packet) else { return }
        let capped = settings.bitrate > 0 ? min(remb.bitrate, UInt64(settings.bitrate)) : remb.bitrate
        sendEstimate(bitrate: capped, output: output)
    }

    package func requestKeyframes(now: MonotonicInstant, output: PacketOutput) {
        for index in producers.indices where producers[index].setup.kind == .video {
            requestKeyframe(streamIndex: index, now: now, output: output)
        }
    }

    func sendEstimate(bitrate: UInt64, output: PacketOutput) {
        var ssrcs: [UInt32] = []
        for stream in producers where stream.setup.kind == .video {
            if let ssrc = stream.remoteSSRC { ssrcs.append(ssrc) }
        }
        guard !ssrcs.isEmpty, let sender = consumers.first?.setup.localSSRC else { return }
        sendRTCP(output: output) { out in
            (try? RTCPReceiverEstimatedMaxBitrate(senderSSRC: sender, bitrate: bitrate, ssrcs: ssrcs)
                .write(into: out)) ?? 0
        }
    }
}
