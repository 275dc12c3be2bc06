import ICE

/// Datagrams queued for one socket: pre-allocated buffers the core writes packets into in place,
/// with their lengths and destinations, until the driver sends them at the next flush.
///
/// Allocated once per socket; queueing a datagram only moves an index and a length, so the
/// forwarding path allocates nothing. Confined to the owning worker thread.
package final class DatagramOutbox {
    package static let bufferSize = 2048
    package let capacity: Int
    /// `capacity` buffers of `bufferSize` bytes, back to back.
    package let storage: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<Int>
    private let destinations: UnsafeMutablePointer<TransportAddress>
    // Stored properties stay internal: the optimizer then sees every access and drops the
    // dynamic exclusivity checks a `package` class property would cost on each datagram.
    private(set) var count = 0
    /// Bytes queued since the last flush (for the byte counters).
    private(set) var queuedBytes = 0
    /// Datagrams queued.
    package var queuedCount: Int { count }

    package init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity * Self.bufferSize, alignment: 16)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
        destinations = .allocate(capacity: capacity)
        destinations.initialize(repeating: TransportAddress(ipv4: 0, port: 0), count: capacity)
    }

    deinit {
        storage.deallocate()
        lengths.deallocate()
        destinations.deallocate()
    }

    package var isFull: Bool { count == capacity }
    package var isEmpty: Bool { count == 0 }

    /// The buffer of slot `index`, whole capacity.
    @inline(__always)
    package func buffer(at index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage.advanced(by: index * Self.bufferSize), count: Self.bufferSize)
    }

    @inline(__always)
    package func length(at index: Int) -> Int { lengths[index] }

    @inline(__always)
    package func destination(at index: Int) -> TransportAddress { destinations[index] }

    /// The next free slot; the caller writes into `buffer(at:)` then calls `commit`. Nil when full.
    @inline(__always)
    func nextSlot() -> Int? { count < capacity ? count : nil }

    /// Queues the slot `nextSlot()` returned with `length` bytes for `destination`.
    @inline(__always)
    func commit(length: Int, to destination: TransportAddress) {
        lengths[count] = length
        destinations[count] = destination
        queuedBytes &+= length
        count += 1
    }

    /// Empties the outbox (after the driver sent it).
    package func reset() {
        count = 0
        queuedBytes = 0
    }
}

/// Where a worker's datagrams leave it: the driver's sockets (batched sends, UDP GSO), or the
/// in-memory network of the test harness.
package protocol DatagramEgress: AnyObject {
    /// Sends every datagram queued in `outbox` from socket `socketIndex`, in order. Returns how
    /// many went out and how many the network refused (dropped: UDP is lossy anyway).
    func transmit(_ outbox: DatagramOutbox, socketIndex: Int) -> (sent: Int, failed: Int)
}
