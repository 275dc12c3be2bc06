import RTP
import SFUBase

/// Who feeds whom on this worker. Publisher m-lines hold unretained references to subscriber
/// transports and the other way round; every change goes through here so that a transport is
/// unlinked from all its peers before the worker releases it.
extension MediaWorker {
    /// `bindings` come with the worker of each source's publisher (nil: unknown or gone);
    /// sources on another worker are fed through the cross-worker rings (MediaWorker+FanOut).
    func bindSubscriber(id: UInt64, bindings: [(binding: SubscriberBinding, publisherWorker: Int?)],
                        now: MonotonicInstant) {
        guard let subscriber = transport(id: id) else { return }
        for (binding, publisherWorker) in bindings {
            guard let index = subscriber.streamIndex(mid: binding.mid) else { continue }
            if let source = binding.source, let publisherWorker, publisherWorker != self.index {
                let current = subscriber.consumers[index]
                if let remote = current.remoteSource, remote.publisher == source.publisher, remote.mid == source.mid,
                    remote.worker == publisherWorker, current.sendEnabled == binding.send
                {
                    continue
                }
                if let previous = current.sourceTransport {
                    previous.removeTarget(subscriber: subscriber, streamIndex: index)
                }
                unbindRemote(subscriber, streamIndex: index)
                subscriber.unbindSource(streamIndex: index)
                bindRemote(subscriber, streamIndex: index, source: source, publisherWorker: publisherWorker,
                           send: binding.send)
                continue
            }
            var publisher: WebRTCTransport?
            var publisherStream: Int?
            if let source = binding.source, let candidate = transport(id: source.publisher),
                let candidateStream = candidate.streamIndex(mid: source.mid)
            {
                publisher = candidate
                publisherStream = candidateStream
            } else if binding.source != nil {
                logger.debug("binding \(binding.mid) of transport \(id) to unknown source \(String(describing: binding.source))")
            }
            let current = subscriber.consumers[index]
            let unchanged =
                current.remoteSource == nil && current.sourceTransport === publisher && (publisher == nil || current.sourceStreamIndex == publisherStream)
                && current.sendEnabled == binding.send
            if unchanged { continue }
            if let previous = current.sourceTransport {
                previous.removeTarget(subscriber: subscriber, streamIndex: index)
            }
            unbindRemote(subscriber, streamIndex: index)
            subscriber.unbindSource(streamIndex: index)
            guard let publisher, let publisherStream else {
                subscriber.consumers[index].sendEnabled = binding.send
                continue
            }
            guard binding.send else {
                // Paused: no reference to the publisher is kept. Only a consumer in the publisher's
                // targets is unlinked when the publisher goes (`unlink`), so a paused one holding an
                // unowned reference would dangle; resuming binds afresh.
                subscriber.consumers[index].sendEnabled = false
                continue
            }
            subscriber.bindSource(streamIndex: index, publisher: publisher, publisherStream: publisherStream, send: true)
            let map = Self.extensionMap(
                from: publisher.producers[publisherStream].setup.extensions, to: subscriber.producers[index].setup.extensions,
                midRewritable: publisher.consumers[publisherStream].midValue.count == subscriber.consumers[index].midValue.count)
            publisher.addTarget(
                ForwardTarget(subscriber: subscriber, streamIndex: index, extensionMap: map), toStream: publisherStream)
            publisher.requestKeyframe(streamIndex: publisherStream, now: now, output: output)
        }
    }

    /// Unlinks `transport` from every publisher feeding it and every subscriber it feeds.
    func unlink(_ transport: WebRTCTransport) {
        for index in transport.producers.indices {
            unbindRemote(transport, streamIndex: index)
            if let publisher = transport.consumers[index].sourceTransport {
                publisher.removeTarget(subscriber: transport, streamIndex: index)
                transport.unbindSource(streamIndex: index)
            }
            for target in transport.producers[index].targets {
                target.subscriber.unbindSource(streamIndex: target.streamIndex)
            }
            transport.producers[index].targets.removeAll()
        }
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
