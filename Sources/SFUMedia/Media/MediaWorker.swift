import CSFUSystem
import Dispatch
import Glibc
import ICE
import Logging
import RTP
import SFUBase
import Synchronization

/// One media thread: owns its UDP sockets and every transport assigned to it, and loops
/// `epoll_wait` → `recvmmsg` → demux → transport → batched `sendmmsg`.
///
/// All mutable state below is confined to the worker thread; other threads reach it only through
/// `commands` (closures run on the worker thread). Nothing on the packet path locks or allocates.
final class MediaWorker: @unchecked Sendable {
    /// How often transports get `handleTimers` (DTLS retransmission, consent, RTCP reports).
    static let tickNanoseconds: UInt64 = 10_000_000
    static let batchSize = 32

    let index: Int
    let sockets: [UDPSocket]
    let commands: WorkerCommandQueue
    let logger: Logger
    let statistics = WorkerStatistics()
    /// Transports the engine placed here and has not closed (control plane, for placement).
    let placedTransports = Atomic<Int>(0)

    // Worker-thread state.
    /// The worker's transports and who feeds whom among them and with other workers.
    let router: Router
    private var transportsByUfrag: [String: WebRTCTransport] = [:]
    private var transportsByAddress: [TransportAddress: WebRTCTransport] = [:]
    private let receiveBatch = DatagramBatch(capacity: MediaWorker.batchSize)
    let output: PacketOutput
    /// Slab, rings and wake-ups shared with the other workers (wired by the engine).
    let fanOut: CrossWorkerFanOut
    let wakeUp: WorkerWakeUp
    private var stopping = false
    private var lastTick = MonotonicInstant(nanoseconds: 0)
    private var dropLog: RateLimitedLog

    private let finished = Mutex<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    /// A worker on bound UDP sockets, run by its own thread (`start()`).
    convenience init(index: Int, sockets: [UDPSocket], useGSO: Bool = true, logger: Logger) throws {
        try self.init(
            index: index, sockets: sockets, localAddresses: sockets.map(\.localAddress), egress: .sockets(sockets),
            useGSO: useGSO, unixTimeAtMonotonicZero: Self.unixTimeAtMonotonicZero(), logger: logger)
    }

    /// A worker without sockets or thread, for the in-memory network harness: it pretends to
    /// listen on `localAddresses`, hands every datagram it sends to `deliver`, and is driven by
    /// the caller (`drive…` methods) on the caller's clock.
    convenience init(
        index: Int, localAddresses: [TransportAddress], unixTimeAtMonotonicZero: UInt64, logger: Logger,
        deliver: @escaping @Sendable (Int, TransportAddress, UnsafeRawBufferPointer) -> Void
    ) throws {
        try self.init(
            index: index, sockets: [], localAddresses: localAddresses,
            egress: .memory(socketCount: localAddresses.count, deliver), useGSO: false,
            unixTimeAtMonotonicZero: unixTimeAtMonotonicZero, logger: logger)
    }

    private init(index: Int, sockets: [UDPSocket], localAddresses: [TransportAddress], egress: DatagramEgress,
                 useGSO: Bool, unixTimeAtMonotonicZero: UInt64, logger: Logger) throws {
        self.index = index
        self.sockets = sockets
        self.localAddresses = localAddresses
        self.commands = try WorkerCommandQueue()
        var logger = logger
        logger[metadataKey: "worker"] = "\(index)"
        self.logger = logger
        self.fanOut = CrossWorkerFanOut(workerIndex: index, statistics: statistics)
        self.wakeUp = WorkerWakeUp(eventDescriptor: commands.eventDescriptor)
        self.output = PacketOutput(
            egress: egress, statistics: statistics, fanOut: fanOut, useGSO: useGSO,
            unixTimeAtMonotonicZero: unixTimeAtMonotonicZero)
        self.dropLog = RateLimitedLog(logger: logger, interval: 5)
        self.router = Router(
            workerIndex: index, output: output, fanOut: fanOut, statistics: statistics, logger: logger,
            batchSize: Self.batchSize)
    }

    /// Unix time at monotonic zero, read once when a socket worker is made (the driver's one
    /// look at the wall clock; the core only ever sees monotonic instants).
    private static func unixTimeAtMonotonicZero() -> UInt64 {
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let unix = UInt64(realtime.tv_sec) &* 1_000_000_000 &+ UInt64(realtime.tv_nsec)
        return unix &- MonotonicInstant.now().nanoseconds
    }

    /// The addresses and ports this worker's transports advertise.
    let localAddresses: [TransportAddress]

    func start() {
        started.store(true, ordering: .releasing)
        do {
            try WorkerThread.start(name: "sfu-media-\(index)", stackSize: 1 << 20) { [self] in
                self.run()
                self.exited.signal()
            }
        } catch {
            started.store(false, ordering: .releasing)
            logger.critical("media worker not started: \(error)")
        }
    }

