import SFUBase
/// Transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), RTPFB FMT 15.
///
/// Reports, per transport-wide sequence number, whether the packet arrived and its arrival
/// time relative to the previous one (250 µs ticks). A value type used on the RTCP path.
public struct RTCPTransportWideFeedback: Sendable, Equatable {
    /// Packet status symbols (§3.1.1).
    public enum Status: UInt8, Sendable {
        case notReceived = 0
        /// Received, delta 0…63.75 ms: one byte.
        case receivedSmallDelta = 1
        /// Received, delta negative or larger: two bytes, signed.
        case receivedLargeDelta = 2
    }

    public struct PacketResult: Sendable, Equatable {
        public var sequenceNumber: UInt16
        /// Receive delta in 250 µs ticks; nil when not received.
        public var receiveDelta: Int16?

        public init(sequenceNumber: UInt16, receiveDelta: Int16?) {
            self.sequenceNumber = sequenceNumber
            self.receiveDelta = receiveDelta
        }

        public var status: Status {
            guard let receiveDelta else { return .notReceived }
            return (0...255).contains(receiveDelta) ? .receivedSmallDelta : .receivedLargeDelta
        }
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var baseSequenceNumber: UInt16
    /// Reference time in multiples of 64 ms (24-bit signed on the wire).
    public var referenceTime: Int32
    public var feedbackPacketCount: UInt8
    /// One entry per sequence number from the base, in order.
    public var packets: [PacketResult]

    static let tickMicroseconds: Int64 = 250
    static let referenceMicroseconds: Int64 = 64_000

    public init(
        senderSSRC: UInt32, mediaSSRC: UInt32, baseSequenceNumber: UInt16, referenceTime: Int32,
        feedbackPacketCount: UInt8, packets: [PacketResult]
    ) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.referenceTime = referenceTime
        self.feedbackPacketCount = feedbackPacketCount
        self.packets = packets
    }

