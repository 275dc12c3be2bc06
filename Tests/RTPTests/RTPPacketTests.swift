import Testing
import TestSupport
@testable import RTP

@Suite struct RTPPacketTests {
    @Test func builderRoundTripWithCSRCsExtensionsAndPadding() throws {
        var builder = RTPPacketBuilder(
            payloadType: 111, sequenceNumber: 0xFFFE, timestamp: 0xDEAD_BEEF, ssrc: 0x0102_0304, marker: true,
            payload: [1, 2, 3, 4, 5])
        builder.csrcs = [7, 8]
        builder.extensions = [(1, [0xAA]), (5, [1, 2, 3, 4]), (14, Array(repeating: 9, count: 16))]
        builder.paddingLength = 3
        var bytes = builder.bytes()
        try bytes.withUnsafeMutableBytes { raw in
            let packet = try RTPPacket(buffer: raw, length: raw.count)
            #expect(packet.version == 2)
            #expect(packet.marker)
            #expect(packet.payloadType == 111)
            #expect(packet.sequenceNumber == 0xFFFE)
            #expect(packet.timestamp == 0xDEAD_BEEF)
            #expect(packet.ssrc == 0x0102_0304)
            #expect(packet.csrcCount == 2)
            #expect(packet.csrc(at: 1) == 8)
            #expect(packet.csrc(at: 2) == nil)
            #expect(packet.paddingLength == 3)
            #expect(Array(packet.payload) == [1, 2, 3, 4, 5])
            #expect(packet.extensionProfile == 0xBEDE)
            let extensions = try #require(packet.headerExtensions)
            #expect(extensions.form == .oneByte)
            #expect(extensions.map(\.id) == [1, 5, 14])
            #expect(Array(try #require(packet.extensionElement(id: 5))) == [1, 2, 3, 4])
            #expect(packet.extensionElement(id: 2) == nil)

            // In-place edits.
            packet.marker = false
            packet.payloadType = 96
            packet.sequenceNumber = 7
            packet.timestamp = 9
            packet.ssrc = 0xABCD
            try extensions.rewrite(id: 5, with: [9, 8, 7, 6])
            #expect(throws: RTPError.extensionElementMismatch) { try extensions.rewrite(id: 5, with: [1]) }
        }
        bytes.withUnsafeMutableBytes { raw in
            guard let packet = try? RTPPacket(buffer: raw, length: raw.count) else {
                Issue.record("re-parse failed")
                return
            }
            #expect(!packet.marker && packet.payloadType == 96 && packet.sequenceNumber == 7)
            #expect(packet.timestamp == 9 && packet.ssrc == 0xABCD)
            #expect(packet.extensionElement(id: 5).map(Array.init) == [9, 8, 7, 6])
        }
    }

    @Test func twoByteExtensionsAndRemap() throws {
        var builder = RTPPacketBuilder(ssrc: 1, payload: [0xEE])
        builder.forceTwoByteExtensions = true
        builder.extensions = [(3, []), (200, [1, 2, 3]), (4, Array(repeating: 5, count: 20))]
        var bytes = builder.bytes()
        try bytes.withUnsafeMutableBytes { raw in
            let packet = try RTPPacket(buffer: raw, length: raw.count)
            let extensions = try #require(packet.headerExtensions)
            #expect(extensions.form == .twoByte)
            #expect(extensions.map(\.id) == [3, 200, 4])
            #expect(extensions.map(\.valueLength) == [0, 3, 20])
            try extensions.remapIDs(RTPHeaderExtensionIDMap([200: 9, 4: 0], dropUnlisted: false))
            #expect(extensions.map(\.id) == [3, 9])  // 4 became padding
            #expect(Array(packet.payload) == [0xEE])
        }
    }

