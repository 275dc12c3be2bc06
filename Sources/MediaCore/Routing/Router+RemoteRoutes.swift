import RTP
import SFUBase

/// Consumers fed by producers on other workers. The producer's worker keeps, per producer, the
/// consumer workers and how many subscriptions each has (`ProducerRoute.remoteWorkers`); each
/// consumer worker keeps, per route (publisher id, m-line), its consumers (`remoteRoutes`).
extension Router {
    /// What the publisher's worker tells a subscriber's worker when a subscription starts.
    struct PublisherStreamInfo: Sendable {
        var streamIndex: Int
        var codecName: String
        var extensions: [StreamExtension]
        var midLength: Int
        var layerCount: Int
    }

    // MARK: Consumer's worker

    /// Binds `consumer` to a producer on worker `publisherWorker` (the first step).
    func bindRemote(_ consumer: StreamHandle, source: SourceKey, publisherWorker: Int, send: Bool) {
        guard let subscriber = transport(consumer.transport) else { return }
        nextBindingGeneration &+= 1
        let generation = nextBindingGeneration
        setSource(
            .remote(
                RemoteSource(
                    worker: publisherWorker, publisher: source.publisher, mid: source.mid, generation: generation,
                    subscribed: send, publisherStream: nil)),
            of: consumer)
        subscriber.consumers[consumer.stream].sendEnabled = send
        guard send else { return }
        let from = workerIndex
        let subscriberID = subscriber.id
        let stream = consumer.stream
        fanOut.send(to: publisherWorker) { worker, now in
            worker.router.acceptRemoteSubscription(
                source: source, consumer: from, subscriber: subscriberID, subscriberStream: stream,
                generation: generation, now: now)
        }
    }

    /// The publisher's worker accepted a subscription: start delivering to the consumer (the third step).
    func attachRemote(route: RouteKey, info: PublisherStreamInfo, subscriber subscriberID: UInt64,
                      subscriberStream index: Int, generation: UInt64) {
        guard let subscriber = transport(id: subscriberID), subscriber.consumers.indices.contains(index) else { return }
        let consumer = StreamHandle(transport: subscriber.handle, stream: index)
        guard case .remote(var remote) = source(of: consumer), remote.generation == generation else { return }
        remote.publisherStream = route.stream
        setSource(.remote(remote), of: consumer)
        subscriber.consumers[index].startLayers(count: info.layerCount)
        let map = Self.extensionMap(
            from: info.extensions, to: subscriber.consumers[index].setup.extensions,
            midRewritable: info.midLength == subscriber.consumers[index].midValue.count)
        var entry = remoteRoutes[route] ?? RemoteRoute(codec: CodecFamily(codecName: info.codecName), consumers: [])
        entry.consumers.removeAll { $0.consumer == consumer }
        entry.consumers.append(LocalConsumerLink(consumer: consumer, extensionMap: map))
        remoteRoutes[route] = entry
    }

    func removeRemoteConsumer(route: RouteKey, consumer: StreamHandle) {
        guard var entry = remoteRoutes[route] else { return }
        entry.consumers.removeAll { $0.consumer == consumer }
        remoteRoutes[route] = entry.consumers.isEmpty ? nil : entry
    }

    /// A publisher on another worker went away: its consumers here stop (the control plane
    /// rebinds them as it sees fit).
    func closeRemoteRoutes(publisher: UInt64) {
        for route in remoteRoutes.keys where route.publisher == publisher {
            for link in remoteRoutes[route]?.consumers ?? [] {
                guard case .remote(let remote) = source(of: link.consumer), remote.publisher == publisher else { continue }
                setSource(nil, of: link.consumer)
                transport(link.consumer.transport)?.unbindSource(streamIndex: link.consumer.stream)
            }
            remoteRoutes.removeValue(forKey: route)
        }
    }

    // MARK: Producer's worker

    /// A consumer on worker `consumer` subscribes to a producer here (the second step).
    func acceptRemoteSubscription(source: SourceKey, consumer: Int, subscriber: UInt64, subscriberStream: Int,
                                  generation: UInt64, now: MonotonicInstant) {
        guard let publisher = transport(id: source.publisher), let index = publisher.streamIndex(mid: source.mid)
        else { return }
        modifyRoute(of: StreamHandle(transport: publisher.handle, stream: index)) { route in
            if let position = route.remoteWorkers.firstIndex(where: { $0.worker == consumer }) {
                route.remoteWorkers[position].subscriptions += 1
            } else {
                route.remoteWorkers.append(RemoteConsumer(worker: consumer, subscriptions: 1))
            }
        }
        let producer = publisher.producers[index]
        let info = PublisherStreamInfo(
            streamIndex: index, codecName: producer.setup.codecName, extensions: producer.setup.extensions,
            midLength: publisher.consumers[index].midValue.count, layerCount: producer.layers.count)
        let route = RouteKey(publisher: source.publisher, stream: index)
        fanOut.send(to: consumer) { worker, _ in
            worker.router.attachRemote(
                route: route, info: info, subscriber: subscriber, subscriberStream: subscriberStream,
                generation: generation)
        }
        publisher.requestKeyframe(streamIndex: index, now: now, output: output)
    }

    func releaseRemoteSubscription(source: SourceKey, consumer: Int) {
        guard let publisher = transport(id: source.publisher), let index = publisher.streamIndex(mid: source.mid)
        else { return }
        modifyRoute(of: StreamHandle(transport: publisher.handle, stream: index)) { route in
            guard let position = route.remoteWorkers.firstIndex(where: { $0.worker == consumer }) else { return }
            route.remoteWorkers[position].subscriptions -= 1
            if route.remoteWorkers[position].subscriptions <= 0 { route.remoteWorkers.remove(at: position) }
        }
    }

    /// Tells every consumer worker of `publisher`'s producers that it is gone.
    func announceRemovedProducers(of publisher: WebRTCTransport) {
        var workers = Set<Int>()
        for stream in publisher.producers.indices {
            let producer = StreamHandle(transport: publisher.handle, stream: stream)
            for remote in route(of: producer)?.remoteWorkers ?? [] { workers.insert(remote.worker) }
            modifyRoute(of: producer) { $0.remoteWorkers.removeAll() }
        }
        let id = publisher.id
        for worker in workers {
            fanOut.send(to: worker) { worker, _ in worker.router.closeRemoteRoutes(publisher: id) }
        }
    }
}
