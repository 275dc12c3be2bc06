import DTLS
import ICE
import Logging
import RTP
import Synchronization
@_exported import MediaCore

/// The media plane: a fixed set of media workers (threads with their own UDP sockets) and the
/// DTLS certificate they share. The control plane creates transports through it; each transport
/// lives on one worker for its whole life.
///
/// Thread-safe: every method may be called from any thread or task.
public final class MediaEngine: Sendable {
    public let configuration: MediaConfiguration
    public let certificate: DTLSCertificate
    let workers: [MediaWorker]
    private let nextTransportID = Atomic<UInt64>(1)
    private let roundRobin = Atomic<Int>(0)
    private let logger: Logger
    /// Which worker each live transport is on (control plane only: bindings name publishers by
    /// id, and the subscriber's worker must know where the publisher runs).
    private let placements = Mutex<[UInt64: Int]>([:])

    /// Binds every worker's sockets. Call `start()` to run the workers.
    public convenience init(configuration: MediaConfiguration, certificate: DTLSCertificate? = nil, logger: Logger) throws {
        guard !configuration.iceAddresses.isEmpty else { throw MediaEngineError.noICEAddress }
        let workerCount =
            configuration.workerCount > 0
            ? configuration.workerCount : AvailableProcessors.count
        if configuration.lowPort != 0 {
            let available = Int(configuration.highPort) - Int(configuration.lowPort) + 1
            guard available >= workerCount else {
                throw MediaEngineError.portRangeTooSmall(needed: workerCount, available: max(0, available))
            }
        }
        var workers: [MediaWorker] = []
        do {
            for index in 0..<workerCount {
                let port = configuration.lowPort == 0 ? 0 : configuration.lowPort + UInt16(index)
                var sockets: [UDPSocket] = []
                for address in configuration.iceAddresses {
                    sockets.append(
                        try UDPSocket.bind(
                            address: address, port: port, receiveBuffer: configuration.socketReceiveBuffer,
                            sendBuffer: configuration.socketSendBuffer))
                }
                workers.append(
                    try MediaWorker(index: index, sockets: sockets, useGSO: configuration.udpGSO, logger: logger))
            }
        } catch {
            for worker in workers { worker.stop() }
            throw error
        }
        try self.init(configuration: configuration, workers: workers, certificate: certificate, logger: logger)
    }

    /// Wires `workers` (socket workers, or in-memory ones) together.
    init(configuration: MediaConfiguration, workers: [MediaWorker], certificate: DTLSCertificate?, logger: Logger) throws {
        self.configuration = configuration
        self.certificate = try certificate ?? DTLSCertificate.generateSelfSigned()
        self.logger = logger
        self.workers = workers
        CrossWorkerFanOut.connect(
            workers.map(\.core.fanOut), wakeUps: workers.map(\.core.wakeUp), commandQueues: workers.map(\.commands))
    }

    public func start() {
        for worker in workers { worker.start() }
        logger.info(
            "media plane up",
            metadata: [
                "workers": "\(workers.count)",
                "addresses": "\(workers.flatMap(\.localAddresses).map(\.description))",
            ])
    }

    /// Stops every worker; live transports send close_notify.
    public func shutdown() {
        for worker in workers { worker.stop() }
        for worker in workers { worker.core.fanOut.disconnect() }
    }

    /// Reserves a transport slot on a worker: our ICE credentials and host candidates, known
    /// before the SDP answer is written.
    public func allocateTransport() -> TransportAllocation {
        allocateTransport(workerIndex: roundRobin.add(1, ordering: .relaxed).oldValue % workers.count)
    }

    func allocateTransport(workerIndex: Int) -> TransportAllocation {
        let id = nextTransportID.add(1, ordering: .relaxed).oldValue
        placements.withLock { $0[id] = workerIndex }
        workers[workerIndex].placedTransports.add(1, ordering: .relaxed)
        let candidates = workers[workerIndex].localAddresses.map { address in
            let advertised = configuration.advertisedAddresses[address.ipString] ?? address.ipString
            return LocalCandidateAddress(address: advertised, port: address.port)
        }
        return TransportAllocation(
            id: id, workerIndex: workerIndex, localCredentials: .random(), candidates: candidates,
            fingerprint: certificate.fingerprint)
    }

