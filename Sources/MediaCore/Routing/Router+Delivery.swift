import RTP
import SFUBase

/// The packet path through the router: a producer's packet goes to its consumers on this worker
/// (at the end of the receive batch) and, as one slab copy, to every other worker with consumers
/// of it; packets handed over by other workers go to their consumers here. Both end in the same
/// delivery loop, consumer by consumer, so each consumer's datagrams sit next to each other in
/// the send batch (one UDP GSO send).
extension Router {
    /// A producer's packet, decrypted and numbered as it is forwarded, ready for its consumers.
    @inline(__always)
    func publish(_ packet: RTPPacket, from producer: StreamHandle, layer: UInt8, liveLayers: UInt8, publisherID: UInt64) {
        guard let route = route(of: producer) else { return }
        if !route.local.isEmpty {
            pendingLocal.append(
                PendingForward(producer: producer, packet: DeliveredPacket(packet: packet, layer: layer, liveLayers: liveLayers)))
            pendingDone.append(false)
        }
        if !route.remoteWorkers.isEmpty {
            let key = RouteKey(publisher: publisherID, stream: producer.stream)
            let bytes = UnsafeRawBufferPointer(rebasing: packet.buffer[0..<packet.length])
            route.remoteWorkers.withUnsafeBufferPointer { workers in
                fanOut.handOff(bytes, route: key, layer: layer, liveLayers: liveLayers, consumers: workers)
            }
        }
    }

    /// Delivers the batch's packets to consumers on this worker: producer by producer in order
    /// of first appearance, each producer's packets in order. Must run before the receive
    /// buffers are reused.
    func forwardDeferred(now: MonotonicInstant) {
        let count = pendingLocal.count
        guard count > 0 else { return }
        for first in 0..<count where !pendingDone[first] {
            let producer = pendingLocal[first].producer
            var gathered = 0
            for position in first..<count where !pendingDone[position] && pendingLocal[position].producer == producer {
                pendingDone[position] = true
                deliveryPackets.initializeElement(at: gathered, to: pendingLocal[position].packet)
                gathered += 1
                if gathered == deliveryPackets.count {
                    deliverLocal(gathered, from: producer, now: now)
                    gathered = 0
                }
            }
            if gathered > 0 { deliverLocal(gathered, from: producer, now: now) }
        }
        pendingLocal.removeAll(keepingCapacity: true)
        pendingDone.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private func deliverLocal(_ count: Int, from producer: StreamHandle, now: MonotonicInstant) {
        guard let route = route(of: producer), !route.local.isEmpty else { return }
        var codec = CodecFamily.other
        withTransport(producer.transport) { codec = $0.producers[producer.stream].codec }
        deliver(UnsafeBufferPointer(rebasing: deliveryPackets[0..<count]), codec: codec, to: route.local, now: now)
    }

    /// The delivery loop: every packet to every consumer, consumer by consumer. A consumer that
    /// cannot start without a keyframe gets one asked of its source.
    @inline(__always)
    func deliver(_ packets: UnsafeBufferPointer<DeliveredPacket>, codec: CodecFamily, to consumers: [LocalConsumerLink],
                 now: MonotonicInstant) {
        for link in consumers {
            var keyframeLayer: Int?
            withTransport(link.consumer.transport) { subscriber in
                for delivered in packets {
                    if let layer = subscriber.forward(
                        delivered.packet, layer: Int(delivered.layer), liveLayers: delivered.liveLayers,
                        streamIndex: link.consumer.stream, map: link.extensionMap, codec: codec, now: now, output: output)
                    {
                        keyframeLayer = layer
                    }
                }
            }
            if let layer = keyframeLayer { requestKeyframe(forConsumer: link.consumer, layer: layer, now: now) }
        }
    }

    /// Delivers the slots other workers handed us: runs of one route parsed once, then through
    /// the delivery loop.
    package func deliverInbound(now: MonotonicInstant) {
        let packets = deliveryPackets
        fanOut.drainInbound(limit: min(inboundScratch.count, packets.count), scratch: inboundScratch) { slab, slots in
            var start = 0
            while start < slots.count {
                let first = slab.header(slots[start])
                if first.pointee.kind == .retransmission {
                    deliverRetransmission(slab: slab, slot: slots[start])
                    statistics.slotsDelivered.add(1, ordering: .relaxed)
                    start += 1
                    continue
                }
                let key = first.pointee.route
                var end = start + 1
                while end < slots.count, slab.header(slots[end]).pointee.kind == .media,
                    slab.header(slots[end]).pointee.route == key
                {
                    end += 1
                }
                if let route = remoteRoutes[key] {
                    var parsed = 0
                    for position in start..<end {
                        let slot = slots[position]
                        let header = slab.header(slot)
                        guard let packet = try? RTPPacket(buffer: slab.buffer(slot), length: header.pointee.length)
                        else { continue }
                        packets.initializeElement(
                            at: parsed,
                            to: DeliveredPacket(packet: packet, layer: header.pointee.layer, liveLayers: header.pointee.liveLayers))
                        parsed += 1
                    }
                    deliver(UnsafeBufferPointer(rebasing: packets[0..<parsed]), codec: route.codec, to: route.consumers, now: now)
                }
                statistics.slotsDelivered.add(end - start, ordering: .relaxed)
                start = end
            }
        }
    }

    /// A stored packet the producer's worker sent back for one consumer's NACK.
    private func deliverRetransmission(slab: PacketSlab, slot: Int) {
        let header = slab.header(slot).pointee
        guard let subscriber = transport(id: header.subscriber),
            subscriber.consumers.indices.contains(header.subscriberStream)
        else { return }
        let consumer = StreamHandle(transport: subscriber.handle, stream: header.subscriberStream)
        guard case .remote(let remote) = source(of: consumer), remote.route == header.route,
            let link = remoteRoutes[header.route]?.consumers.first(where: { $0.consumer == consumer }),
            let original = try? RTPPacket(buffer: slab.buffer(slot), length: header.length)
        else { return }
        subscriber.resend(original, streamIndex: header.subscriberStream, outgoing: header.outgoingSequence,
                          map: link.extensionMap, output: output)
    }
}
