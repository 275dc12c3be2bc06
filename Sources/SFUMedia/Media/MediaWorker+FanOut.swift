import RTP
import SFUBase

/// Forwarding across workers. The routing tables change only in commands run on the worker that
/// owns them, so the packet path reads them without locks:
/// - the publisher's worker keeps, per publisher m-line, the consumer workers and how many
///   subscriptions each has (`Producer.remoteConsumers`);
/// - each consumer worker keeps, per route (publisher id, m-line), its local subscriber targets
///   (`remoteRoutes`).
///
/// Binding is a three-step exchange: the subscriber's worker records the source with a fresh
/// generation and asks the publisher's worker to send; that worker counts the subscription and
/// replies with what the subscriber needs (the publisher's m-line index, codec, extensions); the
/// subscriber's worker installs the target only if the generation still matches (an unbind or
/// rebind in between makes a late reply harmless). Unbinding removes the local target first, so
/// no slot still in a ring reaches a subscriber after its removal; slots carry route keys, never
/// transport references, so a removed publisher or subscriber leaves nothing dangling.
extension MediaWorker {
    /// Local subscribers of one remote publisher m-line.
    struct RemoteRoute {
        var codec: CodecFamily
        var targets: [ForwardTarget]
    }

    /// What the publisher's worker tells a subscriber's worker when a subscription starts.
    struct PublisherStreamInfo: Sendable {
        var streamIndex: Int
        var codecName: String
        var extensions: [StreamExtension]
        var midLength: Int
    }

    // MARK: Subscriber's worker

    /// Binds subscriber m-line `index` to a publisher m-line on worker `publisherWorker`.
    func bindRemote(_ subscriber: WebRTCTransport, streamIndex index: Int, source: SourceKey, publisherWorker: Int,
                    send: Bool) {
        nextBindingGeneration &+= 1
        let generation = nextBindingGeneration
        subscriber.consumers[index].remoteSource = RemoteSource(
            worker: publisherWorker, publisher: source.publisher, mid: source.mid, generation: generation,
            subscribed: send, publisherStream: nil)
        subscriber.consumers[index].sendEnabled = send
        guard send else { return }
        let consumer = self.index
        let subscriberID = subscriber.id
        fanOut.send(to: publisherWorker) { worker, now in
            worker.acceptRemoteSubscription(
                source: source, consumer: consumer, subscriber: subscriberID, subscriberStream: index,
                generation: generation, now: now)
        }
    }

    /// Ends the remote binding of subscriber m-line `index` (if any): from now on no packet of
    /// that source reaches it, and the publisher's worker is told to stop counting it.
    func unbindRemote(_ subscriber: WebRTCTransport, streamIndex index: Int) {
        guard let remote = subscriber.consumers[index].remoteSource else { return }
        if let route = remote.route { removeRemoteTarget(route: route, subscriber: subscriber, streamIndex: index) }
        subscriber.consumers[index].remoteSource = nil
        subscriber.unbindSource(streamIndex: index)
        guard remote.subscribed else { return }
        let consumer = self.index
        let source = SourceKey(publisher: remote.publisher, mid: remote.mid)
        fanOut.send(to: remote.worker) { worker, _ in
            worker.releaseRemoteSubscription(source: source, consumer: consumer)
        }
    }

    private func removeRemoteTarget(route: RouteKey, subscriber: WebRTCTransport, streamIndex: Int) {
        guard var entry = remoteRoutes[route] else { return }
        entry.targets.removeAll { $0.subscriber === subscriber && $0.streamIndex == streamIndex }
        remoteRoutes[route] = entry.targets.isEmpty ? nil : entry
    }

    /// The publisher's worker accepted a subscription: start delivering to the subscriber.
    func attachRemote(route: RouteKey, info: PublisherStreamInfo, subscriber subscriberID: UInt64,
                      subscriberStream index: Int, generation: UInt64) {
        guard let subscriber = transport(id: subscriberID), subscriber.producers.indices.contains(index),
            var remote = subscriber.consumers[index].remoteSource, remote.generation == generation
        else { return }
        remote.publisherStream = route.stream
        subscriber.consumers[index].remoteSource = remote
        let map = Self.extensionMap(
            from: info.extensions, to: subscriber.producers[index].setup.extensions,
            midRewritable: info.midLength == subscriber.consumers[index].midValue.count)
        var entry = remoteRoutes[route] ?? RemoteRoute(codec: CodecFamily(codecName: info.codecName), targets: [])
        entry.targets.removeAll { $0.subscriber === subscriber && $0.streamIndex == index }
        entry.targets.append(ForwardTarget(subscriber: subscriber, streamIndex: index, extensionMap: map))
        remoteRoutes[route] = entry
    }

    /// A publisher on another worker went away: its subscribers here stop (the control plane
    /// rebinds them as it sees fit).
    func closeRemoteRoutes(publisher: UInt64) {
        for route in remoteRoutes.keys where route.publisher == publisher {
            for target in remoteRoutes[route]?.targets ?? [] {
                let index = target.streamIndex
                guard target.subscriber.consumers[index].remoteSource?.publisher == publisher else { continue }
                target.subscriber.consumers[index].remoteSource = nil
                target.subscriber.unbindSource(streamIndex: index)
            }
            remoteRoutes.removeValue(forKey: route)
        }
    }

