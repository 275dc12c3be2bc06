import SFUBase
/// A generic NACK (RFC 4585 §6.2.1): lost RTP sequence numbers as PID + BLP pairs.
///
/// Parsing keeps the pairs; `forEachLostSequenceNumber` expands them without allocating,
/// which is what a retransmission path wants.
public struct RTCPGenericNACK: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        /// Packet id: the first lost sequence number.
        public var packetID: UInt16
        /// Bitmask of following lost packets: bit i set means packetID + i + 1 was lost.
        public var lostBitmask: UInt16

        public init(packetID: UInt16, lostBitmask: UInt16) {
            self.packetID = packetID
            self.lostBitmask = lostBitmask
        }
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var items: [Item]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, items: [Item]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.items = items
    }

    /// Packs sequence numbers (in RTP order, wrap-aware: each at most 2^15 after the first)
    /// into as few PID+BLP items as a greedy pass allows.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        var items: [Item] = []
        for seq in lostSequenceNumbers {
            if var last = items.last {
                let distance = seq &- last.packetID
                if distance == 0 { continue }
                if distance <= 16 {
                    last.lostBitmask |= 1 << (distance - 1)
                    items[items.count - 1] = last
                    continue
                }
            }
            items.append(Item(packetID: seq, lostBitmask: 0))
        }
        self.items = items
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(
            packet, type: RTCPPacketType.transportFeedback, format: RTCPFeedbackFormat.genericNACK, minimumBody: 8)
        let b = packet.buffer
        senderSSRC = b.readUInt32(at: packet.offset + 4)
        mediaSSRC = b.readUInt32(at: packet.offset + 8)
        let end = packet.offset + packet.length - packet.paddingLength
        var offset = packet.offset + 12
        items = []
        while offset + 4 <= end {
            items.append(Item(packetID: b.readUInt16(at: offset), lostBitmask: b.readUInt16(at: offset + 2)))
            offset += 4
        }
    }

    /// Calls `body` for each lost sequence number in item order.
    public func forEachLostSequenceNumber(_ body: (UInt16) -> Void) {
        for item in items {
            body(item.packetID)
            var mask = item.lostBitmask
            var i: UInt16 = 1
            while mask != 0 {
                if mask & 1 != 0 { body(item.packetID &+ i) }
                mask >>= 1
                i += 1
            }
        }
    }

    /// All lost sequence numbers, expanded.
    public var lostSequenceNumbers: [UInt16] {
        var out: [UInt16] = []
        forEachLostSequenceNumber { out.append($0) }
        return out
    }

    public var length: Int { 12 + items.count * 4 }

    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        let total = length
        guard total <= buffer.count else { throw .bufferTooSmall }
        guard total / 4 - 1 <= 0xFFFF else { throw .valueOutOfRange }
        writeFeedbackHeader(
            buffer, format: RTCPFeedbackFormat.genericNACK, packetType: RTCPPacketType.transportFeedback,
            length: total, senderSSRC: senderSSRC, mediaSSRC: mediaSSRC)
        for (i, item) in items.enumerated() {
            buffer.writeUInt16(item.packetID, at: 12 + i * 4)
            buffer.writeUInt16(item.lostBitmask, at: 14 + i * 4)
        }
        return total
    }
}
