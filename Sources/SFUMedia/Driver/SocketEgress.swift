import CSFUSystem
import ICE
import MediaCore

/// Sends a worker's outboxes on its UDP sockets: one `sendmmsg` per flush, adjacent datagrams
/// to one destination as one UDP GSO send where the kernel allows it.
final class SocketEgress: DatagramEgress {
    private let sockets: [UDPSocket]
    /// Per socket: whether GSO is used; turned off for a socket when the kernel refuses it.
    private var gso: [Bool]
    /// Per socket: the `sendmmsg` slots, pointed at the outbox's buffers at each flush.
    private var slots: [UnsafeMutablePointer<csfu_datagram>] = []
    private var slotCapacity: [Int] = []
    private let statistics: WorkerStatistics

    init(sockets: [UDPSocket], useGSO: Bool, statistics: WorkerStatistics) {
        self.sockets = sockets
        gso = sockets.map { $0.supportsGSO && useGSO }
        slots = sockets.map { _ in .allocate(capacity: 0) }
        slotCapacity = sockets.map { _ in 0 }
        self.statistics = statistics
    }

    deinit {
        for (index, pointer) in slots.enumerated() {
            pointer.deinitialize(count: slotCapacity[index])
            pointer.deallocate()
        }
    }

    /// Datagrams the kernel refuses are dropped (UDP is lossy anyway) and counted as failed. If
    /// the kernel refuses GSO (no checksum offload on the route: EIO), GSO is turned off for that
    /// socket for good and the datagrams are resent plainly.
    func transmit(_ outbox: DatagramOutbox, socketIndex: Int) -> (sent: Int, failed: Int) {
        let count = outbox.queuedCount
        let batch = slotsFor(socketIndex, capacity: outbox.capacity)
        for index in 0..<count {
            batch[index].buffer = outbox.storage.advanced(by: index * DatagramOutbox.bufferSize)
            batch[index].length = UInt32(outbox.length(at: index))
            batch[index].segment_size = 0
            outbox.destination(at: index).withSockAddr { pointer, addressLength in
                withUnsafeMutableBytes(of: &batch[index].address) { raw in
                    raw.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: Int(addressLength)))
                }
                batch[index].address_length = UInt32(addressLength)
            }
        }
        let descriptor = sockets[socketIndex].descriptor
        var offset = 0
        var failed = 0
        while offset < count {
            let result = Int(csfu_send_batch(descriptor, batch.advanced(by: offset), UInt32(count - offset), gso[socketIndex] ? 1 : 0))
            if result == Int(CSFU_SEND_GSO_REFUSED) {
                gso[socketIndex] = false
                statistics.gsoDisabled.add(1, ordering: .relaxed)
                continue
            }
            if result > 0 {
                offset += result
            } else {
                // The first datagram failed (EAGAIN, EPERM, unreachable): skip it and go on.
                offset += 1
                failed += 1
            }
        }
        return (offset - failed, failed)
    }

    @inline(__always)
    private func slotsFor(_ socketIndex: Int, capacity: Int) -> UnsafeMutablePointer<csfu_datagram> {
        if slotCapacity[socketIndex] < capacity {
            slots[socketIndex].deinitialize(count: slotCapacity[socketIndex])
            slots[socketIndex].deallocate()
            slots[socketIndex] = .allocate(capacity: capacity)
            slots[socketIndex].initialize(repeating: csfu_datagram(), count: capacity)
            slotCapacity[socketIndex] = capacity
        }
        return slots[socketIndex]
    }
}

/// Hands a worker's datagrams to a function (the in-memory network harness) as
/// `(socket index, destination, bytes)`, in order; the bytes are valid only for the call.
final class MemoryEgress: DatagramEgress {
    private let deliver: @Sendable (Int, TransportAddress, UnsafeRawBufferPointer) -> Void

    init(_ deliver: @escaping @Sendable (Int, TransportAddress, UnsafeRawBufferPointer) -> Void) {
        self.deliver = deliver
    }

    func transmit(_ outbox: DatagramOutbox, socketIndex: Int) -> (sent: Int, failed: Int) {
        for index in 0..<outbox.queuedCount {
            deliver(socketIndex, outbox.destination(at: index),
                    UnsafeRawBufferPointer(rebasing: outbox.buffer(at: index)[0..<outbox.length(at: index)]))
        }
        return (outbox.queuedCount, 0)
    }
}