    /// Starts the transport on its worker. `events` runs on the worker thread and must not block.
    public func startTransport(
        _ allocation: TransportAllocation, setup: TransportSetup,
        events: @escaping @Sendable (TransportEvent) -> Void
    ) {
        let certificate = self.certificate
        let consentTimeout = configuration.consentTimeout
        let slowLinkThreshold = configuration.slowLinkThreshold
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            worker.startTransport(
                id: allocation.id, localCredentials: allocation.localCredentials, certificate: certificate, setup: setup,
                consentTimeout: consentTimeout, slowLinkThreshold: slowLinkThreshold, now: now, events: events)
        }
    }

    /// ICE restart: the transport answers checks only with the new credentials from now on;
    /// DTLS and SRTP carry on. Returns the allocation with our new credentials (for the SDP).
    public func restartICE(_ allocation: TransportAllocation, remote: ICECredentials) -> TransportAllocation {
        let restarted = allocation.withLocalCredentials(.random())
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            guard let transport = worker.transport(id: allocation.id) else { return }
            let previous = transport.restartICE(local: restarted.localCredentials, remote: remote)
            worker.rekey(transport, oldUfrag: previous)
        }
        return restarted
    }

    /// A renegotiated stream list for a running transport (same ICE/DTLS/SRTP session): m-lines
    /// with known mids are updated in place, new ones start. Bindings stay as they were.
    public func updateTransport(_ allocation: TransportAllocation, setup: TransportSetup) {
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            worker.transport(id: allocation.id)?.renegotiate(setup, now: now, output: worker.output)
        }
    }

    /// Closes the transport (close_notify to the peer). No event follows.
    public func closeTransport(_ allocation: TransportAllocation) {
        if placements.withLock({ $0.removeValue(forKey: allocation.id) }) != nil {
            workers[allocation.workerIndex].placedTransports.subtract(1, ordering: .relaxed)
        }
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            worker.remove(transportID: allocation.id, now: now)
        }
    }

    /// The addresses (with ports) every worker listens on.
    public var listeningAddresses: [[String]] {
        workers.map { $0.localAddresses.map(\.description) }
    }

    /// Counters summed over the workers.
    public var statistics: MediaStatistics {
        var total = MediaStatistics()
        for worker in workers {
            total.datagramsReceived += worker.statistics.datagramsReceived.load(ordering: .relaxed)
            total.datagramsSent += worker.statistics.datagramsSent.load(ordering: .relaxed)
            total.datagramsDropped += worker.statistics.datagramsDropped.load(ordering: .relaxed)
            total.sendFailures += worker.statistics.sendFailures.load(ordering: .relaxed)
            total.transports += worker.statistics.transports.load(ordering: .relaxed)
            total.slotsHandedOff += worker.statistics.slotsHandedOff.load(ordering: .relaxed)
            total.slotsDelivered += worker.statistics.slotsDelivered.load(ordering: .relaxed)
            total.fanOutDrops += worker.statistics.fanOutDrops.load(ordering: .relaxed)
            total.slotsInUse += worker.core.fanOut.slab.slotsInUse
            total.liveTransportObjects += worker.statistics.liveTransportObjects.load(ordering: .relaxed)
            total.add(worker.statistics)
            total.stunErrorsSuppressed += worker.statistics.stunErrorsSuppressed.load(ordering: .relaxed)
        }
        return total
    }

    /// Per-worker counters and transports (admin info, placement checks in tests).
    public var workerStatistics: [WorkerSnapshot] {
        workers.map { worker in
            WorkerSnapshot(
                index: worker.index, addresses: worker.localAddresses.map(\.description),
                transports: worker.statistics.transports.load(ordering: .relaxed),
                datagramsReceived: worker.statistics.datagramsReceived.load(ordering: .relaxed),
                datagramsSent: worker.statistics.datagramsSent.load(ordering: .relaxed),
                slotsHandedOff: worker.statistics.slotsHandedOff.load(ordering: .relaxed),
                slotsDelivered: worker.statistics.slotsDelivered.load(ordering: .relaxed),
                fanOutDrops: worker.statistics.fanOutDrops.load(ordering: .relaxed),
                slotsInUse: worker.core.fanOut.slab.slotsInUse,
                busyNanoseconds: worker.statistics.busyNanoseconds.load(ordering: .relaxed))
        }
    }
}

/// One media worker's counters at a moment (relaxed reads: each figure is exact, the set is not
/// a consistent snapshot).
public struct WorkerSnapshot: Sendable, Equatable {
    public var index: Int
    public var addresses: [String]
    public var transports: Int
    public var datagramsReceived: Int
    public var datagramsSent: Int
    /// Slot references pushed to other workers (one per packet per consumer worker).
    public var slotsHandedOff: Int
    /// Slots received from other workers and forwarded here.
    public var slotsDelivered: Int
    /// Packets not handed to another worker (ring full or slab exhausted).
    public var fanOutDrops: Int
    /// Slab slots of this worker still held by consumers.
    public var slotsInUse: Int
    /// Time the worker's loop spent working (not waiting for datagrams), in nanoseconds.
    public var busyNanoseconds: Int = 0
}