    /// Builds feedback from arrivals sorted by transport-wide sequence number (wrap-aware:
    /// the first is the base). Gaps become "not received". Arrival times are in microseconds
    /// on the receiver's clock; the reference time is the first arrival rounded down to 64 ms.
    public init(
        senderSSRC: UInt32, mediaSSRC: UInt32, feedbackPacketCount: UInt8,
        arrivals: [(sequenceNumber: UInt16, arrivalMicroseconds: Int64)]
    ) throws(RTCPError) {
        guard let first = arrivals.first else { throw .valueOutOfRange }
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.feedbackPacketCount = feedbackPacketCount
        baseSequenceNumber = first.sequenceNumber
        let reference = Self.floorDivide(first.arrivalMicroseconds, Self.referenceMicroseconds)
        referenceTime = Int32(truncatingIfNeeded: reference)
        var previousTicks = reference * (Self.referenceMicroseconds / Self.tickMicroseconds)
        var packets: [PacketResult] = []
        var expected = first.sequenceNumber
        for arrival in arrivals {
            let gap = arrival.sequenceNumber &- expected
            guard gap < 0x8000, packets.count + Int(gap) < 0xFFFF else { throw .valueOutOfRange }
            for _ in 0..<gap {
                packets.append(PacketResult(sequenceNumber: expected, receiveDelta: nil))
                expected &+= 1
            }
            let ticks = Self.floorDivide(arrival.arrivalMicroseconds, Self.tickMicroseconds)
            let delta = ticks - previousTicks
            guard let delta16 = Int16(exactly: delta) else { throw .valueOutOfRange }
            previousTicks = ticks
            packets.append(PacketResult(sequenceNumber: arrival.sequenceNumber, receiveDelta: delta16))
            expected = arrival.sequenceNumber &+ 1
        }
        self.packets = packets
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Arrival times in microseconds (reference time plus accumulated deltas), nil when lost.
    public var arrivalTimes: [(sequenceNumber: UInt16, arrivalMicroseconds: Int64?)] {
        var ticks = Int64(referenceTime) * (Self.referenceMicroseconds / Self.tickMicroseconds)
        return packets.map { result in
            guard let delta = result.receiveDelta else { return (result.sequenceNumber, nil) }
            ticks += Int64(delta)
            return (result.sequenceNumber, ticks * Self.tickMicroseconds)
        }
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(
            packet, type: RTCPPacketType.transportFeedback, format: RTCPFeedbackFormat.transportWideCC,
            minimumBody: 16)
        let b = packet.buffer
        let o = packet.offset
        let end = o + packet.length - packet.paddingLength
        senderSSRC = b.readUInt32(at: o + 4)
        mediaSSRC = b.readUInt32(at: o + 8)
        baseSequenceNumber = b.readUInt16(at: o + 12)
        let statusCount = Int(b.readUInt16(at: o + 14))
        referenceTime = Int32(bitPattern: b.readUInt24(at: o + 16) << 8) >> 8
        feedbackPacketCount = b.readUInt8(at: o + 19)

        var symbols: [UInt8] = []
        symbols.reserveCapacity(statusCount)
        var offset = o + 20
        while symbols.count < statusCount {
            guard offset + 2 <= end else { throw .tooShort }
            let chunk = b.readUInt16(at: offset)
            offset += 2
            let remaining = statusCount - symbols.count
            if chunk & 0x8000 == 0 {  // run-length chunk
                let symbol = UInt8((chunk >> 13) & 0x3)
                let run = min(Int(chunk & 0x1FFF), remaining)
                symbols.append(contentsOf: repeatElement(symbol, count: run))
            } else if chunk & 0x4000 == 0 {  // status vector, 14 one-bit symbols
                for i in 0..<min(14, remaining) {
                    symbols.append(UInt8((chunk >> (13 - i)) & 0x1))
                }
            } else {  // status vector, 7 two-bit symbols
                for i in 0..<min(7, remaining) {
                    symbols.append(UInt8((chunk >> (12 - 2 * i)) & 0x3))
                }
            }
        }
        var packets: [PacketResult] = []
        packets.reserveCapacity(statusCount)
        var seq = baseSequenceNumber
        for symbol in symbols {
            switch symbol {
            case 0:
                packets.append(PacketResult(sequenceNumber: seq, receiveDelta: nil))
            case 1:
                guard offset + 1 <= end else { throw .tooShort }
                packets.append(PacketResult(sequenceNumber: seq, receiveDelta: Int16(b.readUInt8(at: offset))))
                offset += 1
            case 2:
                guard offset + 2 <= end else { throw .tooShort }
                packets.append(
                    PacketResult(sequenceNumber: seq, receiveDelta: Int16(bitPattern: b.readUInt16(at: offset))))
                offset += 2
            default:
                throw .valueOutOfRange
            }
            seq &+= 1
        }
        self.packets = packets
    }

    /// Packet status chunks for `packets`: a greedy choice of run-length chunks for runs of
    /// 7 or more equal symbols and status vectors otherwise.
    private func chunks() -> [UInt16] {
        let symbols = packets.map { $0.status.rawValue }
        var chunks: [UInt16] = []
        var i = 0
        while i < symbols.count {
            var run = 1
            while i + run < symbols.count, symbols[i + run] == symbols[i], run < 0x1FFF { run += 1 }
            let window14 = symbols[i..<min(i + 14, symbols.count)]
            if run >= 14 || (run == symbols.count - i && run >= 7) {
                chunks.append(UInt16(symbols[i]) << 13 | UInt16(run))
                i += run
            } else if window14.allSatisfy({ $0 <= 1 }) {
                var chunk: UInt16 = 0x8000
                for (k, symbol) in window14.enumerated() { chunk |= UInt16(symbol) << (13 - k) }
                chunks.append(chunk)
                i += window14.count
            } else {
                let window7 = symbols[i..<min(i + 7, symbols.count)]
                var chunk: UInt16 = 0xC000
                for (k, symbol) in window7.enumerated() { chunk |= UInt16(symbol) << (12 - 2 * k) }
                chunks.append(chunk)
                i += window7.count
            }
        }
        return chunks
    }

    private var deltaBytes: Int {
        packets.reduce(0) { total, result in
            switch result.status {
            case .notReceived: total
            case .receivedSmallDelta: total + 1
            case .receivedLargeDelta: total + 2
            }
        }
    }

    /// Writes the packet (zero-padded to 32 bits) at the start of `buffer`; returns its length.
    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        guard packets.count <= 0xFFFF else { throw .valueOutOfRange }
        let chunks = chunks()
        let unpadded = 20 + chunks.count * 2 + deltaBytes
        let total = (unpadded + 3) / 4 * 4
        guard total <= buffer.count else { throw .bufferTooSmall }
        guard total / 4 - 1 <= 0xFFFF else { throw .valueOutOfRange }
        writeFeedbackHeader(
            buffer, format: RTCPFeedbackFormat.transportWideCC, packetType: RTCPPacketType.transportFeedback,
            length: total, senderSSRC: senderSSRC, mediaSSRC: mediaSSRC)
        buffer.writeUInt16(baseSequenceNumber, at: 12)
        buffer.writeUInt16(UInt16(packets.count), at: 14)
        buffer.writeUInt24(UInt32(bitPattern: referenceTime) & 0xFF_FFFF, at: 16)
        buffer.writeUInt8(feedbackPacketCount, at: 19)
        var offset = 20
        for chunk in chunks {
            buffer.writeUInt16(chunk, at: offset)
            offset += 2
        }
        for result in packets {
            guard let delta = result.receiveDelta else { continue }
            if result.status == .receivedSmallDelta {
                buffer.writeUInt8(UInt8(delta), at: offset)
                offset += 1
            } else {
                buffer.writeUInt16(UInt16(bitPattern: delta), at: offset)
                offset += 2
            }
        }
        while offset < total {
            buffer.writeUInt8(0, at: offset)
            offset += 1
        }
        return total
    }
}
