import CSFUSystem
import Glibc
import ICE

/// Pre-allocated datagram slots and their buffers for `recvmmsg`/`sendmmsg`.
///
/// Allocated once per worker; the packet path only moves indices and lengths, so receiving,
/// rewriting and sending a packet allocates nothing. Confined to the owning worker thread.
final class DatagramBatch {
    static let bufferSize = 2048
    let capacity: Int
    let slots: UnsafeMutablePointer<csfu_datagram>
    let storage: UnsafeMutableRawPointer
    private(set) var count = 0
    /// Bytes committed for sending since the last flush (for the byte counters).
    private(set) var queuedBytes = 0

    init(capacity: Int) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        storage = .allocate(byteCount: capacity * Self.bufferSize, alignment: 16)
        for index in 0..<capacity {
            slots.advanced(by: index).initialize(to: csfu_datagram())
            slots[index].buffer = storage.advanced(by: index * Self.bufferSize)
            slots[index].capacity = UInt32(Self.bufferSize)
        }
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
        storage.deallocate()
    }

    var isFull: Bool { count == capacity }
    var isEmpty: Bool { count == 0 }

    /// The buffer of slot `index`, whole capacity.
    @inline(__always)
    func buffer(at index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage.advanced(by: index * Self.bufferSize), count: Self.bufferSize)
    }

    @inline(__always)
    func length(at index: Int) -> Int { Int(slots[index].length) }

    /// The source (receive) or destination (send) address of slot `index`.
    @inline(__always)
    func address(at index: Int) -> TransportAddress? {
        TransportAddress(storage: slots[index].address)
    }

    /// Receives up to `capacity` datagrams from `socket` without blocking.
    func receive(from socket: Int32) -> Int {
        for index in 0..<capacity { slots[index].capacity = UInt32(Self.bufferSize) }
        let received = csfu_receive_batch(socket, slots, UInt32(capacity))
        count = max(0, Int(received))
        return Int(received)
    }

    /// Claims the next free send slot; the caller writes into `buffer(at:)` then calls `commit`.
    /// Returns nil when full (flush first).
    @inline(__always)
    func nextSlot() -> Int? {
        count < capacity ? count : nil
    }

    /// Queues slot `index` (== the value `nextSlot()` returned) for sending `length` bytes to `destination`.
    @inline(__always)
    func commit(length: Int, to destination: TransportAddress) {
        slots[count].length = UInt32(length)
        queuedBytes &+= length
        slots[count].segment_size = 0
        destination.withSockAddr { pointer, addressLength in
            withUnsafeMutableBytes(of: &slots[count].address) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: Int(addressLength)))
            }
            slots[count].address_length = UInt32(addressLength)
        }
        count += 1
    }

    /// Sends every queued slot on `socket`; datagrams the kernel refuses are dropped
    /// (UDP is lossy anyway; the error is counted by the caller). With `gso`, adjacent datagrams
    /// to one destination go out as one UDP GSO send; if the kernel refuses that (no checksum
    /// offload on the route: EIO), `gso` is turned off for good and the datagrams are resent plainly.
    @discardableResult
    func flush(to socket: Int32, gso: inout Bool) -> (sent: Int, failed: Int) {
        var offset = 0
        var failed = 0
        while offset < count {
            let result = Int(
                csfu_send_batch(socket, slots.advanced(by: offset), UInt32(count - offset), gso ? 1 : 0))
            if result == Int(CSFU_SEND_GSO_REFUSED) {
                gso = false
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
        count = 0
        queuedBytes = 0
        return (offset - failed, failed)
    }

    func reset() {
        count = 0
        queuedBytes = 0
    }
}