public struct MediaStatistics: Sendable, Equatable {
    public var datagramsReceived = 0
    public var datagramsSent = 0
    public var datagramsDropped = 0
    public var sendFailures = 0
    public var transports = 0
    public var slotsHandedOff = 0
    public var slotsDelivered = 0
    public var fanOutDrops = 0
    public var slotsInUse = 0
    /// Transport objects not yet freed; equals `transports` once removed ones are released.
    public var liveTransportObjects = 0
    /// UDP payload bytes received, and queued to the kernel for sending.
    public var bytesReceived = 0
    public var bytesSent = 0
    /// Part of `fanOutDrops`: packets lost to an exhausted slab (the rest: a full ring).
    public var slabExhaustedDrops = 0
    /// SRTP/SRTCP packets dropped: tag not verified, replayed, anything else.
    public var srtpAuthenticationFailures = 0
    public var srtpReplays = 0
    public var srtpOtherDrops = 0
    /// Sequence numbers NACKed by peers, and by us to publishers.
    public var nacksReceived = 0
    public var nacksSent = 0
    /// Packets sent again in answer to NACKs.
    public var retransmissionsSent = 0
    /// PLI/FIR received from peers; PLIs sent to publishers.
    public var keyframeRequestsReceived = 0
    public var keyframeRequestsSent = 0
    /// Transports that died, by reason.
    public var failures: [TransportFailure: Int] = [:]
    /// STUN error responses dropped by the per-source rate limit.
    public var stunErrorsSuppressed = 0
    /// Subscriber bandwidth: layer ceilings the allocator changed, video pauses (not even the
    /// lowest layer fit), probes sent.
    public var bandwidthLayerChanges = 0
    public var bandwidthPauses = 0
    public var bandwidthProbes = 0
}

extension MediaEngine {
    /// Asks the peer behind the transport for keyframes on every video m-line (throttled).
    public func requestKeyframes(_ allocation: TransportAllocation) {
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            worker.transport(id: allocation.id)?.requestKeyframes(now: now, output: worker.output)
        }
    }
}

extension MediaEngine: RoomMediaPlane {
    /// Places a room's PeerConnection by `configuration.roomPlacement`: `.spread` (default) puts
    /// it on the worker with the fewest live transports, so a large room's per-subscriber work
    /// (rewrite, encrypt, send: nearly all of the forwarding cost) runs on every core and a
    /// publisher's packets reach other workers as slab references; `.together` keeps every
    /// transport of a room on one worker (no cross-thread hand-off; best for many small rooms).
    public func allocateTransport(room: RoomKey) -> TransportAllocation {
        switch configuration.roomPlacement {
        case .together:
            return allocateTransport(workerIndex: Int(room.value % UInt64(workers.count)))
        case .spread:
            let start = roundRobin.add(1, ordering: .relaxed).oldValue
            var best = start % workers.count
            for offset in 0..<workers.count {
                let candidate = (start + offset) % workers.count
                if workers[candidate].placedTransports.load(ordering: .relaxed) < workers[best].placedTransports.load(ordering: .relaxed) { best = candidate }
            }
            return allocateTransport(workerIndex: best)
        }
    }

    public var fingerprint: DTLSFingerprint { certificate.fingerprint }

    public func bindSubscriber(_ allocation: TransportAllocation, bindings: [SubscriberBinding]) {
        let resolved = placements.withLock { placements in
            bindings.map { binding in (binding: binding, publisherWorker: binding.source.flatMap { placements[$0.publisher] }) }
        }
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            worker.router.bindSubscriber(id: allocation.id, bindings: resolved, now: now)
        }
    }

    public func configurePublisher(_ allocation: TransportAllocation, settings: PublisherSettings) {
        workers[allocation.workerIndex].commands.enqueue { worker, _ in
            worker.transport(id: allocation.id)?.updateSettings(settings, output: worker.output)
        }
    }

    public func limitSubscriber(_ allocation: TransportAllocation, maximumBitrate: Int) {
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            worker.transport(id: allocation.id)?.setMaximumBitrate(maximumBitrate, now: now)
        }
    }

    public func requestKeyframe(publisher allocation: TransportAllocation, mid: String?) {
        workers[allocation.workerIndex].commands.enqueue { worker, now in
            guard let transport = worker.transport(id: allocation.id) else { return }
            if let mid {
                if let index = transport.streamIndex(mid: mid) {
                    transport.requestKeyframe(streamIndex: index, now: now, output: worker.output)
                }
            } else {
                transport.requestKeyframes(now: now, output: worker.output)
            }
        }
    }
}
