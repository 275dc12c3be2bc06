import Testing
import TestSupport
@testable import RTP

/// Writes with `write` into a fresh buffer, then parses the single packet back with `parse`.
func roundTrip<T>(
    _ write: (UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int, _ parse: (RTCPPacket) throws(RTCPError) -> T
) throws -> (T, [UInt8]) {
    var buffer = [UInt8](repeating: 0xFF, count: 2048)
    return try buffer.withUnsafeMutableBytes { raw in
        let length = try write(raw)
        #expect(length % 4 == 0)
        let compound = try RTCPCompoundPacket(buffer: raw, length: length)
        let packets = Array(compound)
        #expect(packets.count == 1)
        let packet = try #require(packets.first)
        #expect(packet.length == length)
        return (try parse(packet), Array(raw[0..<length]))
    }
}

@Suite struct RTCPTests {
    @Test func senderReportRoundTrip() throws {
        let sr = RTCPSenderReport(
            ssrc: 0x1111, ntpTimestamp: 0x0102_0304_0506_0708, rtpTimestamp: 90_000, packetCount: 10, octetCount: 1234,
            reportBlocks: [
                RTCPReportBlock(ssrc: 1, fractionLost: 25, cumulativeLost: -5, extendedHighestSequenceNumber: 0x1_0005,
                                interarrivalJitter: 17, lastSenderReport: 0xAABB_CCDD, delaySinceLastSenderReport: 65536),
                RTCPReportBlock(ssrc: 2, cumulativeLost: 0x7F_FFFF),
            ])
        let (parsed, bytes) = try roundTrip(sr.write, RTCPSenderReport.init)
        #expect(parsed == sr)
        #expect(bytes.count == 28 + 48)
        #expect(bytes[0] == 0x82 && bytes[1] == 200)
    }

    @Test func receiverReportSDESAndByeInOneCompound() throws {
        var buffer = [UInt8](repeating: 0, count: 512)
        try buffer.withUnsafeMutableBytes { raw in
            var n = try RTCPReceiverReport(ssrc: 9, reportBlocks: [RTCPReportBlock(ssrc: 3, fractionLost: 1)]).write(into: raw)
            n += try RTCPSourceDescription(ssrc: 9, cname: "abcdefgh").write(into: UnsafeMutableRawBufferPointer(rebasing: raw[n...]))
            n += try RTCPGoodbye(ssrcs: [9, 10], reason: "bye now").write(into: UnsafeMutableRawBufferPointer(rebasing: raw[n...]))
            let compound = try RTCPCompoundPacket(buffer: raw, length: n)
            let packets = Array(compound)
            #expect(packets.map(\.packetType) == [201, 202, 203])
            let rr = try RTCPReceiverReport(packets[0])
            #expect(rr.ssrc == 9 && rr.reportBlocks == [RTCPReportBlock(ssrc: 3, fractionLost: 1)])
            let sdes = try RTCPSourceDescription(packets[1])
            #expect(sdes.chunks.count == 1 && sdes.chunks[0].cname == "abcdefgh" && sdes.chunks[0].ssrc == 9)
            let bye = try RTCPGoodbye(packets[2])
            #expect(bye.ssrcs == [9, 10] && bye.reasonText == "bye now")
            #expect(throws: RTCPError.wrongType) { try RTCPSenderReport(packets[0]) }
        }
    }

    @Test func sdesWithSeveralChunks() throws {
        let sdes = RTCPSourceDescription(chunks: [
            .init(ssrc: 1, items: [.cname("a"), .init(type: 2, value: Array("name".utf8))]),
            .init(ssrc: 2, items: [.cname("xyz")]),
        ])
        let (parsed, _) = try roundTrip(sdes.write, RTCPSourceDescription.init)
        #expect(parsed == sdes)
    }

    @Test func genericNACKPacksAndExpands() throws {
        let lost: [UInt16] = [65_530, 65_531, 65_535, 0, 9, 10, 40]
        let nack = RTCPGenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: lost)
        #expect(nack.items.count == 2)  // 65530…10 fit one PID+BLP (distance ≤ 16), 40 needs another
        #expect(nack.lostSequenceNumbers == lost)
        let (parsed, bytes) = try roundTrip(nack.write, RTCPGenericNACK.init)
        #expect(parsed == nack)
        #expect(bytes[0] == 0x81 && bytes[1] == 205)
        var seen: [UInt16] = []
        parsed.forEachLostSequenceNumber { seen.append($0) }
        #expect(seen == lost)
    }

    @Test func pliAndFir() throws {
        let pli = RTCPPictureLossIndication(senderSSRC: 5, mediaSSRC: 6)
        let (parsedPLI, pliBytes) = try roundTrip(pli.write, RTCPPictureLossIndication.init)
        #expect(parsedPLI == pli && pliBytes == hex("81CE0002 00000005 00000006"))
        let fir = RTCPFullIntraRequest(senderSSRC: 5, entries: [.init(ssrc: 6, sequenceNumber: 3), .init(ssrc: 7, sequenceNumber: 255)])
        let (parsedFIR, firBytes) = try roundTrip(fir.write, RTCPFullIntraRequest.init)
        #expect(parsedFIR == fir)
        #expect(firBytes == hex("84CE0006 00000005 00000000 00000006 03000000 00000007 FF000000"))
        #expect(throws: RTCPError.wrongType) { _ = try roundTrip(pli.write, RTCPFullIntraRequest.init) }
    }

    @Test func rembEncodesMantissaAndExponent() throws {
        let remb = RTCPReceiverEstimatedMaxBitrate(senderSSRC: 1, bitrate: 2_500_000, ssrcs: [0xAAAA, 0xBBBB])
        let (parsed, bytes) = try roundTrip(remb.write) { (p: RTCPPacket) throws(RTCPError) in
            #expect(RTCPReceiverEstimatedMaxBitrate.matches(p))
            return try RTCPReceiverEstimatedMaxBitrate(p)
        }
        #expect(parsed.ssrcs == [0xAAAA, 0xBBBB])
        // 2_500_000 = 0b1001100010010110100000: 22 bits → exponent 4, mantissa 156_250.
        #expect(parsed.bitrate == 2_500_000)
        #expect(Array(bytes[12..<16]) == Array("REMB".utf8))
        #expect(bytes[16] == 2)
        let big = RTCPReceiverEstimatedMaxBitrate(senderSSRC: 1, bitrate: 1_000_000_007, ssrcs: [])
        let (parsedBig, _) = try roundTrip(big.write, RTCPReceiverEstimatedMaxBitrate.init)
        #expect(parsedBig.bitrate <= 1_000_000_007 && parsedBig.bitrate > 999_990_000)
    }

    @Test func transportWideFeedbackRoundTrip() throws {
        // Arrivals with a gap, a reordering (negative delta), a long gap and a large delta.
        var arrivals: [(sequenceNumber: UInt16, arrivalMicroseconds: Int64)] = [
            (65_534, 1_000_000), (65_535, 1_000_250), (1, 1_001_000), (2, 1_000_500), (3, 1_200_000),
        ]
        for i in 0..<30 { arrivals.append((UInt16(40 + i), 1_300_000 + Int64(i) * 1000)) }
        let fb = try RTCPTransportWideFeedback(senderSSRC: 1, mediaSSRC: 2, feedbackPacketCount: 7, arrivals: arrivals)
        #expect(fb.baseSequenceNumber == 65_534)
        #expect(fb.packets.count == 72)  // 65534 … 69
        let (parsed, bytes) = try roundTrip(fb.write, RTCPTransportWideFeedback.init)
        #expect(parsed == fb)
        #expect(bytes[0] == 0x8F && bytes[1] == 205)
        let received = parsed.arrivalTimes.compactMap { r in r.arrivalMicroseconds.map { (r.sequenceNumber, $0) } }
        #expect(received.map(\.0) == arrivals.map(\.sequenceNumber))
        #expect(received.map(\.1) == arrivals.map(\.arrivalMicroseconds))
        #expect(parsed.packets.filter { $0.receiveDelta == nil }.count == 37)
    }

    @Test func transportWideFeedbackParsesHandWrittenChunks() throws {
        // base 10, 4 packets: run-length chunk "1 × 2" then 2-bit vector [2, 0] → small, small, large, lost.
        var raw = hex("8FCD0006 00000001 00000002 000A0004 000001 05")
        raw += hex("2002")  // run-length: symbol 1, run 2
        raw += hex("E000")  // 2-bit vector: [2, 0, 0, …]
        raw += hex("04 08 FFFE")  // deltas: 1 ms, 2 ms, -0.5 ms
        raw += [0, 0, 0, 0]
        raw[3] = UInt8(raw.count / 4 - 1)
        var copy = raw
        try copy.withUnsafeMutableBytes { buffer in
            let packet = try #require(Array(try RTCPCompoundPacket(buffer: buffer, length: buffer.count)).first)
            let fb = try RTCPTransportWideFeedback(packet)
            #expect(fb.referenceTime == 1 && fb.feedbackPacketCount == 5)
            #expect(fb.packets.map(\.receiveDelta) == [4, 8, -2, nil])
            #expect(fb.packets.map(\.sequenceNumber) == [10, 11, 12, 13])
        }
    }

    @Test func malformedRTCPIsRejected() {
        func compound(_ bytes: [UInt8]) -> RTCPError? {
            var copy = bytes
            return copy.withUnsafeMutableBytes { raw in
                do throws(RTCPError) {
                    _ = try RTCPCompoundPacket(buffer: raw, length: raw.count)
                    return nil
                } catch { return error }
            }
        }
        #expect(compound(hex("81C90001 00000001")) == nil)
        #expect(compound(hex("81C900")) == .tooShort)
        #expect(compound(hex("41C90001 00000001")) == .badVersion)
        #expect(compound(hex("81C90002 00000001")) == .badLength)
        #expect(compound(hex("A1C90001 00000000")) == .badLength)  // padding count 0
        // SR claiming a report block it does not carry.
        var sr = hex("81C80006 00000001") + [UInt8](repeating: 0, count: 20)
        sr.withUnsafeMutableBytes { raw in
            guard let packet = (try? RTCPCompoundPacket(buffer: raw, length: raw.count))?.first(where: { _ in true }) else {
                Issue.record("compound should parse")
                return
            }
            #expect(throws: RTCPError.tooShort) { try RTCPSenderReport(packet) }
        }
    }

    /// Random bytes never trap any RTCP parser.
    @Test func randomBytesNeverTrap() {
        var rng = SeededGenerator(seed: 2)
        for _ in 0..<20_000 {
            let words = Int.random(in: 1...12, using: &rng)
            var bytes = randomBytes(words * 4, using: &rng)
            bytes[0] = 0x80 | (bytes[0] & 0x3F)
            bytes[1] = [200, 201, 202, 203, 205, 206].randomElement(using: &rng) ?? 200
            bytes[2] = 0
            bytes[3] = UInt8(words - 1)
            bytes.withUnsafeMutableBytes { raw in
                guard let compound = try? RTCPCompoundPacket(buffer: raw, length: raw.count) else { return }
                for packet in compound {
                    _ = try? RTCPSenderReport(packet)
                    _ = try? RTCPReceiverReport(packet)
                    _ = try? RTCPSourceDescription(packet)
                    _ = try? RTCPGoodbye(packet)
                    _ = try? RTCPGenericNACK(packet)
                    _ = try? RTCPPictureLossIndication(packet)
                    _ = try? RTCPFullIntraRequest(packet)
                    _ = try? RTCPReceiverEstimatedMaxBitrate(packet)
                    _ = try? RTCPTransportWideFeedback(packet)
                }
            }
        }
    }
}

