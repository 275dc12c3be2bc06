import Testing

@testable import sfu_load

@Suite struct WebSocketFrameTests {
    /// RFC 6455 §5.7's masked "Hello" example, byte for byte.
    @Test func encodesTheRFCMaskedExample() {
        let frame = WebSocketFrame.encode(.text, payload: Array("Hello".utf8), maskKey: (0x37, 0xFA, 0x21, 0x3D))
        #expect(frame == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    @Test func lengthEncodingsAtTheirBoundaries() throws {
        for count in [0, 125, 126, 65_535, 65_536] {
            let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0) }
            let frame = WebSocketFrame.encode(.binary, payload: payload, maskKey: (1, 2, 3, 4))
            let header = count < 126 ? 2 : count <= 0xFFFF ? 4 : 10
            #expect(frame.count == header + 4 + count)
            var decoder = WebSocketFrameDecoder()
            #expect(try decoder.feed(frame) == [WebSocketMessage(opcode: .binary, payload: payload)])
        }
    }

    @Test func decodesUnmaskedServerFramesFedByteByByte() throws {
        // RFC 6455 §5.7: unfragmented unmasked "Hello", then a ping.
        let bytes: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x89, 0x02, 0x61, 0x62]
        var decoder = WebSocketFrameDecoder()
        var messages: [WebSocketMessage] = []
        for byte in bytes { messages += try decoder.feed([byte]) }
        #expect(messages == [
            WebSocketMessage(opcode: .text, payload: Array("Hello".utf8)),
            WebSocketMessage(opcode: .ping, payload: Array("ab".utf8)),
        ])
    }

    @Test func joinsFragmentsAroundAControlFrame() throws {
        // "Hel" + ping + "lo" (RFC 6455 §5.4: control frames may be interleaved).
        let bytes: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C, 0x89, 0x00, 0x80, 0x02, 0x6C, 0x6F]
        var decoder = WebSocketFrameDecoder()
        #expect(try decoder.feed(bytes) == [
            WebSocketMessage(opcode: .ping, payload: []),
            WebSocketMessage(opcode: .text, payload: Array("Hello".utf8)),
        ])
    }

    @Test func rejectsMalformedFrames() {
        var reserved = WebSocketFrameDecoder()
        #expect(throws: WebSocketError.reservedBits) { try reserved.feed([0xC1, 0x00]) }
        var opcode = WebSocketFrameDecoder()
        #expect(throws: WebSocketError.unknownOpcode(3)) { try opcode.feed([0x83, 0x00]) }
        var continuation = WebSocketFrameDecoder()
        #expect(throws: WebSocketError.unexpectedContinuation) { try continuation.feed([0x80, 0x00]) }
        var fragmentedPing = WebSocketFrameDecoder()
        #expect(throws: WebSocketError.badControlFrame) { try fragmentedPing.feed([0x09, 0x00]) }
        var huge = WebSocketFrameDecoder()
        #expect(throws: WebSocketError.tooLarge) { try huge.feed([0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0]) }
    }

    @Test func findsTheEndOfTheHandshakeHead() {
        let head = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8)
        #expect(JanusWebSocketClient.headerEnd(head + [0x81, 0x00]) == head.count - 4)
        #expect(JanusWebSocketClient.headerEnd(Array("HTTP/1.1 101\r\n".utf8)) == nil)
    }
}
