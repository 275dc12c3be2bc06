import CSFUSystem
import Dispatch
import Glibc
import ICE
import Logging
import MediaCore
import SFUBase
import Synchronization

/// One media thread: owns its UDP sockets and loops `epoll_wait` → `recvmmsg` → the worker's
/// core (`WorkerCore`: demux, transports, router) → batched `sendmmsg`. The only code that
/// touches sockets, the thread and the clock; everything it does to packets, the core does.
///
/// The core is confined to the worker thread; other threads reach it only through
/// `core.commands`. Nothing on the packet path locks or allocates.
final class MediaWorker: @unchecked Sendable {
    let core: WorkerCore
    let sockets: [UDPSocket]
    /// Transports the engine placed here and has not closed (control plane, for placement).
    let placedTransports = Atomic<Int>(0)
    private let receiveBatch = DatagramBatch(capacity: WorkerCore.batchSize)
    private let doorbell: EventDoorbell?

    private let finished = Mutex<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    var index: Int { core.index }
    var commands: WorkerCommandQueue { core.commands }
    var statistics: WorkerStatistics { core.statistics }
    var logger: Logger { core.logger }
    var localAddresses: [TransportAddress] { core.localAddresses }

    /// A worker on bound UDP sockets, run by its own thread (`start()`).
    init(index: Int, sockets: [UDPSocket], useGSO: Bool = true, logger: Logger) throws {
        let doorbell = try EventDoorbell()
        let statistics = WorkerStatistics()
        self.sockets = sockets
        self.doorbell = doorbell
        core = WorkerCore(
            index: index, localAddresses: sockets.map(\.localAddress),
            egress: SocketEgress(sockets: sockets, useGSO: useGSO, statistics: statistics), doorbell: doorbell,
            unixTimeAtMonotonicZero: Self.unixTimeAtMonotonicZero(), statistics: statistics, logger: logger,
            becameIdle: { IdleMemory.release() })
    }

    /// A worker without sockets or thread, for the in-memory network harness: it pretends to
    /// listen on `localAddresses`, hands every datagram it sends to `deliver`, and is driven by
    /// the caller on the caller's clock.
    init(
        index: Int, localAddresses: [TransportAddress], unixTimeAtMonotonicZero: UInt64, logger: Logger,
        deliver: @escaping @Sendable (Int, TransportAddress, UnsafeRawBufferPointer) -> Void
    ) {
        sockets = []
        doorbell = nil
        core = WorkerCore(
            index: index, localAddresses: localAddresses, egress: MemoryEgress(deliver), doorbell: SilentDoorbell(),
            unixTimeAtMonotonicZero: unixTimeAtMonotonicZero, statistics: WorkerStatistics(), logger: logger)
    }

    /// Unix time at monotonic zero, read once when a socket worker is made (the driver's one
    /// look at the wall clock; the core only ever sees monotonic instants).
    private static func unixTimeAtMonotonicZero() -> UInt64 {
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let unix = UInt64(realtime.tv_sec) &* 1_000_000_000 &+ UInt64(realtime.tv_nsec)
        return unix &- MonotonicInstant.now().nanoseconds
    }

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
        commands.enqueue { core, _ in core.stopRequested = true }
        if started.load(ordering: .acquiring) { exited.wait() }
        for socket in sockets { socket.close() }
    }

    // MARK: Loop

    private func run() {
        guard let doorbell else { return }
        let epoll = csfu_epoll_create()
        guard epoll >= 0 else {
            logger.critical("epoll_create1 failed: \(String(cString: strerror(-epoll)))")
            return
        }
        defer { close(epoll) }
        // Tags: the socket index, or `commandTag` for the command eventfd.
        let commandTag = UInt64.max
        _ = csfu_epoll_add(epoll, doorbell.descriptor, commandTag)
        for (socketIndex, socket) in sockets.enumerated() {
            _ = csfu_epoll_add(epoll, socket.descriptor, UInt64(socketIndex))
        }
        let tags = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
        defer { tags.deallocate() }
        logger.debug("media worker started", metadata: ["addresses": "\(localAddresses)"])

        while !core.stopRequested {
            // Block only when no other worker has queued slots for us (they wake us otherwise).
            let timeout: Int32 = core.fanOut.prepareToSleep() ? 10 : 0
            let ready = csfu_epoll_wait(epoll, tags, 16, timeout)
            core.fanOut.awoke()
            let now = MonotonicInstant.now()
            for eventIndex in 0..<Int(max(0, ready)) {
                if tags[eventIndex] == commandTag {
                    commands.drain(into: core, now: now)
                } else {
                    receiveAll(socketIndex: Int(tags[eventIndex]), now: now)
                }
            }
            core.runPending(now: now)
            statistics.busyNanoseconds.add(
                Int(truncatingIfNeeded: MonotonicInstant.now().nanoseconds(since: now)), ordering: .relaxed)
        }
        core.closeAll(now: MonotonicInstant.now())
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
                core.receive(receiveBatch.buffer(at: slot), length: length, from: source, socketIndex: socketIndex, now: now)
            }
            core.finishReceiveBatch(now: now)
            if received < receiveBatch.capacity { break }
        }
    }
}
