import Testing
import TestSupport
@testable import RTP

/// Every packet sent to a subscriber carries our transport-wide sequence number: rewritten where
/// the element is there, added (with its block when needed) where it is not, without touching
/// anything else of the packet.
@Suite struct TransportSequenceStampTests {
    /// Stamps `bytes` (with 16 spare bytes of room) and returns the packet's fields afterwards.
    func stamp(_ builder: RTPPacketBuilder, id: UInt8 = 3, sequence: UInt16 = 0xBEEF, room: Int = 16) throws
        -> (bytes: [UInt8], length: Int?)
    {
        let original = builder.bytes()
        var buffer = original + Array(repeating: 0xEE, count: room)
        let length = buffer.withUnsafeMutableBytes { raw in
            RTPPacket.stampTransportSequence(sequence, id: id, in: raw, length: original.count, capacity: raw.count)
        }
        return (Array(buffer.prefix(length ?? original.count)), length)
    }

    func expectSameMedia(_ bytes: [UInt8], as builder: RTPPacketBuilder, extensions: [(UInt8, [UInt8])]) throws {
        var copy = bytes
        try copy.withUnsafeMutableBytes { raw in
            let packet = try RTPPacket(buffer: raw, length: raw.count)
            #expect(packet.ssrc == builder.ssrc && packet.sequenceNumber == builder.sequenceNumber)
            #expect(packet.marker == builder.marker && packet.payloadType == builder.payloadType)
            #expect(packet.csrcCount == builder.csrcs.count)
            #expect(Array(packet.payload) == builder.payload)
            #expect(packet.paddingLength == Int(builder.paddingLength))
            for (id, value) in extensions {
                #expect(packet.extensionElement(id: id).map(Array.init) == value, "element \(id)")
            }
        }
    }

    @Test func rewritesAnElementThatIsThere() throws {
        var builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 5, timestamp: 1, ssrc: 9, payload: [1, 2, 3])
        builder.extensions = [(4, Array("0".utf8)), (3, [0, 1])]
        let result = try stamp(builder)
        #expect(result.length == builder.bytes().count)
        try expectSameMedia(result.bytes, as: builder, extensions: [(4, Array("0".utf8)), (3, [0xBE, 0xEF])])
    }

    @Test func addsABlockToAPacketWithoutExtensions() throws {
        var builder = RTPPacketBuilder(payloadType: 111, sequenceNumber: 7, timestamp: 1, ssrc: 9, payload: [9, 8, 7, 6, 5])
        builder.csrcs = [1, 2]
        builder.paddingLength = 3
        builder.marker = true
        let result = try stamp(builder)
        #expect(result.length == builder.bytes().count + 8)
        try expectSameMedia(result.bytes, as: builder, extensions: [(3, [0xBE, 0xEF])])
    }

    @Test func appendsToAOneByteBlockGrowingItOnlyWhenItsPaddingIsTooShort() throws {
        // "ab" (3 bytes with its header) leaves one byte of padding in the word: the element
        // needs 3, so the block grows by a word.
        var builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 9, payload: [1, 2])
        builder.extensions = [(4, Array("ab".utf8))]
        let grown = try stamp(builder)
        #expect(grown.length == builder.bytes().count + 4)
        try expectSameMedia(grown.bytes, as: builder, extensions: [(4, Array("ab".utf8)), (3, [0xBE, 0xEF])])

        // A 4-byte element plus its header leaves 3 bytes of padding: the element fits there.
        builder.extensions = [(4, [1, 2, 3, 4])]
        let inPlace = try stamp(builder)
        #expect(inPlace.length == builder.bytes().count)
        try expectSameMedia(inPlace.bytes, as: builder, extensions: [(4, [1, 2, 3, 4]), (3, [0xBE, 0xEF])])
    }

    @Test func appendsToATwoByteBlock() throws {
        var builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 9, payload: [1, 2, 3])
        builder.extensions = [(20, [7])]
        builder.forceTwoByteExtensions = true
        let result = try stamp(builder, id: 30)
        try expectSameMedia(try #require(Optional(result.bytes)), as: builder, extensions: [(20, [7]), (30, [0xBE, 0xEF])])
    }

    @Test func leavesThePacketAloneWhenItCannot() throws {
        var builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 9, payload: [1, 2, 3])
        #expect(try stamp(builder, room: 7).length == nil, "no room for 8 bytes")
        #expect(try stamp(builder, id: 15).length == nil, "a one-byte block cannot carry id 15")
        builder.extensions = [(3, [1, 2, 3])]
        #expect(try stamp(builder).length == nil, "an element of that id with another length")
        var garbage: [UInt8] = [0x00, 1, 2]
        let length = garbage.withUnsafeMutableBytes {
            RTPPacket.stampTransportSequence(1, id: 3, in: $0, length: 3, capacity: 3)
        }
        #expect(length == nil)
    }

    @Test func randomPacketsNeverTrapAndStayParsable() throws {
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<5_000 {
            var bytes = (0..<Int.random(in: 0...60, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let length = bytes.count
            bytes += Array(repeating: 0, count: 8)
            let id = UInt8.random(in: 1...20, using: &rng)
            let stamped = bytes.withUnsafeMutableBytes {
                RTPPacket.stampTransportSequence(0x1234, id: id, in: $0, length: length, capacity: $0.count)
            }
            if let stamped {
                try bytes.withUnsafeMutableBytes { raw in
                    let packet = try RTPPacket(buffer: raw, length: stamped)
                    #expect(packet.extensionElement(id: id).map(Array.init) == [0x12, 0x34])
                }
            }
        }
    }
}
