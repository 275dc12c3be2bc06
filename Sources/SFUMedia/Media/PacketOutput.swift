import ICE

/// The worker's outgoing datagrams: one pre-allocated batch per socket, flushed with `sendmmsg`
/// after each receive batch and each timer tick. Transports write straight into its slots.
/// Confined to the worker thread.
final class PacketOutput {
    private let sockets: [UDPSocket]
    private let batches: [DatagramBatch]
    private let statistics: WorkerStatistics
    /// Where packets for subscribers on other workers go, and commands to other workers.
    let fanOut: CrossWorkerFanOut

    init(sockets: [UDPSocket], statistics: WorkerStatistics, fanOut: CrossWorkerFanOut, useGSO: Bool = true, batchSize: Int = 64) {
        self.sockets = sockets
        self.batches = sockets.map { _ in DatagramBatch(capacity: batchSize) }
        self.statistics = statistics
        self.fanOut = fanOut
        self.gso = sockets.map { $0.supportsGSO && useGSO }
    }

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