    /// Forwards the slots another worker handed us: runs of one route go subscriber by
    /// subscriber, so each subscriber's datagrams sit next to each other in the send batch.
    func deliverInbound(now: MonotonicInstant) {
        let scratch = inboundScratch
        let packets = inboundPackets
        fanOut.drainInbound(limit: MediaWorker.batchSize, scratch: scratch) { slab, slots in
            var start = 0
            while start < slots.count {
                let first = slab.header(slots[start])
                if first.pointee.kind == .retransmission {
                    deliverRetransmission(slab: slab, slot: slots[start], now: now)
                    statistics.slotsDelivered.add(1, ordering: .relaxed)
                    start += 1
                    continue
                }
                let route = first.pointee.route
                var end = start + 1
                while end < slots.count, slab.header(slots[end]).pointee.kind == .media,
                    slab.header(slots[end]).pointee.route == route
                {
                    end += 1
                }
                if let entry = remoteRoutes[route] {
                    // Parsed once per packet, then forwarded subscriber by subscriber.
                    var parsed = 0
                    for position in start..<end {
                        let slot = slots[position]
                        guard let packet = try? RTPPacket(buffer: slab.buffer(slot), length: slab.header(slot).pointee.length)
                        else { continue }
                        packets.initializeElement(at: parsed, to: packet)  // slots.count ≤ batchSize
                        parsed += 1
                    }
                    for target in entry.targets {
                        for index in 0..<parsed {
                            target.subscriber.forward(packets[index], target: target, codec: entry.codec, now: now, output: output)
                        }
                    }
                }
                statistics.slotsDelivered.add(end - start, ordering: .relaxed)
                start = end
            }
        }
    }

    private func deliverRetransmission(slab: PacketSlab, slot: Int, now: MonotonicInstant) {
        let header = slab.header(slot).pointee
        guard let subscriber = transport(id: header.subscriber), subscriber.producers.indices.contains(header.subscriberStream),
            subscriber.consumers[header.subscriberStream].remoteSource?.route == header.route,
            let target = remoteRoutes[header.route]?.targets.first(where: {
                $0.subscriber === subscriber && $0.streamIndex == header.subscriberStream
            }),
            let outbound = subscriber.outbound, let destination = subscriber.selectedAddress,
            let original = try? RTPPacket(buffer: slab.buffer(slot), length: header.length)
        else { return }
        subscriber.resend(original, streamIndex: header.subscriberStream, outgoing: header.outgoingSequence,
                          map: target.extensionMap, outbound: outbound, destination: destination, output: output)
    }

    // MARK: Publisher's worker

    func acceptRemoteSubscription(source: SourceKey, consumer: Int, subscriber: UInt64, subscriberStream: Int,
                                  generation: UInt64, now: MonotonicInstant) {
        guard let publisher = transport(id: source.publisher), let index = publisher.streamIndex(mid: source.mid)
        else { return }
        if let position = publisher.producers[index].remoteConsumers.firstIndex(where: { $0.worker == consumer }) {
            publisher.producers[index].remoteConsumers[position].subscriptions += 1
        } else {
            publisher.producers[index].remoteConsumers.append(RemoteConsumer(worker: consumer, subscriptions: 1))
        }
        let producer = publisher.producers[index]
        let info = PublisherStreamInfo(
            streamIndex: index, codecName: producer.setup.codecName, extensions: producer.setup.extensions,
            midLength: publisher.consumers[index].midValue.count)
        let route = RouteKey(publisher: source.publisher, stream: index)
        fanOut.send(to: consumer) { worker, _ in
            worker.attachRemote(
                route: route, info: info, subscriber: subscriber, subscriberStream: subscriberStream,
                generation: generation)
        }
        publisher.requestKeyframe(streamIndex: index, now: now, output: output)
    }

    func releaseRemoteSubscription(source: SourceKey, consumer: Int) {
        guard let publisher = transport(id: source.publisher), let index = publisher.streamIndex(mid: source.mid),
            let position = publisher.producers[index].remoteConsumers.firstIndex(where: { $0.worker == consumer })
        else { return }
        publisher.producers[index].remoteConsumers[position].subscriptions -= 1
        if publisher.producers[index].remoteConsumers[position].subscriptions <= 0 {
            publisher.producers[index].remoteConsumers.remove(at: position)
        }
    }

    /// Tells every consumer worker of `publisher`'s m-lines that it is gone.
    func announceRemovedPublisher(_ publisher: WebRTCTransport) {
        var consumers = Set<Int>()
        for index in publisher.producers.indices {
            for consumer in publisher.producers[index].remoteConsumers { consumers.insert(consumer.worker) }
            publisher.producers[index].remoteConsumers.removeAll()
        }
        let id = publisher.id
        for consumer in consumers {
            fanOut.send(to: consumer) { worker, _ in worker.closeRemoteRoutes(publisher: id) }
        }
    }

    func handleRemoteKeyframeRequest(route: RouteKey, now: MonotonicInstant) {
        guard let publisher = transport(id: route.publisher), publisher.producers.indices.contains(route.stream) else { return }
        publisher.requestKeyframe(streamIndex: route.stream, now: now, output: output)
    }

    /// Copies the stored packets a subscriber on `consumer` NACKed into slots for it.
    func handleRemoteRetransmission(route: RouteKey, consumer: Int, subscriber: UInt64, subscriberStream: Int,
                                    requests: [(outgoing: UInt16, original: UInt16)]) {
        guard let publisher = transport(id: route.publisher), publisher.producers.indices.contains(route.stream),
            let buffer = publisher.producers[route.stream].retransmissions
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
