import ICE
import MediaCore
import SFUBase

/// Running the workers from the caller's thread instead of their own, on time the caller gives
/// (the engine is never `start()`ed): what a worker's loop does, one step at a time. For a
/// replay that measures the forwarding path instruction by instruction (Benchmarks'
/// `forward-replay`), or a custom event loop. Not thread-safe: one caller drives every worker.
@_spi(ManualDrive)
extension MediaEngine {
    public var workerCount: Int { workers.count }

    /// Reserves a transport on worker `index` (instead of the placement policy's choice).
    public func allocateTransport(onWorker index: Int) -> TransportAllocation {
        allocateTransport(workerIndex: index)
    }

    /// The address of socket `socket` of worker `worker`.
    public func localAddress(worker: Int, socket: Int = 0) -> TransportAddress {
        workers[worker].localAddresses[socket]
    }

    /// Runs every worker's queued commands (transports started, bindings, hand-offs between workers).
    public func runCommands(now: MonotonicInstant) {
        for worker in workers { worker.commands.drain(into: worker.core, now: now) }
    }

    /// A datagram that arrived on socket `socket` of worker `worker` from `source`; `buffer`
    /// must stay valid until `finishReceiveBatch`.
    @inline(__always)
    public func receive(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from source: TransportAddress, worker: Int, socket: Int = 0,
        now: MonotonicInstant
    ) {
        workers[worker].core.receive(buffer, length: length, from: source, socketIndex: socket, now: now)
    }

    /// The end of a receive batch on worker `worker`: local delivery, sends, wake-ups.
    public func finishReceiveBatch(worker: Int, now: MonotonicInstant) {
        workers[worker].core.finishReceiveBatch(now: now)
    }

    /// Packets other workers handed to worker `worker`, delivered and sent (no timers).
    public func deliverHandedOver(worker: Int, now: MonotonicInstant) {
        workers[worker].core.router.deliverInbound(now: now)
        workers[worker].core.output.flushAll()
        workers[worker].core.fanOut.wakeConsumers()
    }

    /// Datagrams the workers handed to their sockets so far.
    public var datagramsSent: Int {
        workers.reduce(0) { $0 + $1.statistics.datagramsSent.load(ordering: .relaxed) }
    }
}
