import CSFUSystem
import Glibc
import ICE

/// Pre-allocated datagram slots and their buffers for `recvmmsg`.
///
/// Allocated once per worker; the packet path only moves indices and lengths, so receiving,
/// rewriting and sending a packet allocates nothing. Confined to the owning worker thread.
final class DatagramBatch {
    static let bufferSize = 2048
    let capacity: Int
    let slots: UnsafeMutablePointer<csfu_datagram>
    let storage: UnsafeMutableRawPointer
    private(set) var count = 0

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

    /// The source address of slot `index`.
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

    func reset() { count = 0 }
}
