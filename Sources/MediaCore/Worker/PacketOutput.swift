import ICE
import SFUBase

/// The worker's outgoing datagrams: one pre-allocated outbox per socket, handed to the egress
/// (the driver's sockets, or the test harness's network) after each receive batch and each
/// timer tick. Transports write straight into its slots. It also carries the wall clock, as an
/// offset from the monotonic one the core is fed, so the core never reads a clock (RTCP sender
/// reports carry NTP time). Confined to the worker thread.
package final class PacketOutput {
    private let egress: any DatagramEgress
    private let outboxes: [DatagramOutbox]
    private let statistics: WorkerStatistics
    /// Unix time (ns) at monotonic instant 0.
    package let unixTimeAtMonotonicZero: UInt64

    package init(egress: any DatagramEgress, socketCount: Int, statistics: WorkerStatistics, outboxCapacity: Int = 64,
                 unixTimeAtMonotonicZero: UInt64) {
        self.egress = egress
        outboxes = (0..<socketCount).map { _ in DatagramOutbox(capacity: outboxCapacity) }
        self.statistics = statistics
        self.unixTimeAtMonotonicZero = unixTimeAtMonotonicZero
    }

    /// The wall clock at monotonic instant `now`, in Unix nanoseconds.
    @inline(__always)
    func unixNanoseconds(at now: MonotonicInstant) -> UInt64 { now.nanoseconds &+ unixTimeAtMonotonicZero }

    /// Gives `write` a buffer for one datagram on socket `socketIndex`; `write` returns the
    /// length it wrote (0 = nothing to send). The datagram goes to `destination` at the next flush.
    @inline(__always)
    func send(
        socketIndex: Int, to destination: TransportAddress,
        _ write: (UnsafeMutableRawBufferPointer) -> Int
    ) {
        guard socketIndex >= 0, socketIndex < outboxes.count else { return }
        let outbox = outboxes[socketIndex]
        if outbox.isFull { flush(socketIndex) }
        guard let slot = outbox.nextSlot() else { return }
        let length = write(outbox.buffer(at: slot))
        guard length > 0 else { return }
        outbox.commit(length: length, to: destination)
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
        let outbox = outboxes[socketIndex]
        guard !outbox.isEmpty else { return }
        statistics.bytesSent.add(outbox.queuedBytes, ordering: .relaxed)
        let result = egress.transmit(outbox, socketIndex: socketIndex)
        outbox.reset()
        statistics.datagramsSent.add(result.sent, ordering: .relaxed)
        if result.failed > 0 { statistics.sendFailures.add(result.failed, ordering: .relaxed) }
    }

    package func flushAll() {
        for index in outboxes.indices { flush(index) }
    }
}
