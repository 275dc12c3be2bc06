/// The last packets of one publisher stream, decrypted, kept so subscribers' NACKs are answered
/// from here (RFC 4585 generic NACK) instead of asking the publisher again.
///
/// A fixed ring of slots indexed by sequence number, allocated once per video stream; storing
/// and looking up a packet copies bytes and allocates nothing. Confined to the worker thread.
final class RetransmissionBuffer {
    static let slotSize = 1500
    let capacity: Int
    private let storage: UnsafeMutableRawPointer
    private var lengths: [Int]
    private var sequenceNumbers: [UInt16]

    /// 256 packets: ≈ 2.2 s of a 1 Mbit/s VP8 stream, ≈ 0.9 s at 2.5 Mbit/s — longer than a NACK
    /// is useful (a retransmission must arrive within the receiver's jitter buffer; Janus keeps
    /// 500 ms by default). A power of two, so `sequenceNumber % capacity` stays consistent
    /// across the 16-bit wrap. 375 KB per video stream (was 512 slots, 750 KB).
    init(capacity: Int = 256) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity * Self.slotSize, alignment: 16)
        lengths = Array(repeating: 0, count: capacity)
        sequenceNumbers = Array(repeating: 0, count: capacity)
    }

    deinit { storage.deallocate() }

    func store(_ packet: UnsafeRawBufferPointer, sequenceNumber: UInt16) {
        guard packet.count <= Self.slotSize, let source = packet.baseAddress else { return }
        let slot = Int(sequenceNumber) % capacity
        storage.advanced(by: slot * Self.slotSize).copyMemory(from: source, byteCount: packet.count)
        lengths[slot] = packet.count
        sequenceNumbers[slot] = sequenceNumber
    }

    /// The stored packet with this sequence number, if it is still in the ring.
    func packet(sequenceNumber: UInt16) -> UnsafeMutableRawBufferPointer? {
        let slot = Int(sequenceNumber) % capacity
        guard lengths[slot] > 0, sequenceNumbers[slot] == sequenceNumber else { return nil }
        return UnsafeMutableRawBufferPointer(start: storage.advanced(by: slot * Self.slotSize), count: lengths[slot])
    }
}
