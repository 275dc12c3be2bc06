import ICE
import RTP
import SFUBase

/// EchoTest behaviour: the peer's own RTCP feedback about the echoed streams is turned back into
/// feedback about the streams it sends (SSRCs and sequence numbers translated), so its encoder
/// answers its own decoder's keyframe requests, NACKs and bandwidth estimates.
extension WebRTCTransport {
    func updateBehaviour(_ new: TransportBehaviour, now: MonotonicInstant, output: PacketOutput) {
        let old = behaviour
        behaviour = new
        guard case .echo(let before) = old, case .echo(let after) = new else {
            if case .publisher(let settings) = new, settings.bitrate > 0 {
                sendEstimate(bitrate: UInt64(settings.bitrate), output: output)
            }
            return
        }
        if after.video && !before.video { requestKeyframes(now: now, output: output) }
        if after.bitrate != before.bitrate { sendPeriodicFeedback(now: now, output: output) }
    }

    func echo(_ packet: RTPPacket, streamIndex index: Int, settings: EchoSettings, now: MonotonicInstant,
              output: PacketOutput) {
        guard packet.ssrc == producers[index].remoteSSRC else { return }  // one source per m-line
        recordReceived(packet, streamIndex: index, now: now)
        guard let outbound, let destination = selectedAddress, consumers[index].setup.sends else { return }
        let enabled = producers[index].setup.kind == .audio ? settings.audio : settings.video
        guard enabled else {
            consumers[index].sequence.pause()
            return
        }
        let sequence = consumers[index].sequence.rewrite(packet.sequenceNumber)
        consumers[index].reports.noteSent(timestamp: packet.timestamp, payloadBytes: packet.payload.count, now: now)
        send(packet, as: index, sequence: sequence, timestamp: packet.timestamp, map: Self.identityExtensionMap,
             outbound: outbound, destination: destination, output: output)
    }

    static let identityExtensionMap = RTPHeaderExtensionIDMap()

    func requestKeyframes(now: MonotonicInstant, output: PacketOutput) {
        for index in producers.indices where producers[index].setup.kind == .video {
            requestKeyframe(streamIndex: index, now: now, output: output)
        }
    }

    func relayEchoFeedback(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, settings: EchoSettings, now: MonotonicInstant,
        output: PacketOutput
    ) {
        guard let compound = try? RTCPCompoundPacket(buffer: buffer, length: length) else { return }
        for packet in compound {
            switch (packet.packetType, packet.feedbackFormat) {
            case (RTCPPacketType.payloadSpecificFeedback, RTCPFeedbackFormat.pictureLossIndication),
                (RTCPPacketType.payloadSpecificFeedback, RTCPFeedbackFormat.fullIntraRequest):
                guard let ssrc = packet.mediaSSRC, let index = streamIndex(forLocalSSRC: ssrc) else { continue }
                countedIn?.keyframeRequestsReceived.add(1, ordering: .relaxed)
                requestKeyframe(streamIndex: index, now: now, output: output)
            case (RTCPPacketType.transportFeedback, RTCPFeedbackFormat.genericNACK):
                guard let ssrc = packet.mediaSSRC, let index = streamIndex(forLocalSSRC: ssrc) else { continue }
                noteNACKed(packet, streamIndex: index)
                resendEchoed(nack: packet, streamIndex: index, output: output)
            case (RTCPPacketType.payloadSpecificFeedback, RTCPFeedbackFormat.applicationLayer):
                guard let remb = try? RTCPReceiverEstimatedMaxBitrate(packet) else { continue }
                let capped = settings.bitrate > 0 ? min(remb.bitrate, UInt64(settings.bitrate)) : remb.bitrate
                sendEstimate(bitrate: capped, output: output)
            default:
                continue
            }
        }
    }

    /// Once a second: our REMB cap, when the EchoTest `bitrate` is set.
    func sendPeriodicFeedback(now: MonotonicInstant, output: PacketOutput) {
        guard case .echo(let settings) = behaviour, settings.bitrate > 0 else { return }
        sendEstimate(bitrate: UInt64(settings.bitrate), output: output)
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

    /// Answers the peer's NACK about echoed packets from what we received from it.
    private func resendEchoed(nack: RTCPPacket, streamIndex index: Int, output: PacketOutput) {
        guard let outbound, let destination = selectedAddress, let buffer = producers[index].retransmissions else { return }
        let offset = consumers[index].sequence.currentOffset
        try? RTCPGenericNACK.forEachLostSequenceNumber(in: nack) { outgoing in
            guard consumers[index].sequence.isCurrentMapping(outgoing),
                let stored = buffer.packet(sequenceNumber: outgoing &- offset),
                let original = try? RTPPacket(buffer: stored, length: stored.count)
            else { return }
            countedIn?.retransmissionsSent.add(1, ordering: .relaxed)
            send(original, as: index, sequence: outgoing, timestamp: original.timestamp,
                 map: Self.identityExtensionMap, outbound: outbound, destination: destination, output: output)
        }
    }

    private func streamIndex(forLocalSSRC ssrc: UInt32) -> Int? {
        consumers.firstIndex { $0.setup.localSSRC == ssrc }
    }
}