    @Test func oneByteRemapRejectsUnrepresentableIDs() throws {
        var builder = RTPPacketBuilder(ssrc: 1)
        builder.extensions = [(1, [1]), (2, [2, 2])]
        var bytes = builder.bytes()
        let original = bytes
        try bytes.withUnsafeMutableBytes { raw in
            let extensions = try #require(try RTPPacket(buffer: raw, length: raw.count).headerExtensions)
            #expect(throws: RTPError.extensionIDOutOfRange) {
                try extensions.remapIDs(RTPHeaderExtensionIDMap([1: 3, 2: 15], dropUnlisted: false))
            }
        }
        #expect(bytes == original)
        try bytes.withUnsafeMutableBytes { raw in
            let extensions = try #require(try RTPPacket(buffer: raw, length: raw.count).headerExtensions)
            try extensions.remapIDs(RTPHeaderExtensionIDMap([2: 7], dropUnlisted: true))
            #expect(extensions.map(\.id) == [7])
            #expect(extensions.element(id: 7)?.valueLength == 2)
        }
    }

    @Test func malformedPacketsAreRejected() {
        let good = RTPPacketBuilder(ssrc: 5, payload: [1, 2, 3]).bytes()
        func parse(_ bytes: [UInt8]) -> RTPError? {
            var copy = bytes
            return copy.withUnsafeMutableBytes { raw in
                do throws(RTPError) {
                    _ = try RTPPacket(buffer: raw, length: raw.count)
                    return nil
                } catch { return error }
            }
        }
        #expect(parse(good) == nil)
        #expect(parse(Array(good.prefix(11))) == .tooShort)
        #expect(parse([]) == .tooShort)
        var badVersion = good
        badVersion[0] = 0x40
        #expect(parse(badVersion) == .badVersion)
        var tooManyCSRC = good
        tooManyCSRC[0] = 0x8F
        #expect(parse(tooManyCSRC) == .tooShort)
        var badExtension = good
        badExtension[0] = 0x90  // X set: the 3 payload bytes cannot hold an extension header
        #expect(parse(badExtension) == .tooShort)
        var extensionTooLong = RTPPacketBuilder(ssrc: 1).bytes() + [0xBE, 0xDE, 0x00, 0x05, 0x10, 0x00, 0, 0]
        extensionTooLong[0] |= 0x10
        #expect(parse(extensionTooLong) == .badExtensionLength)
        var badPadding = good
        badPadding[0] |= 0x20
        badPadding[badPadding.count - 1] = 200
        #expect(parse(badPadding) == .badPadding)
        badPadding[badPadding.count - 1] = 0
        #expect(parse(badPadding) == .badPadding)
    }

    /// Random bytes never trap the parser or the extension iterator.
    @Test func randomBytesNeverTrap() {
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<20_000 {
            var bytes = randomBytes(Int.random(in: 0...64, using: &rng), using: &rng)
            if !bytes.isEmpty, Bool.random(using: &rng) { bytes[0] = 0x90 | (bytes[0] & 0x2F) }
            if bytes.count > 14, Bool.random(using: &rng) { bytes[12] = 0xBE; bytes[13] = 0xDE }
            bytes.withUnsafeMutableBytes { raw in
                guard let packet = try? RTPPacket(buffer: raw, length: raw.count) else { return }
                _ = packet.payload.count
                _ = packet.vp8Descriptor
                if let extensions = packet.headerExtensions {
                    for element in extensions { _ = element.value(in: raw).count }
                    try? extensions.remapIDs(RTPHeaderExtensionIDMap([1: 2], dropUnlisted: true))
                }
            }
        }
    }

    @Test func extensionIterationStopsAtMalformedElement() throws {
        // One-byte element claiming 16 bytes in a 4-byte block.
        var bytes = RTPPacketBuilder(ssrc: 1).bytes() + [0xBE, 0xDE, 0x00, 0x01, 0x2F, 0x00, 0x00, 0x00]
        bytes[0] |= 0x10
        try bytes.withUnsafeMutableBytes { raw in
            let extensions = try #require(try RTPPacket(buffer: raw, length: raw.count).headerExtensions)
            #expect(Array(extensions).isEmpty)
        }
    }
}

@Suite struct VP8DescriptorTests {
    @Test func keyframeWithPictureIDAndTemporalLayer() throws {
        // X=1 S=1 PID=0; I=1 L=1 T=1; M=1 picture id 0x1234; TL0PICIDX 7; TID 2 Y=1; VP8 header P=0.
        let payload: [UInt8] = [0x90, 0xE0, 0x92, 0x34, 0x07, 0xA0, 0x10, 0x02, 0x00]
        let d = try #require(payload.withUnsafeBytes { VP8PayloadDescriptor(payload: $0) })
        #expect(d.isStartOfPartition && d.partitionIndex == 0)
        #expect(d.pictureID == 0x1234 && d.pictureIDIs15Bit)
        #expect(d.tl0PictureIndex == 7)
        #expect(d.temporalLayer == 2 && d.layerSync)
        #expect(d.keyIndex == nil)
        #expect(d.length == 6)
        #expect(d.isKeyframe)

        var copy = payload
        copy.withUnsafeMutableBytes { VP8PayloadDescriptor.rewritePictureID(0x0042, in: $0, descriptor: d) }
        let again = copy.withUnsafeBytes { VP8PayloadDescriptor(payload: $0) }
        #expect(again?.pictureID == 0x0042)
    }