@Suite struct RTCPMessageTests {
    @Test func compoundWriterAndTypedParse() throws {
        var buffer = [UInt8](repeating: 0, count: 1024)
        try buffer.withUnsafeMutableBytes { raw in
            var writer = RTCPCompoundWriter(buffer: raw)
            try writer.append(RTCPSenderReport(ssrc: 1, ntpTimestamp: 5, rtpTimestamp: 6, packetCount: 7, octetCount: 8))
            try writer.append(RTCPSourceDescription(ssrc: 1, cname: "c"))
            try writer.append(RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: 2))
            try writer.append(RTCPReceiverEstimatedMaxBitrate(senderSSRC: 1, bitrate: 300_000, ssrcs: [2]))
            try writer.append(RTCPGenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [5]))
            let messages = try RTCPMessage.parseCompound(raw, length: writer.length)
            #expect(messages.count == 5)
            guard case .success(.senderReport(let sr)) = messages[0] else { Issue.record("SR"); return }
            #expect(sr.octetCount == 8)
            guard case .success(.sourceDescription(let sdes)) = messages[1] else { Issue.record("SDES"); return }
            #expect(sdes.chunks.first?.cname == "c")
            #expect(messages[2] == .success(.pictureLossIndication(.init(senderSSRC: 1, mediaSSRC: 2))))
            guard case .success(.receiverEstimatedMaxBitrate(let remb)) = messages[3] else { Issue.record("REMB"); return }
            #expect(remb.bitrate == 300_000)
            guard case .success(.genericNACK(let nack)) = messages[4] else { Issue.record("NACK"); return }
            #expect(nack.lostSequenceNumbers == [5])

            var small = RTCPCompoundWriter(buffer: UnsafeMutableRawBufferPointer(rebasing: raw[0..<20]))
            #expect(throws: RTCPError.bufferTooSmall) {
                try small.append(RTCPSenderReport(ssrc: 1, ntpTimestamp: 5, rtpTimestamp: 6, packetCount: 7, octetCount: 8))
            }
        }
    }
}
