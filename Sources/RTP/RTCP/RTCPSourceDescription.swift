import SFUBase
/// A source description packet (RFC 3550 §6.5): per-SSRC items such as the CNAME.
public struct RTCPSourceDescription: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        /// Item type: 1 CNAME, 2 NAME, … (RFC 3550 §6.5).
        public var type: UInt8
        public var value: [UInt8]

        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }

        public static func cname(_ text: String) -> Item { Item(type: 1, value: Array(text.utf8)) }
    }

    public struct Chunk: Sendable, Equatable {
        public var ssrc: UInt32
        public var items: [Item]

        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }

        /// The CNAME item as text, if present and valid UTF-8.
        public var cname: String? {
            guard let item = items.first(where: { $0.type == 1 }) else { return nil }
            return decodeUTF8(item.value)
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }

    /// One chunk carrying only a CNAME, the common case.
    public init(ssrc: UInt32, cname: String) {
        chunks = [Chunk(ssrc: ssrc, items: [.cname(cname)])]
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(packet, type: RTCPPacketType.sourceDescription, minimumBody: 0)
        let b = packet.buffer
        let end = packet.offset + packet.length - packet.paddingLength
        var offset = packet.offset + 4
        var chunks: [Chunk] = []
        for _ in 0..<packet.count {
            guard offset + 4 <= end else { throw .tooShort }
            var chunk = Chunk(ssrc: b.readUInt32(at: offset), items: [])
            offset += 4
            while true {
                guard offset < end else { throw .tooShort }
                let type = b.readUInt8(at: offset)
                if type == 0 {
                    // The null item ends the list; the chunk is padded to a 32-bit boundary.
                    offset = (offset - packet.offset + 4) / 4 * 4 + packet.offset
                    break
                }
                guard offset + 2 <= end else { throw .tooShort }
                let length = Int(b.readUInt8(at: offset + 1))
                guard offset + 2 + length <= end else { throw .tooShort }
                let value = Array(UnsafeRawBufferPointer(rebasing: b[(offset + 2)..<(offset + 2 + length)]))
                chunk.items.append(Item(type: type, value: value))
                offset += 2 + length
            }
            chunks.append(chunk)
        }
        self.chunks = chunks
    }

    private static func chunkLength(_ chunk: Chunk) -> Int {
        let raw = 4 + chunk.items.reduce(0) { $0 + 2 + $1.value.count } + 1
        return (raw + 3) / 4 * 4
    }

    public var length: Int { 4 + chunks.reduce(0) { $0 + Self.chunkLength($1) } }

    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        guard chunks.count <= 31 else { throw .valueOutOfRange }
        for chunk in chunks {
            for item in chunk.items where item.type == 0 || item.value.count > 255 { throw .valueOutOfRange }
        }
        let total = length
        guard total <= buffer.count else { throw .bufferTooSmall }
        writeRTCPHeader(
            buffer, at: 0, count: UInt8(chunks.count), packetType: RTCPPacketType.sourceDescription, length: total)
        var offset = 4
        for chunk in chunks {
            let chunkEnd = offset + Self.chunkLength(chunk)
            buffer.writeUInt32(chunk.ssrc, at: offset)
            offset += 4
            for item in chunk.items {
                buffer.writeUInt8(item.type, at: offset)
                buffer.writeUInt8(UInt8(item.value.count), at: offset + 1)
                offset += 2
                for byte in item.value {
                    buffer.writeUInt8(byte, at: offset)
                    offset += 1
                }
            }
            while offset < chunkEnd {
                buffer.writeUInt8(0, at: offset)
                offset += 1
            }
        }
        return total
    }
}

/// A goodbye packet (RFC 3550 §6.6).
public struct RTCPGoodbye: Sendable, Equatable {
    /// At most 31 sources.
    public var ssrcs: [UInt32]
    /// Optional reason text (at most 255 bytes of UTF-8).
    public var reason: [UInt8]

    public init(ssrcs: [UInt32], reason: String = "") {
        self.ssrcs = ssrcs
        self.reason = Array(reason.utf8)
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(packet, type: RTCPPacketType.goodbye, minimumBody: Int(packet.count) * 4)
        let b = packet.buffer
        let end = packet.offset + packet.length - packet.paddingLength
        var offset = packet.offset + 4
        ssrcs = []
        for _ in 0..<packet.count {
            ssrcs.append(b.readUInt32(at: offset))
            offset += 4
        }
        reason = []
        if offset < end {
            let length = Int(b.readUInt8(at: offset))
            guard offset + 1 + length <= end else { throw .tooShort }
            reason = Array(UnsafeRawBufferPointer(rebasing: b[(offset + 1)..<(offset + 1 + length)]))
        }
    }

    public var reasonText: String? { decodeUTF8(reason) }

    public var length: Int {
        4 + ssrcs.count * 4 + (reason.isEmpty ? 0 : (1 + reason.count + 3) / 4 * 4)
    }

    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        guard ssrcs.count <= 31, reason.count <= 255 else { throw .valueOutOfRange }
        let total = length
        guard total <= buffer.count else { throw .bufferTooSmall }
        writeRTCPHeader(buffer, at: 0, count: UInt8(ssrcs.count), packetType: RTCPPacketType.goodbye, length: total)
        var offset = 4
        for ssrc in ssrcs {
            buffer.writeUInt32(ssrc, at: offset)
            offset += 4
        }
        if !reason.isEmpty {
            buffer.writeUInt8(UInt8(reason.count), at: offset)
            offset += 1
            for byte in reason {
                buffer.writeUInt8(byte, at: offset)
                offset += 1
            }
            while offset < total {
                buffer.writeUInt8(0, at: offset)
                offset += 1
            }
        }
        return total
    }
}

/// Strict UTF-8 decoding without Foundation: nil when the bytes needed repair.
func decodeUTF8(_ bytes: [UInt8]) -> String? {
    let text = String(decoding: bytes, as: UTF8.self)
    return text.utf8.elementsEqual(bytes) ? text : nil
}
