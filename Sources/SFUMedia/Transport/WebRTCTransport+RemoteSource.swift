import RTP
import SFUBase

/// Subscriber m-lines fed from another worker: feedback for their publisher travels as a
/// command to the publisher's worker (keyframe requests, NACKs), never per forwarded packet.
extension WebRTCTransport {
    /// Asks the publisher feeding m-line `index` for a keyframe, wherever it lives.
    func requestSourceKeyframe(streamIndex index: Int, now: MonotonicInstant, output: PacketOutput) {
        if let publisher = consumers[index].sourceTransport {
            publisher.requestKeyframe(streamIndex: consumers[index].sourceStreamIndex, now: now, output: output)
        } else if let remote = consumers[index].remoteSource, let route = remote.route {
            output.fanOut.send(to: remote.worker) { worker, now in
                worker.handleRemoteKeyframeRequest(route: route, now: now)
            }
        }
    }

    /// PLI/FIR and NACKs from our peer about an m-line whose publisher is on another worker.
    /// NACKed numbers are mapped back to the publisher's here (the rewriter lives on this
    /// worker); the publisher's worker sends the stored packets back through the ring.
    func handleRemoteSourceFeedback(_ packet: RTCPPacket, streamIndex index: Int, now: MonotonicInstant,
                                    output: PacketOutput) {
        guard let remote = consumers[index].remoteSource, let route = remote.route else { return }
        if packet.isPictureLossIndication || packet.isFullIntraRequest {
            requestSourceKeyframe(streamIndex: index, now: now, output: output)
            return
        }
        guard packet.isGenericNACK, consumers[index].forwardedSSRC != nil else { return }
        let offset = consumers[index].sequence.currentOffset
        var wanted: [(outgoing: UInt16, original: UInt16)] = []
        try? RTCPGenericNACK.forEachLostSequenceNumber(in: packet) { outgoing in
            guard consumers[index].sequence.isCurrentMapping(outgoing) else { return }
            wanted.append((outgoing, outgoing &- offset))
        }
        guard !wanted.isEmpty else { return }
        let consumer = output.fanOut.workerIndex
        let subscriber = id
        let requests = wanted
        output.fanOut.send(to: remote.worker) { worker, _ in
            worker.handleRemoteRetransmission(
                route: route, consumer: consumer, subscriber: subscriber, subscriberStream: index, requests: requests)
        }
    }
}
