import RTP
import SFUBase

/// Binding consumers to producers. A producer on this worker is linked directly (its route
/// lists the consumer, the consumer's source names the producer); one on another worker through
/// a three-step exchange of commands:
/// the consumer's worker records the source with a fresh generation and asks the producer's
/// worker to send; that worker counts the subscription and replies with what the consumer
/// needs (the producer's m-line index, codec, extensions); the consumer's worker installs the
/// route only if the generation still matches (an unbind or rebind in between makes a late reply
/// harmless). Unbinding removes the local link first, so no slot still in a ring reaches a
/// consumer after its removal; slots carry route keys, never references, so a removed producer
/// or consumer leaves nothing dangling.
extension Router {
    /// Binds the m-lines of transport `id` as `bindings` say; each comes with the worker of its
    /// source's publisher (nil: unknown or gone).
    package func bindSubscriber(id: UInt64, bindings: [(binding: SubscriberBinding, publisherWorker: Int?)],
                        now: MonotonicInstant) {
        guard let subscriber = transport(id: id) else { return }
        for (binding, publisherWorker) in bindings {
            guard let index = subscriber.streamIndex(mid: binding.mid) else { continue }
            let consumer = StreamHandle(transport: subscriber.handle, stream: index)
            // The layer ceiling changes without a rebind: the consumer switches on the next keyframe.
            subscriber.consumers[index].layerCeiling = binding.substream
            subscriber.consumers[index].layerChoice?.ceiling = binding.substream
            subscriber.consumers[index].setTemporalCeiling(binding.temporal)
            subscriber.consumers[index].priority = binding.priority
            let fallback = binding.fallbackMicroseconds.map { UInt64($0) * 1_000 }
            subscriber.consumers[index].fallbackNanoseconds = fallback
            subscriber.consumers[index].layerChoice?.fallbackNanoseconds = fallback
            let current = source(of: consumer)
            let sendEnabled = subscriber.consumers[index].sendEnabled
            if let source = binding.source, let publisherWorker, publisherWorker != workerIndex {
                if case .remote(let remote) = current, remote.publisher == source.publisher, remote.mid == source.mid,
                    remote.worker == publisherWorker, sendEnabled == binding.send
                {
                    continue
                }
                unbind(consumer)
                bindRemote(consumer, source: source, publisherWorker: publisherWorker, send: binding.send)
                continue
            }
            var producer: StreamHandle?
            if let source = binding.source, let publisher = transport(id: source.publisher),
                let stream = publisher.streamIndex(mid: source.mid)
            {
                producer = StreamHandle(transport: publisher.handle, stream: stream)
            } else if binding.source != nil {
                logger.debug("binding \(binding.mid) of transport \(id) to unknown source \(String(describing: binding.source))")
            }
            let unchanged: Bool
            switch current {
            case .local(let linked): unchanged = linked == producer && sendEnabled == binding.send
            case .remote: unchanged = false
            case nil: unchanged = producer == nil && sendEnabled == binding.send
            }
            if unchanged { continue }
            unbind(consumer)
            guard let producer, binding.send else {
                // Paused, or nothing to send: not in any route, so nothing reaches the consumer
                // (and a NACK finds no source to answer from); resuming binds afresh.
                subscriber.consumers[index].sendEnabled = binding.send
                continue
            }
            connect(producer, to: consumer, now: now)
        }
    }

    /// Links local producer `producer` to consumer `consumer` and asks for a keyframe.
    func connect(_ producer: StreamHandle, to consumer: StreamHandle, now: MonotonicInstant) {
        guard let publisher = transport(producer.transport), let subscriber = transport(consumer.transport),
            publisher.producers.indices.contains(producer.stream), subscriber.consumers.indices.contains(consumer.stream)
        else { return }
        subscriber.consumers[consumer.stream].sendEnabled = true
        subscriber.consumers[consumer.stream].startLayers(count: publisher.producers[producer.stream].layers.count)
        let map = Self.extensionMap(
            from: publisher.producers[producer.stream].setup.extensions,
            to: subscriber.consumers[consumer.stream].setup.extensions,
            midRewritable: publisher.consumers[producer.stream].midValue.count
                == subscriber.consumers[consumer.stream].midValue.count)
        modifyRoute(of: producer) { route in
            route.local.removeAll { $0.consumer == consumer }
            route.local.append(LocalConsumerLink(consumer: consumer, extensionMap: map))
        }
        setSource(.local(producer), of: consumer)
        publisher.requestKeyframe(streamIndex: producer.stream, now: now, output: output)
    }

    /// Ends whatever feeds `consumer`: from now on no packet of its source reaches it (the
    /// producer's worker is told to stop counting it when it is elsewhere).
    func unbind(_ consumer: StreamHandle) {
        switch source(of: consumer) {
        case .local(let producer):
            modifyRoute(of: producer) { route in route.local.removeAll { $0.consumer == consumer } }
        case .remote(let remote):
            if let route = remote.route { removeRemoteConsumer(route: route, consumer: consumer) }
            if remote.subscribed {
                let from = workerIndex
                let source = SourceKey(publisher: remote.publisher, mid: remote.mid)
                fanOut.send(to: remote.worker) { worker, _ in
                    worker.router.releaseRemoteSubscription(source: source, consumer: from)
                }
            }
        case nil:
            break
        }
        setSource(nil, of: consumer)
        transport(consumer.transport)?.unbindSource(streamIndex: consumer.stream)
    }

    /// Publisher extension ids → subscriber ids for the URIs both negotiated; the rest is dropped
    /// (a subscriber must never see an id it did not agree to). The mid element is kept only when
    /// the subscriber's mid can replace the publisher's in place (same length).
    static func extensionMap(
        from publisher: [StreamExtension], to subscriber: [StreamExtension], midRewritable: Bool
    ) -> RTPHeaderExtensionIDMap {
        var mapping: [UInt8: UInt8] = [:]
        for published in publisher where midRewritable || published.uri != RTPExtensionURI.mid {
            if let wanted = subscriber.first(where: { $0.uri == published.uri }) { mapping[published.id] = wanted.id }
        }
        return RTPHeaderExtensionIDMap(mapping, dropUnlisted: true)
    }
}
