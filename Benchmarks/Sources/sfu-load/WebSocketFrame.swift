/// RFC 6455 §5 framing for the harness's Janus WebSocket client. Sans-IO: `encode` builds a
/// client frame (always masked, §5.3), `WebSocketFrameDecoder` turns received bytes into
/// messages (server frames are unmasked; fragments joined, §5.4). Used by one thread at a time.
enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA
}

enum WebSocketFrame {
    /// One final frame carrying `payload`, masked with `maskKey`.
    static func encode(_ opcode: WebSocketOpcode, payload: [UInt8], maskKey: (UInt8, UInt8, UInt8, UInt8)) -> [UInt8] {
        var frame: [UInt8] = [0x80 | opcode.rawValue]
        frame.reserveCapacity(payload.count + 14)
        let count = payload.count
        if count < 126 {
            frame.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            frame += [0x80 | 126, UInt8(count >> 8), UInt8(truncatingIfNeeded: count)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: UInt64(count) >> UInt64(shift))) }
        }
        let key = [maskKey.0, maskKey.1, maskKey.2, maskKey.3]
        frame += key
        for (index, byte) in payload.enumerated() { frame.append(byte ^ key[index & 3]) }
        return frame
    }
}

/// A message or control frame decoded from the server.
struct WebSocketMessage: Equatable {
    var opcode: WebSocketOpcode
    var payload: [UInt8]
}

enum WebSocketError: Error, Equatable {
    case reservedBits
    case unknownOpcode(UInt8)
    case badControlFrame
    case unexpectedContinuation
    case tooLarge
}

struct WebSocketFrameDecoder {
    static let maxMessage = 16 << 20
    private var buffer: [UInt8] = []
    private var fragments: [UInt8] = []
    private var fragmentOpcode: WebSocketOpcode?

    /// Appends received bytes and returns every complete message (control frames as they come).
    mutating func feed(_ bytes: some Collection<UInt8>) throws(WebSocketError) -> [WebSocketMessage] {
        buffer += bytes
        var messages: [WebSocketMessage] = []
        var offset = 0
        while let frame = try parseFrame(at: offset) {
            offset = frame.end
            if let message = try assemble(fin: frame.fin, opcode: frame.opcode, payload: frame.payload) {
                messages.append(message)
            }
        }
        buffer.removeFirst(offset)
        return messages
    }

    private func parseFrame(at start: Int) throws(WebSocketError) -> (fin: Bool, opcode: UInt8, payload: [UInt8], end: Int)? {
        guard buffer.count - start >= 2 else { return nil }
        let first = buffer[start]
        let second = buffer[start + 1]
        guard first & 0x70 == 0 else { throw .reservedBits }
        var length = Int(second & 0x7F)
        var offset = start + 2
        if length == 126 {
            guard buffer.count - offset >= 2 else { return nil }
            length = Int(buffer[offset]) << 8 | Int(buffer[offset + 1])
            offset += 2
        } else if length == 127 {
            guard buffer.count - offset >= 8 else { return nil }
            var value: UInt64 = 0
            for index in 0..<8 { value = value << 8 | UInt64(buffer[offset + index]) }
            guard value <= UInt64(Self.maxMessage) else { throw .tooLarge }
            length = Int(value)
            offset += 8
        }
        var key: [UInt8]?
        if second & 0x80 != 0 {
            guard buffer.count - offset >= 4 else { return nil }
            key = Array(buffer[offset..<(offset + 4)])
            offset += 4
        }
        guard buffer.count - offset >= length else { return nil }
        var payload = Array(buffer[offset..<(offset + length)])
        if let key { for index in payload.indices { payload[index] ^= key[index & 3] } }
        return (first & 0x80 != 0, first & 0x0F, payload, offset + length)
    }

    private mutating func assemble(fin: Bool, opcode raw: UInt8, payload: [UInt8]) throws(WebSocketError) -> WebSocketMessage? {
        guard let opcode = WebSocketOpcode(rawValue: raw) else { throw .unknownOpcode(raw) }
        switch opcode {
        case .close, .ping, .pong:
            // Control frames are never fragmented and carry at most 125 bytes (§5.5).
            guard fin, payload.count <= 125 else { throw .badControlFrame }
            return WebSocketMessage(opcode: opcode, payload: payload)
        case .continuation:
            guard let first = fragmentOpcode else { throw .unexpectedContinuation }
            fragments += payload
            guard fragments.count <= Self.maxMessage else { throw .tooLarge }
            guard fin else { return nil }
            defer {
                fragments = []
                fragmentOpcode = nil
            }
            return WebSocketMessage(opcode: first, payload: fragments)
        case .text, .binary:
            guard fragmentOpcode == nil else { throw .unexpectedContinuation }
            if fin { return WebSocketMessage(opcode: opcode, payload: payload) }
            fragmentOpcode = opcode
            fragments = payload
            return nil
        }
    }
}
