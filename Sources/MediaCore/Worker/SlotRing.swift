import Synchronization

/// A single-producer single-consumer ring of slab slot indices from one worker to another.
///
/// Preallocated, power-of-two capacity; the producer publishes with a release store of `tail`,
/// the consumer frees entries with a release store of `head`. Each side caches the other's
/// index so that the shared cache lines are read only when the cached view says full/empty.
/// A full ring refuses the push (the caller drops and counts); nothing ever blocks.
final class SlotRing: @unchecked Sendable {
    let capacity: Int
    private let mask: Int
    private let entries: UnsafeMutablePointer<UInt32>
    /// head (consumer-written) and tail (producer-written), each on its own cache line.
    private let indices: UnsafeMutableRawPointer
    private var head: UnsafeMutablePointer<Atomic<Int>> { indices.assumingMemoryBound(to: Atomic<Int>.self) }
    private var tail: UnsafeMutablePointer<Atomic<Int>> {
        (indices + 64).assumingMemoryBound(to: Atomic<Int>.self)
    }
    /// Producer thread only.
    private var producerTail = 0
    private var cachedHead = 0
    /// Consumer thread only.
    private var consumerHead = 0
    private var cachedTail = 0

    init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "ring capacity must be a power of two")
        self.capacity = capacity
        mask = capacity - 1
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: 0, count: capacity)
        indices = .allocate(byteCount: 128, alignment: 64)
        indices.bindMemory(to: Atomic<Int>.self, capacity: 1).initialize(to: Atomic(0))
        (indices + 64).bindMemory(to: Atomic<Int>.self, capacity: 1).initialize(to: Atomic(0))
    }

    deinit {
        head.deinitialize(count: 1)
        tail.deinitialize(count: 1)
        indices.deallocate()
        entries.deallocate()
    }

    /// Producer: appends `slot`; false when the ring is full.
    @inline(__always)
    func push(_ slot: Int) -> Bool {
        if producerTail - cachedHead >= capacity {
            cachedHead = head.pointee.load(ordering: .acquiring)
            if producerTail - cachedHead >= capacity { return false }
        }
        entries[producerTail & mask] = UInt32(truncatingIfNeeded: slot)
        producerTail += 1
        tail.pointee.store(producerTail, ordering: .releasing)
        return true
    }

    /// Consumer: takes the oldest slot index, or nil when empty.
    @inline(__always)
    func pop() -> Int? {
        if consumerHead == cachedTail {
            cachedTail = tail.pointee.load(ordering: .acquiring)
            if consumerHead == cachedTail { return nil }
        }
        let slot = Int(entries[consumerHead & mask])
        consumerHead += 1
        head.pointee.store(consumerHead, ordering: .releasing)
        return slot
    }

    /// Whether the producer has published entries the consumer has not taken (consumer thread,
    /// or any thread as a hint).
    var hasPending: Bool {
        tail.pointee.load(ordering: .sequentiallyConsistent) != head.pointee.load(ordering: .relaxed)
    }
}
