import Synchronization

/// Decrypted packets a worker hands to other workers: a preallocated slab of fixed-size slots,
/// each with an atomic count of the consumers still reading it.
///
/// Only the owning (producing) worker allocates slots and writes into them; consumers on other
/// workers read a slot after taking its index from a `SlotRing` (acquire) and release it when
/// done. A slot is free exactly when its count is 0, so the producer finds free slots with a
/// rotating cursor (slots come back roughly in the order they were handed out) and no free list
/// is shared between threads. No Swift reference counting is involved per packet.
package final class PacketSlab: @unchecked Sendable {
    /// Bytes of packet per slot (a received datagram never exceeds `DatagramOutbox.bufferSize`).
    static let slotBytes = DatagramOutbox.bufferSize
    let capacity: Int
    private let storage: UnsafeMutableRawPointer
    private let references: UnsafeMutablePointer<Atomic<Int32>>
    private let headers: UnsafeMutablePointer<SlotHeader>
    /// Producer thread only.
    private var cursor = 0
    /// Probes before the producer gives up on finding a free slot (the packet is then dropped).
    private static let maximumProbes = 16

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity * Self.slotBytes, alignment: 64)
        references = .allocate(capacity: capacity)
        headers = .allocate(capacity: capacity)
        for index in 0..<capacity {
            (references + index).initialize(to: Atomic(0))
            (headers + index).initialize(to: SlotHeader())
        }
    }

    deinit {
        references.deinitialize(count: capacity)
        references.deallocate()
        headers.deinitialize(count: capacity)
        headers.deallocate()
        storage.deallocate()
    }

    /// A free slot, or nil when the consumers hold (nearly) all of them. Producer thread only.
    @inline(__always)
    func allocate() -> Int? {
        for _ in 0..<Self.maximumProbes {
            let candidate = cursor
            cursor = (cursor + 1) & (capacity - 1)
            // Acquire: the last consumer's reads of this slot happen before we overwrite it.
            if references[candidate].load(ordering: .acquiring) == 0 { return candidate }
        }
        return nil
    }

    /// Sets how many consumers will release `slot` (before its index is pushed anywhere).
    @inline(__always)
    func setReaders(_ slot: Int, _ count: Int) {
        references[slot].store(Int32(count), ordering: .relaxed)
    }

    /// One reader is done with `slot` (any thread). The slot is free again when the count hits 0.
    @inline(__always)
    func release(_ slot: Int) {
        references[slot].subtract(1, ordering: .releasing)
    }

    /// The whole buffer of `slot`; written by the producer before publishing, read-only afterwards.
    @inline(__always)
    func buffer(_ slot: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + slot * Self.slotBytes, count: Self.slotBytes)
    }

    /// What the slot carries, same access rules as `buffer`.
    @inline(__always)
    func header(_ slot: Int) -> UnsafeMutablePointer<SlotHeader> { headers + slot }

    /// Slots currently held by consumers (any thread; for statistics and leak tests).
    package var slotsInUse: Int {
        var used = 0
        for index in 0..<capacity where references[index].load(ordering: .relaxed) != 0 { used += 1 }
        return used
    }
}

/// Describes the packet in a slab slot.
struct SlotHeader {
    enum Kind: UInt8 {
        /// A publisher packet for every subscriber of `route` on the consumer.
        case media
        /// A stored packet one subscriber asked for again (NACK); goes only to `subscriber`.
        case retransmission
    }
    var kind = Kind.media
    /// Media: the simulcast layer of the packet, and the layers its producer sends (bit per layer).
    var layer: UInt8 = 0
    var liveLayers: UInt8 = 1
    var length = 0
    var route = RouteKey(publisher: 0, stream: 0)
    /// Retransmissions: the subscriber transport and m-line, and the sequence number it NACKed.
    var subscriber: UInt64 = 0
    var subscriberStream = 0
    var outgoingSequence: UInt16 = 0
    /// Retransmissions: the layer SSRC the stored packet belongs to.
    var sourceSSRC: UInt32 = 0
}

/// A publisher m-line as a fan-out route: transport ids are never reused, so a key outlives
/// its publisher harmlessly (slots in flight for a removed publisher match no route).
struct RouteKey: Hashable {
    var publisher: UInt64
    var stream: Int
}