    @Test func interframeAndContinuation() {
        let inter: [UInt8] = [0x10, 0x01]  // S=1 PID=0, P=1
        #expect(inter.withUnsafeBytes { VP8PayloadDescriptor(payload: $0) }?.isKeyframe == false)
        let continuation: [UInt8] = [0x00, 0x00]  // S=0
        #expect(continuation.withUnsafeBytes { VP8PayloadDescriptor(payload: $0) }?.isKeyframe == false)
        let shortPictureID: [UInt8] = [0x80, 0x80, 0x05, 0x00]
        let d = shortPictureID.withUnsafeBytes { VP8PayloadDescriptor(payload: $0) }
        #expect(d?.pictureID == 5 && d?.pictureIDIs15Bit == false && d?.temporalLayer == nil)
    }

    @Test func truncatedDescriptorsReturnNil() {
        for bytes: [UInt8] in [[], [0x80], [0x80, 0x80], [0x80, 0x80, 0x80], [0x80, 0x40], [0x80, 0x20]] {
            #expect(bytes.withUnsafeBytes { VP8PayloadDescriptor(payload: $0) } == nil, "\(bytes)")
        }
    }
}

@Suite struct CodecAndExtensionHelperTests {
    @Test func vp9Descriptor() {
        // I=1 P=0 L=1 F=0 B=1 E=0 V=0; picture id 15-bit 0x0102; TID 1 U=1 SID 0 D=0; TL0PICIDX 9.
        let key: [UInt8] = [0xA8, 0x81, 0x02, 0x30, 0x09]
        let d = key.withUnsafeBytes { VP9PayloadDescriptor(payload: $0) }
        #expect(d?.pictureID == 0x0102 && d?.temporalLayer == 1 && d?.spatialLayer == 0)
        #expect(d?.isSwitchingUpPoint == true && d?.tl0PictureIndex == 9 && d?.isKeyframe == true)
        let inter: [UInt8] = [0xE8, 0x05, 0x22, 0x01]  // P=1, SID 1
        let i = inter.withUnsafeBytes { VP9PayloadDescriptor(payload: $0) }
        #expect(i?.isKeyframe == false && i?.spatialLayer == 1 && i?.pictureID == 5)
        for bytes: [UInt8] in [[], [0x80], [0xA0, 0x01], [0xA0, 0x01, 0x00]] {
            #expect(bytes.withUnsafeBytes { VP9PayloadDescriptor(payload: $0) } == nil)
        }
    }

    @Test func h264Keyframes() {
        func key(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { H264Payload.isKeyframe(payload: $0) } }
        #expect(key([0x65, 0x88]))  // IDR
        #expect(key([0x67, 0x42]))  // SPS
        #expect(!key([0x41, 0x9A]))  // non-IDR slice
        #expect(key([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68]))  // STAP-A with SPS
        #expect(!key([0x78, 0x00, 0x09, 0x67]))  // STAP-A truncated
        #expect(key([0x7C, 0x85, 0x00]))  // FU-A start of IDR
        #expect(!key([0x7C, 0x05, 0x00]))  // FU-A continuation
        #expect(!key([]))
    }

    @Test func knownExtensions() throws {
        var builder = RTPPacketBuilder(ssrc: 1, payload: [0])
        builder.extensions = [(1, [0x85]), (3, [0x12, 0x34]), (4, Array("video".utf8))]
        var bytes = builder.bytes()
        try bytes.withUnsafeMutableBytes { raw in
            let packet = try RTPPacket(buffer: raw, length: raw.count)
            #expect(packet.audioLevel(id: 1)! == (5, true))
            #expect(packet.transportSequenceNumber(id: 3) == 0x1234)
            #expect(packet.setTransportSequenceNumber(0xBEEF, id: 3))
            #expect(packet.transportSequenceNumber(id: 3) == 0xBEEF)
            #expect(!packet.setTransportSequenceNumber(1, id: 9))
            #expect(packet.textExtension(id: 4) == "video")
        }
    }

    @Test func feedbackInspectionWithoutAllocation() throws {
        var buffer = [UInt8](repeating: 0, count: 256)
        try buffer.withUnsafeMutableBytes { raw in
            var n = try RTCPReceiverReport(ssrc: 1, reportBlocks: [.init(ssrc: 5, fractionLost: 9), .init(ssrc: 6)]).write(into: raw)
            n += try RTCPGenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [100, 101, 117, 300])
                .write(into: UnsafeMutableRawBufferPointer(rebasing: raw[n...]))
            let packets = Array(try RTCPCompoundPacket(buffer: raw, length: n))
            #expect(packets[0].reportBlockCount == 2)
            #expect(packets[0].reportBlock(at: 0)?.fractionLost == 9)
            #expect(packets[0].reportBlock(at: 2) == nil)
            #expect(packets[1].isGenericNACK && packets[1].mediaSSRC == 2)
            var lost: [UInt16] = []
            try RTCPGenericNACK.forEachLostSequenceNumber(in: packets[1]) { lost.append($0) }
            #expect(lost == [100, 101, 117, 300])
        }
    }
}