    /// Stops the loop, closes every transport (close_notify) and the sockets; waits for the thread.
    func stop() {
        let alreadyFinished = finished.withLock { done -> Bool in
            defer { done = true }
            return done
        }
        guard !alreadyFinished else { return }
        commands.enqueue { worker, _ in worker.stopping = true }
        if started.load(ordering: .acquiring) { exited.wait() }
        for socket in sockets { socket.close() }
    }

    // MARK: Commands (run on the worker thread)

    func install(_ transport: WebRTCTransport) {
        router.install(transport)
        transportsByUfrag[transport.localUfrag] = transport
        statistics.transports.add(1, ordering: .relaxed)
        statistics.liveTransportObjects.add(1, ordering: .relaxed)
        transport.countedIn = statistics
    }

    func remove(transportID: UInt64, now: MonotonicInstant) {
        guard let transport = router.transport(id: transportID) else { return }
        transport.close(now: now, output: output)
        forget(transport)
        output.flushAll()
    }

    func transport(id: UInt64) -> WebRTCTransport? { router.transport(id: id) }

    private func forget(_ transport: WebRTCTransport) {
        router.remove(transport)
        if transportsByUfrag[transport.localUfrag] === transport {
            transportsByUfrag.removeValue(forKey: transport.localUfrag)
        }
        for address in transport.knownAddresses where transportsByAddress[address] === transport {
            transportsByAddress.removeValue(forKey: address)
        }
        statistics.transports.subtract(1, ordering: .relaxed)
        if router.transportsByID.isEmpty { IdleMemory.release() }
    }

    /// Replays only: routes `address` to `transport` as a nominated ICE pair would.
    func route(_ address: TransportAddress, to transport: WebRTCTransport) {
        transportsByAddress[address] = transport
    }

    // MARK: Driving the worker (its loop below, or the in-memory harness)

    /// After a batch of `receive` calls: the deferred local fan-out, then out with everything,
    /// then a wake-up for workers that got slots. Must run before the received buffers are reused.
    func finishReceiveBatch(now: MonotonicInstant) {
        router.forwardDeferred(now: now)
        output.flushAll()
        fanOut.wakeConsumers()
    }

    /// What the loop does on every turn after commands and receiving: packets other workers
    /// handed over, the timers when a tick is due, then out with everything.
    func runPending(now: MonotonicInstant) {
        router.deliverInbound(now: now)
        if now.nanoseconds(since: lastTick) >= Self.tickNanoseconds {
            lastTick = now
            tick(now: now)
        }
        output.flushAll()
        fanOut.wakeConsumers()
    }

    /// Re-keys the ufrag map after an ICE restart.
    func rekey(_ transport: WebRTCTransport, oldUfrag: String) {
        if transportsByUfrag[oldUfrag] === transport { transportsByUfrag.removeValue(forKey: oldUfrag) }
        transportsByUfrag[transport.localUfrag] = transport
    }

    // MARK: Loop

    private func run() {
        let epoll = csfu_epoll_create()
        guard epoll >= 0 else {
            logger.critical("epoll_create1 failed: \(String(cString: strerror(-epoll)))")
            return
        }
        defer { close(epoll) }
        // Tags: the socket index, or `commandTag` for the command eventfd.
        let commandTag = UInt64.max
        _ = csfu_epoll_add(epoll, commands.eventDescriptor, commandTag)
        for (socketIndex, socket) in sockets.enumerated() {
            _ = csfu_epoll_add(epoll, socket.descriptor, UInt64(socketIndex))
        }
        let tags = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
        defer { tags.deallocate() }
        logger.debug("media worker started", metadata: ["addresses": "\(localAddresses)"])

        while !stopping {
            // Block only when no other worker has queued slots for us (they wake us otherwise).
            let timeout: Int32 = fanOut.prepareToSleep() ? 10 : 0
            let ready = csfu_epoll_wait(epoll, tags, 16, timeout)
            fanOut.awoke()
            let now = MonotonicInstant.now()
            for eventIndex in 0..<Int(max(0, ready)) {
                if tags[eventIndex] == commandTag {
                    commands.drain(into: self, now: now)
                } else {
                    receiveAll(socketIndex: Int(tags[eventIndex]), now: now)
                }
            }
            runPending(now: now)
            statistics.busyNanoseconds.add(
                Int(truncatingIfNeeded: MonotonicInstant.now().nanoseconds(since: now)), ordering: .relaxed)
        }
        let now = MonotonicInstant.now()
        for transport in router.transportsByID.values {
            transport.close(now: now, output: output)
        }
        output.flushAll()
        // Slots other workers handed us go back to their slabs.
        fanOut.drainInbound(limit: Int.max, scratch: router.inboundScratch) { _, _ in }
        router.removeAll()
        transportsByUfrag.removeAll()
        transportsByAddress.removeAll()
        logger.debug("media worker stopped")
    }

