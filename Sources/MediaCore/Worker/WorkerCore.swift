import DTLS
import ICE
import Logging
import RTP
import SFUBase

/// Everything one media worker does, without I/O: it is fed datagrams (with the socket they
/// came in on), commands and the loop's time, and writes datagrams into its `PacketOutput`.
/// It demultiplexes datagrams to transports (by 5-tuple; new addresses only through a STUN check
/// naming a transport's ufrag), runs their timers, and holds the `Router` that links producers
/// to consumers here and on other workers. The driver (`SFUMedia.MediaWorker`: sockets, polling,
/// a thread) or the in-memory test network runs it.
///
/// Confined to one thread at a time; other threads reach it only through `commands`.
package final class WorkerCore: @unchecked Sendable {
    /// How often transports get `handleTimers` (DTLS retransmission, consent, RTCP reports).
    package static let tickNanoseconds: UInt64 = 10_000_000
    /// Datagrams per receive batch (the driver's batched receive).
    package static let batchSize = 32

    package let index: Int
    package let commands: WorkerCommandQueue
    package let logger: Logger
    package let statistics: WorkerStatistics
    package let output: PacketOutput
    /// Slab, rings and wake-ups shared with the other workers (wired by the engine).
    package let fanOut: CrossWorkerFanOut
    package let wakeUp: WorkerWakeUp
    /// The worker's transports and who feeds whom among them and with other workers.
    package let router: Router
    /// The addresses and ports this worker's transports advertise (one per socket).
    package let localAddresses: [TransportAddress]
    /// Set by a command when the driver should stop its loop.
    package var stopRequested: Bool {
        get { stopFlag }
        set { stopFlag = newValue }
    }
    private var stopFlag = false
    /// Called when the last transport leaves (the driver gives idle memory back to the system).
    private let becameIdle: () -> Void

    private var transportsByUfrag: [String: WebRTCTransport] = [:]
    private var transportsByAddress: [TransportAddress: WebRTCTransport] = [:]
    private var lastTick = MonotonicInstant(nanoseconds: 0)
    private var dropLog: RateLimitedLog

    package init(index: Int, localAddresses: [TransportAddress], egress: any DatagramEgress, doorbell: any WorkerDoorbell,
                 unixTimeAtMonotonicZero: UInt64, statistics: WorkerStatistics, logger: Logger,
                 becameIdle: @escaping () -> Void = {}) {
        self.index = index
        self.localAddresses = localAddresses
        self.statistics = statistics
        var logger = logger
        logger[metadataKey: "worker"] = "\(index)"
        self.logger = logger
        self.commands = WorkerCommandQueue(doorbell: doorbell)
        self.wakeUp = WorkerWakeUp(doorbell: doorbell)
        self.fanOut = CrossWorkerFanOut(workerIndex: index, statistics: statistics)
        self.output = PacketOutput(
            egress: egress, socketCount: localAddresses.count, statistics: statistics,
            unixTimeAtMonotonicZero: unixTimeAtMonotonicZero)
        self.router = Router(
            workerIndex: index, output: output, fanOut: fanOut, statistics: statistics, logger: logger,
            batchSize: Self.batchSize)
        self.dropLog = RateLimitedLog(logger: logger, interval: 5)
        self.becameIdle = becameIdle
    }

    // MARK: Commands

    /// Creates and installs the transport of a PeerConnection (the engine's `startTransport`).
    package func startTransport(
        id: UInt64, localCredentials: ICECredentials, certificate: DTLSCertificate, setup: TransportSetup,
        consentTimeout: Double, slowLinkThreshold: Int, now: MonotonicInstant,
        events: @escaping @Sendable (TransportEvent) -> Void
    ) {
        do {
            let transport = try WebRTCTransport(
                id: id, localCredentials: localCredentials, certificate: certificate, setup: setup,
                consentTimeout: consentTimeout, slowLinkThreshold: slowLinkThreshold, now: now, logger: logger,
                events: events)
            install(transport)
        } catch {
            logger.error("cannot create transport \(id): \(error)")
            events(.failed(reason: .srtpStackError))
        }
    }

    package func install(_ transport: WebRTCTransport) {
        router.install(transport)
        transportsByUfrag[transport.localUfrag] = transport
        statistics.transports.add(1, ordering: .relaxed)
        statistics.liveTransportObjects.add(1, ordering: .relaxed)
        transport.countedIn = statistics
    }

    package func remove(transportID: UInt64, now: MonotonicInstant) {
        guard let transport = router.transport(id: transportID) else { return }
        transport.close(now: now, output: output)
        forget(transport)
        output.flushAll()
    }

    package func transport(id: UInt64) -> WebRTCTransport? { router.transport(id: id) }

    private func forget(_ transport: WebRTCTransport) {
        router.remove(transport)
        if transportsByUfrag[transport.localUfrag] === transport {
            transportsByUfrag.removeValue(forKey: transport.localUfrag)
        }
        for address in transport.knownAddresses where transportsByAddress[address] === transport {
            transportsByAddress.removeValue(forKey: address)
        }
        statistics.transports.subtract(1, ordering: .relaxed)
        if router.transportsByID.isEmpty { becameIdle() }
    }

    /// The transport's state, with the local address its selected pair uses.
    package func inspection(of transport: WebRTCTransport) -> TransportInspection {
        var inspection = transport.inspection()
        if inspection.selectedRemote != nil, localAddresses.indices.contains(transport.selectedSocket) {
            inspection.selectedLocal = localAddresses[transport.selectedSocket].description
        }
        return inspection
    }

    /// Re-keys the ufrag map after an ICE restart.
    package func rekey(_ transport: WebRTCTransport, oldUfrag: String) {
        if transportsByUfrag[oldUfrag] === transport { transportsByUfrag.removeValue(forKey: oldUfrag) }
        transportsByUfrag[transport.localUfrag] = transport
    }

    /// Closes every transport (close_notify) and drops every route: the worker is stopping.
    package func closeAll(now: MonotonicInstant) {
        for transport in router.transportsByID.values {
            transport.close(now: now, output: output)
        }
        output.flushAll()
        // Slots other workers handed us go back to their slabs.
        fanOut.drainInbound(limit: Int.max, scratch: router.inboundScratch) { _, _ in }
        router.removeAll()
        transportsByUfrag.removeAll()
        transportsByAddress.removeAll()
    }

    // MARK: Datagrams, time

    /// One datagram that arrived on socket `socketIndex` from `source` (call `finishReceiveBatch`
    /// after a batch of them). `buffer` must stay valid until then.
    package func receive(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from source: TransportAddress, socketIndex: Int,
        now: MonotonicInstant
    ) {
        let kind = DatagramKind.classify(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        if let transport = transportsByAddress[source] {
            transport.handleDatagram(
                buffer, length: length, kind: kind, from: source, socketIndex: socketIndex, now: now, output: output,
                router: router)
            return
        }
        // Unknown 5-tuple: only a STUN check naming one of our transports may introduce it (ICE).
        guard kind == .stun else {
            statistics.datagramsDropped.add(1, ordering: .relaxed)
            dropLog.note("dropped \(kind) datagram from unknown address \(source)", now: now)
            return
        }
        guard let ufrag = STUNMessage.peekLocalUfrag(UnsafeRawBufferPointer(rebasing: buffer[0..<length])),
            let transport = transportsByUfrag[ufrag]
        else {
            statistics.datagramsDropped.add(1, ordering: .relaxed)
            dropLog.note("dropped STUN from \(source) with unknown or missing USERNAME", now: now)
            return
        }
        transport.handleDatagram(
            buffer, length: length, kind: kind, from: source, socketIndex: socketIndex, now: now, output: output,
            router: router)
        if transport.knownAddresses.contains(source) {
            transportsByAddress[source] = transport
        }
    }

    /// After a batch of `receive` calls: the deferred local delivery, then out with everything,
    /// then a wake-up for workers that got slots. Must run before the received buffers are reused.
    package func finishReceiveBatch(now: MonotonicInstant) {
        router.forwardDeferred(now: now)
        output.flushAll()
        fanOut.wakeConsumers()
    }

    /// What the loop does on every turn after commands and receiving: packets other workers
    /// handed over, the timers when a tick is due, then out with everything.
    package func runPending(now: MonotonicInstant) {
        router.deliverInbound(now: now)
        if now.nanoseconds(since: lastTick) >= Self.tickNanoseconds {
            lastTick = now
            tick(now: now)
        }
        output.flushAll()
        fanOut.wakeConsumers()
    }

    private func tick(now: MonotonicInstant) {
        var failed: [WebRTCTransport] = []
        for transport in router.transportsByID.values {
            transport.handleTimers(now: now, output: output)
            if transport.isFinished { failed.append(transport) }
        }
        for transport in failed { forget(transport) }
    }
}
