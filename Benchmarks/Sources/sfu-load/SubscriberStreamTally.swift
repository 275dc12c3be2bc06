/// What one subscriber received on one forwarded stream (one SSRC the server sends it):
/// continuity and jitter from the clear RTP header (`ReceivedStream`), and which of the
/// publisher's packets arrived, by their original sequence number. A server renumbers what it
/// forwards (ours and Janus alike keep a constant offset per stream while the source does not
/// change), so the offset is learned from the `MediaTrailer` that carries the original number;
/// packets before the first trailer cannot be placed and only count as early arrivals.
/// Owned by the subscriber's media thread.
struct SubscriberStreamTally {
    var continuity: ReceivedStream
    /// The publisher stream (`MediaTrailer.stream`) once a trailer arrived.
    private(set) var publisherStream: UInt16?
    private var offset: UInt16 = 0
    private var highestOriginal: Int64 = -1
    /// Bit i set: original extended sequence number `base + i` arrived.
    private var arrived: [UInt64] = []
    private var base: Int64 = 0
    private(set) var unplaced = 0
    private(set) var duplicates = 0

    init(clockRate: UInt32) { continuity = ReceivedStream(clockRate: clockRate) }

    private var trailerPackets = 0

    /// A packet read from its clear-text header only. Returns false, recording nothing, when it
    /// should be decrypted instead: the stream's offset is not known yet, or it is the Nth
    /// packet that carries a trailer (a latency sample).
    mutating func recordClear(
        _ header: ClearRTPHeader, arrivalNanoseconds: UInt64, measureJitter: Bool, carriesTrailer: Bool,
        decryptEvery: Int
    ) -> Bool {
        guard publisherStream != nil else { return false }
        if carriesTrailer {
            trailerPackets += 1
            if trailerPackets % decryptEvery == 0 { return false }
        }
        recordDecrypted(
            sequenceNumber: header.sequenceNumber, timestamp: header.timestamp, arrivalNanoseconds: arrivalNanoseconds,
            measureJitter: measureJitter, trailer: nil)
        return true
    }

    /// One packet: its forwarded header fields, arrival, and the trailer when it carries one.
    mutating func recordDecrypted(
        sequenceNumber: UInt16, timestamp: UInt32, arrivalNanoseconds: UInt64, measureJitter: Bool, trailer: MediaTrailer?
    ) {
        continuity.record(
            sequenceNumber: sequenceNumber, timestamp: timestamp, arrivalNanoseconds: arrivalNanoseconds,
            measureJitter: measureJitter)
        place(sequenceNumber: sequenceNumber, trailer: trailer)
    }

    /// Marks the packet's original sequence number as arrived.
    mutating func place(sequenceNumber: UInt16, trailer: MediaTrailer?) {
        if let trailer {
            publisherStream = trailer.stream
            offset = sequenceNumber &- trailer.sequenceNumber
        }
        guard publisherStream != nil else {
            unplaced += 1
            return
        }
        let original = sequenceNumber &- offset
        let extended: Int64
        if highestOriginal < 0 {
            extended = Int64(original)
            base = extended
        } else {
            // The nearest extension of the 16-bit number to the highest seen (RFC 3550 §A.1).
            extended = highestOriginal + Int64(Int16(bitPattern: original &- UInt16(truncatingIfNeeded: highestOriginal)))
        }
        highestOriginal = max(highestOriginal, extended)
        let index = extended - base
        guard index >= 0 else {
            unplaced += 1
            return
        }
        let word = Int(index / 64)
        if word >= arrived.count { arrived += [UInt64](repeating: 0, count: word - arrived.count + 64) }
        let bit = UInt64(1) << UInt64(index % 64)
        if arrived[word] & bit != 0 { duplicates += 1 }
        arrived[word] |= bit
    }

    /// How many distinct original sequence numbers in `range` (extended, end exclusive) arrived.
    func arrivals(in range: Range<Int64>) -> Int {
        var count = 0
        for number in range {
            let index = number - base
            guard index >= 0 else { continue }
            let word = Int(index / 64)
            guard word < arrived.count else { break }
            if arrived[word] & (UInt64(1) << UInt64(index % 64)) != 0 { count += 1 }
        }
        return count
    }
}

/// The fixed RTP header fields (RFC 3550 §5.1), read from a datagram of at least 12 bytes.
struct ClearRTPHeader {
    var marker: Bool
    var payloadType: UInt8
    var sequenceNumber: UInt16
    var timestamp: UInt32
    var ssrc: UInt32

    init(_ bytes: UnsafeRawBufferPointer) {
        marker = bytes[1] & 0x80 != 0
        payloadType = bytes[1] & 0x7F
        sequenceNumber = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        timestamp = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        ssrc = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
    }
}