    private func receiveAll(socketIndex: Int, now: MonotonicInstant) {
        let fd = sockets[socketIndex].descriptor
        // Bounded so one flooded socket cannot starve commands and timers.
        for _ in 0..<64 {
            let received = receiveBatch.receive(from: fd)
            if received <= 0 { break }
            statistics.datagramsReceived.add(received, ordering: .relaxed)
            var bytes = 0
            defer { statistics.bytesReceived.add(bytes, ordering: .relaxed) }
            for slot in 0..<received {
                let length = receiveBatch.length(at: slot)
                bytes &+= length
                guard length > 0, let source = receiveBatch.address(at: slot) else { continue }
                let buffer = receiveBatch.buffer(at: slot)
                receive(buffer, length: length, from: source, socketIndex: socketIndex, now: now)
            }
            finishReceiveBatch(now: now)
            if received < receiveBatch.capacity { break }
        }
    }

    /// One datagram that arrived on socket `socketIndex` from `source` (call `finishReceiveBatch`
    /// after a batch of them). `buffer` must stay valid until then.
    func receive(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from source: TransportAddress, socketIndex: Int,
        now: MonotonicInstant
    ) {
        let kind = DatagramKind.classify(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        if let transport = transportsByAddress[source] {
            transport.handleDatagram(
                buffer, length: length, kind: kind, from: source, socketIndex: socketIndex, now: now, output: output, router: router)
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
            buffer, length: length, kind: kind, from: source, socketIndex: socketIndex, now: now, output: output, router: router)
        if transport.knownAddresses.contains(source) {
            transportsByAddress[source] = transport
        }
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

/// Per-worker counters, written by the worker with relaxed atomics and read by anyone.
final class WorkerStatistics: Sendable {
    let datagramsReceived = Atomic<Int>(0)
    let datagramsSent = Atomic<Int>(0)
    let datagramsDropped = Atomic<Int>(0)
    let sendFailures = Atomic<Int>(0)
    let transports = Atomic<Int>(0)
    /// Slot references pushed to other workers' rings (one per consumer worker per packet).
    let slotsHandedOff = Atomic<Int>(0)
    /// Slots taken from inbound rings (forwarded to the subscribers still routed here).
    let slotsDelivered = Atomic<Int>(0)
    /// Packets not handed to a consumer worker: its ring was full or the slab was exhausted.
    let fanOutDrops = Atomic<Int>(0)
    /// Sockets on which the kernel refused UDP GSO (then sent without it).
    let gsoDisabled = Atomic<Int>(0)
    /// Transport objects installed on this worker and not yet deinitialized: stays above
    /// `transports` only while something still references a removed transport (a leak if it
    /// does not come down).
    let liveTransportObjects = Atomic<Int>(0)
    /// UDP payload bytes received and queued to the kernel (added once per batch).
    let bytesReceived = Atomic<Int>(0)
    let bytesSent = Atomic<Int>(0)
    /// Packets dropped by the slab being exhausted (part of `fanOutDrops`; the rest: a full ring).
    let slabExhaustedDrops = Atomic<Int>(0)
    /// SRTP/SRTCP packets dropped: the tag did not verify, a replay, anything else (malformed,
    /// too short, too many SSRCs).
    let srtpAuthenticationFailures = Atomic<Int>(0)
    let srtpReplays = Atomic<Int>(0)
    let srtpOtherDrops = Atomic<Int>(0)
    /// Sequence numbers NACKed to us by peers (subscribers, echo), and NACKed by us (upstream).
    let nacksReceived = Atomic<Int>(0)
    let nacksSent = Atomic<Int>(0)
    /// Packets sent again in answer to a NACK (plain resends and RTX).
    let retransmissionsSent = Atomic<Int>(0)
    /// PLI/FIR from peers; PLIs we sent.
    let keyframeRequestsReceived = Atomic<Int>(0)
    let keyframeRequestsSent = Atomic<Int>(0)
    /// Transports that died, by `TransportFailure`.
    let iceFailures = Atomic<Int>(0)
    let dtlsAlerts = Atomic<Int>(0)
    let dtlsErrors = Atomic<Int>(0)
    let dtlsTimeouts = Atomic<Int>(0)
    let srtpSetupFailures = Atomic<Int>(0)
    /// Nanoseconds the worker's loop spent working rather than waiting in `epoll_wait`.
    let busyNanoseconds = Atomic<Int>(0)
    /// STUN error responses not sent because their source exceeded its rate.
    let stunErrorsSuppressed = Atomic<Int>(0)
}

extension WorkerStatistics {
    /// Counts a transport's death by its reason.
    func noteFailure(_ failure: TransportFailure) {
        switch failure {
        case .iceFailed: iceFailures.add(1, ordering: .relaxed)
        case .dtlsAlert: dtlsAlerts.add(1, ordering: .relaxed)
        case .dtlsError: dtlsErrors.add(1, ordering: .relaxed)
        case .dtlsTimeout: dtlsTimeouts.add(1, ordering: .relaxed)
        case .srtpStackError: srtpSetupFailures.add(1, ordering: .relaxed)
        }
    }

    /// Counts an SRTP/SRTCP packet that did not unprotect.
    func noteSRTPDrop(_ error: SRTPError) {
        switch error {
        case .authenticationFailed: srtpAuthenticationFailures.add(1, ordering: .relaxed)
        case .replayed: srtpReplays.add(1, ordering: .relaxed)
        default: srtpOtherDrops.add(1, ordering: .relaxed)
        }
    }
}
