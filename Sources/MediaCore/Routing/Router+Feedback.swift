import RTP
import SFUBase

/// Feedback from a consumer's peer about what we send it, taken to the producer that feeds it:
/// keyframe requests (PLI/FIR) become a throttled request to the producer's peer, NACKs are
/// answered from the producer's retransmission buffer. One path for every consumer: a room
/// subscriber, or an EchoTest peer consuming its own producer; for a producer on another
/// worker both travel as commands (never per forwarded packet).
extension Router {
    /// Asks the producer feeding `consumer` for a keyframe, wherever it lives: on simulcast layer
    /// `layer`, else on the layer the consumer forwards (every layer before it forwards one).
    func requestKeyframe(forConsumer consumer: StreamHandle, layer: Int? = nil, now: MonotonicInstant) {
        let wanted = layer ?? transport(consumer.transport)?.consumers[consumer.stream].layerChoice?.current
        switch source(of: consumer) {
        case .local(let producer):
            transport(producer.transport)?.requestKeyframe(streamIndex: producer.stream, layer: wanted, now: now, output: output)
        case .remote(let remote):
            guard let route = remote.route else { return }
            fanOut.send(to: remote.worker) { worker, now in
                worker.router.handleRemoteKeyframeRequest(route: route, layer: wanted, now: now)
            }
        case nil:
            break
        }
    }

    /// A NACK from `consumer`'s peer: the packets it names go out again if this consumer sent
    /// them under the current numbering and its producer still has them.
    func answerNACK(_ nack: RTCPPacket, consumer: StreamHandle, now: MonotonicInstant) {
        guard let subscriber = transport(consumer.transport) else { return }
        switch source(of: consumer) {
        case .local(let producer):
            // The consumer's numbers map onto the layer it forwards now.
            guard let publisher = transport(producer.transport),
                let ssrc = subscriber.consumers[consumer.stream].forwardedSSRC,
                let layer = publisher.producers[producer.stream].layer(ofSSRC: ssrc),
                let buffer = publisher.producers[producer.stream].layers[layer].retransmissions,
                let link = route(of: producer)?.local.first(where: { $0.consumer == consumer })
            else { return }
            subscriber.retransmit(nack, streamIndex: consumer.stream, from: buffer, map: link.extensionMap, output: output)
        case .remote(let remote):
            guard let route = remote.route else { return }
            // Mapped back to the producer's numbers here (the rewriter lives on this worker);
            // the producer's worker sends the stored packets back through the ring.
            let requests = subscriber.originalSequenceNumbers(nackedIn: nack, streamIndex: consumer.stream)
            guard !requests.isEmpty, let ssrc = subscriber.consumers[consumer.stream].forwardedSSRC else { return }
            let from = workerIndex
            let subscriberID = subscriber.id
            let stream = consumer.stream
            fanOut.send(to: remote.worker) { worker, _ in
                worker.router.handleRemoteRetransmission(
                    route: route, ssrc: ssrc, consumer: from, subscriber: subscriberID, subscriberStream: stream,
                    requests: requests)
            }
        case nil:
            break
        }
    }

    /// Whether `consumer` is fed by a producer of its own transport (an EchoTest peer): then its
    /// peer's bandwidth estimate is the only receiver's, and goes back to the producer's peer.
    func consumesOwnProducer(_ consumer: StreamHandle) -> Bool {
        if case .local(let producer) = source(of: consumer) { return producer.transport == consumer.transport }
        return false
    }

    // MARK: Commands from consumers' workers

    func handleRemoteKeyframeRequest(route: RouteKey, layer: Int?, now: MonotonicInstant) {
        guard let publisher = transport(id: route.publisher), publisher.producers.indices.contains(route.stream) else { return }
        publisher.requestKeyframe(streamIndex: route.stream, layer: layer, now: now, output: output)
    }

    /// Copies the stored packets a consumer on worker `consumer` NACKed into slots for it.
    func handleRemoteRetransmission(route: RouteKey, ssrc: UInt32, consumer: Int, subscriber: UInt64,
                                    subscriberStream: Int, requests: [(outgoing: UInt16, original: UInt16)]) {
        guard let publisher = transport(id: route.publisher), publisher.producers.indices.contains(route.stream),
            let layer = publisher.producers[route.stream].layer(ofSSRC: ssrc),
            let buffer = publisher.producers[route.stream].layers[layer].retransmissions
        else { return }
        let target = [RemoteConsumer(worker: consumer, subscriptions: 1)]
        for request in requests {
            guard let stored = buffer.packet(sequenceNumber: request.original), stored.count <= PacketSlab.slotBytes,
                let slot = fanOut.slab.allocate()
            else { continue }
            fanOut.slab.buffer(slot).copyMemory(from: UnsafeRawBufferPointer(stored))
            let header = fanOut.slab.header(slot)
            header.pointee = SlotHeader(
                kind: .retransmission, length: stored.count, route: route, subscriber: subscriber,
                subscriberStream: subscriberStream, outgoingSequence: request.outgoing)
            target.withUnsafeBufferPointer { fanOut.publish(slot, to: $0) }
        }
        fanOut.wakeConsumers()
    }
}
