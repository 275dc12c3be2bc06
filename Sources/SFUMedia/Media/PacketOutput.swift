import ICE
import SFUBase

/// Where a worker's datagrams leave it, once per batch: its UDP sockets (`sendmmsg`, UDP GSO),
/// or, for the in-memory network harness, a function that takes each datagram.
enum DatagramEgress {
    case sockets([UDPSocket])
    /// `(socket index, destination, bytes)` for every datagram, in order; called on the worker's
    /// thread during a flush, the bytes valid only for the call.
    case memory(socketCount: Int, @Sendable (Int, TransportAddress, UnsafeRawBufferPointer) -> Void)
}

/// The worker's outgoing datagrams: one pre-allocated batch per socket, flushed after each
/// receive batch and each timer tick. Transports write straight into its slots. It also carries
/// what the media core needs of its surroundings besides bytes: the cross-worker fan-out and the
/// wall clock (as an offset from the injected monotonic one, so the core never reads a clock).
/// Confined to the worker thread.
final class PacketOutput {
    private let egress: DatagramEgress
    private let batches: [DatagramBatch]
    private let statistics: WorkerStatistics
    /// Where packets for subscribers on other workers go, and commands to other workers.
    let fanOut: CrossWorkerFanOut
    /// Unix time (ns) at monotonic instant 0: RTCP sender reports carry wall-clock NTP time.
    let unixTimeAtMonotonicZero: UInt64

    init(egress: DatagramEgress, statistics: WorkerStatistics, fanOut: CrossWorkerFanOut, useGSO: Bool = true,
         batchSize: Int = 64, unixTimeAtMonotonicZero: UInt64) {
        self.egress = egress
        switch egress {
        case .sockets(let sockets):
            batches = sockets.map { _ in DatagramBatch(capacity: batchSize) }
            gso = sockets.map { $0.supportsGSO && useGSO }
        case .memory(let count, _):
            batches = (0..<count).map { _ in DatagramBatch(capacity: batchSize) }
            gso = Array(repeating: false, count: count)
        }
        self.statistics = statistics
        self.fanOut = fanOut
        self.unixTimeAtMonotonicZero = unixTimeAtMonotonicZero
    }

    /// The wall clock at monotonic instant `now`, in Unix nanoseconds.
    @inline(__always)
    func unixNanoseconds(at now: MonotonicInstant) -> UInt64 { now.nanoseconds &+ unixTimeAtMonotonicZero }

    /// Per socket: adjacent datagrams to one destination go out as one UDP GSO send. Turned off
    /// for a socket when the kernel refuses GSO on it.
    private var gso: [Bool]

    /// Gives `write` a buffer for one datagram on socket `socketIndex`; `write` returns the
    /// length it wrote (0 = nothing to send). The datagram goes to `destination` at the next flush.
    @inline(__always)
    func send(
        socketIndex: Int, to destination: TransportAddress,
        _ write: (UnsafeMutableRawBufferPointer) -> Int
    ) {
        guard socketIndex >= 0, socketIndex < batches.count else { return }
        let batch = batches[socketIndex]
        if batch.isFull { flush(socketIndex) }
        guard let slot = batch.nextSlot() else { return }
        let length = write(batch.buffer(at: slot))
        guard length > 0 else { return }
        batch.commit(length: length, to: destination)
    }

    /// Queues a copy of `bytes` (control traffic: STUN, DTLS, RTCP feedback).
    func send(bytes: UnsafeRawBufferPointer, socketIndex: Int, to destination: TransportAddress) {
        send(socketIndex: socketIndex, to: destination) { buffer in
            guard bytes.count <= buffer.count else { return 0 }
            buffer.copyMemory(from: bytes)
            return bytes.count
        }
    }

    func flush(_ socketIndex: Int) {
        let batch = batches[socketIndex]
        guard !batch.isEmpty else { return }
        statistics.bytesSent.add(batch.queuedBytes, ordering: .relaxed)
        let sockets: [UDPSocket]
        switch egress {
        case .sockets(let bound): sockets = bound
        case .memory(_, let deliver):
            for slot in 0..<batch.count {
                guard let destination = batch.address(at: slot) else { continue }
                deliver(socketIndex, destination, UnsafeRawBufferPointer(rebasing: batch.buffer(at: slot)[0..<batch.length(at: slot)]))
            }
            statistics.datagramsSent.add(batch.count, ordering: .relaxed)
            batch.reset()
            return
        }
        let wasGSO = gso[socketIndex]
        let result = batch.flush(to: sockets[socketIndex].descriptor, gso: &gso[socketIndex])
        if wasGSO && !gso[socketIndex] { statistics.gsoDisabled.add(1, ordering: .relaxed) }
        statistics.datagramsSent.add(result.sent, ordering: .relaxed)
        if result.failed > 0 { statistics.sendFailures.add(result.failed, ordering: .relaxed) }
    }

    func flushAll() {
        for index in batches.indices { flush(index) }
    }
}
