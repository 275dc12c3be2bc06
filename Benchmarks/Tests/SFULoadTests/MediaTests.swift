import Foundation
import RTP
import SFUBase
import Testing

@testable import sfu_load

@Suite struct MediaTests {
    @Test func trailerRoundTrips() {
        var payload = [UInt8](repeating: 0xAA, count: 40)
        let trailer = MediaTrailer(stream: 0x0102, sequenceNumber: 0xFFFE, sentNanoseconds: 0x0102_0304_0506_0708)
        trailer.write(into: &payload)
        #expect(MediaTrailer.read(payload) == trailer)
        #expect(payload[0..<26].allSatisfy { $0 == 0xAA })
        #expect(MediaTrailer.read([UInt8](repeating: 0, count: 40)) == nil)
        #expect(MediaTrailer.read([0x53, 0x4C, 3]) == nil)
    }

    /// RFC 7741 §4.2: X and I set, a 15-bit PictureID (M bit), S only on the first packet, and
    /// the payloads (descriptors removed) concatenate back to the frame.
    @Test func vp8PacketizationFollowsRFC7741() {
        let frame = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let payloads = VP8Packetizer.payloads(frame: frame, pictureID: 0x1234, maxPayload: 1200, trailerRoom: 14)
        #expect(payloads.count == 5)
        #expect(payloads.allSatisfy { $0.count <= 1200 })
        for (index, payload) in payloads.enumerated() {
            #expect(payload[0] == (index == 0 ? 0x90 : 0x80))
            #expect(payload[1] == 0x80)
            #expect(payload[2] == 0x80 | 0x12 && payload[3] == 0x34)
        }
        var joined: [UInt8] = []
        for payload in payloads { joined += payload.dropFirst(VP8Packetizer.descriptorLength) }
        #expect(Array(joined.prefix(frame.count)) == frame)
        #expect(joined.count == frame.count + 14)  // the trailer's room, on the last packet only
        let sizes = payloads.map(\.count)
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 20)  // balanced like a browser's
        let small = VP8Packetizer.payloads(frame: [0x10, 0x02], pictureID: 0x7FFF, maxPayload: 1200)
        #expect(small == [[0x90, 0x80, 0xFF, 0xFF, 0x10, 0x02]])
    }

    @Test func realCodecsProduceKeyframeFirstAndPaddedOpus() throws {
        let media = try EncodedMedia(
            video: true, audio: true, width: 160, height: 120, frameRate: 10, bitrate: 200_000, keyframeInterval: 0,
            audioBitrate: 24_000, seconds: 0.5)
        #expect(media.videoFrames.count == 5 && media.audioPackets.count == 25)
        #expect(media.videoFrames[0].isKeyframe && VP8Packetizer.isKeyframe(media.videoFrames[0].data))
        // RFC 6386 §9.1: a keyframe's start code follows the 3-byte frame tag.
        #expect(Array(media.videoFrames[0].data[3..<6]) == [0x9D, 0x01, 0x2A])
        #expect(media.videoFrames.dropFirst().allSatisfy { !$0.isKeyframe && !$0.data.isEmpty })
        for packet in media.audioPackets {
            #expect(packet[0] & 0x03 == 3)  // code 3, so it can carry padding
            #expect(OpusPadding.paddingLength(packet) >= MediaTrailer.length)
        }
    }

    @Test func opusPaddingLengthReadsContinuationBytes() {
        #expect(OpusPadding.paddingLength([0xFB, 0x41, 20]) == 20)
        #expect(OpusPadding.paddingLength([0xFB, 0x41, 255, 3]) == 257)
        #expect(OpusPadding.paddingLength([0xF8, 0x41, 20]) == 0)  // code 0: no padding
        #expect(OpusPadding.paddingLength([0xFB, 0x01, 20]) == 0)  // P flag clear
        #expect(OpusPadding.paddingLength([0xFB, 0x41, 255]) == 0)  // truncated
    }

    private func testMedia() -> EncodedMedia {
        EncodedMedia(
            videoFrames: [
                .init(data: [0x10] + [UInt8](repeating: 1, count: 2999), isKeyframe: true),
                .init(data: [0x11] + [UInt8](repeating: 2, count: 99), isKeyframe: false),
                .init(data: [], isKeyframe: false),
            ],
            audioPackets: [[0xFB, 0x41, 16] + [UInt8](repeating: 0, count: 30)], frameRate: 10)
    }

    /// Audio every 20 ms with a trailer; a frame's packets spread out, marker and trailer on
    /// the last; a dropped frame keeps its timestamp slot; PLI restarts at the keyframe.
    @Test func publisherPacesStampsAndAnswersKeyframeRequests() {
        var publisher = PublisherMedia(
            media: testMedia(), publisher: 3, audioSSRC: 11, videoSSRC: 22, audioPayloadType: 111, videoPayloadType: 96)
        let start = MonotonicInstant(nanoseconds: 1_000_000_000)
        publisher.start(now: start)
        var packets: [RTPPacketBuilder] = []
        var now = start
        let window = MeasurementWindow(start: 0, end: .max)
        while now < start.adding(nanoseconds: 250_000_000) {
            publisher.send(now: now, window: window, into: &packets)
            now = now.adding(nanoseconds: 1_000_000)
        }
        let audio = packets.filter { $0.ssrc == 11 }
        let video = packets.filter { $0.ssrc == 22 }
        #expect(audio.count == 13)  // 0, 20, …, 240 ms
        #expect(zip(audio, audio.dropFirst()).allSatisfy { $1.sequenceNumber == $0.sequenceNumber &+ 1 && $1.timestamp == $0.timestamp &+ 960 })
        #expect(audio.allSatisfy { MediaTrailer.read($0.payload)?.stream == 6 })
        #expect(audio.allSatisfy { MediaTrailer.read($0.payload)?.sequenceNumber == $0.sequenceNumber })
        // Frames at 0, 100, 200 ms: keyframe (3 packets), delta (1), dropped (none).
        #expect(video.count == 4)
        #expect(video.map(\.marker) == [false, false, true, true])
        #expect(MediaTrailer.read(video[2].payload)?.stream == 7 && MediaTrailer.read(video[0].payload) == nil)
        #expect(video[3].timestamp == video[0].timestamp &+ 9000)
        #expect(publisher.keyframesSent == 1)
        #expect(publisher.video?.windowSent == 4 && publisher.audio?.windowSent == 13)
        publisher.keyframeRequested = true
        packets = []
        let later = start.adding(nanoseconds: 300_000_000)
        publisher.send(now: later, window: window, into: &packets)
        #expect(packets.first { $0.ssrc == 22 }.map { VP8Packetizer.isKeyframe(Array($0.payload.dropFirst(4))) } == true)
        #expect(publisher.keyframesSent == 2)
    }

    /// The server renumbers; the tally learns the offset from a trailer and places packets by
    /// their original numbers.
    @Test func subscriberTallyPlacesForwardedPacketsByOriginalNumber() {
        var tally = SubscriberStreamTally(clockRate: 90_000)
        tally.place(sequenceNumber: 5000, trailer: nil)  // before any trailer: cannot be placed
        #expect(tally.unplaced == 1)
        // Forwarded 5001 is original 100 (offset 4901).
        tally.place(sequenceNumber: 5001, trailer: MediaTrailer(stream: 4, sequenceNumber: 100, sentNanoseconds: 1))
        for forwarded: UInt16 in [5002, 5003, 5005, 5005] { tally.place(sequenceNumber: forwarded, trailer: nil) }
        #expect(tally.publisherStream == 4)
        #expect(tally.arrivals(in: 100..<105) == 4)  // 103 lost
        #expect(tally.arrivals(in: 101..<104) == 2)
        #expect(tally.duplicates == 1)
    }

    /// With sampling, a stream's first packet and every Nth trailer-carrying packet go to
    /// decryption; the rest are recorded from the clear header alone.
    @Test func clearHeaderPathSamplesTrailerPackets() {
        func header(_ sequenceNumber: UInt16, marker: Bool) -> ClearRTPHeader {
            let bytes: [UInt8] = [
                0x80, (marker ? 0x80 : 0) | 96, UInt8(sequenceNumber >> 8), UInt8(truncatingIfNeeded: sequenceNumber),
                0, 0, 0x0B, 0xB8, 0, 0, 0, 42,
            ]
            return bytes.withUnsafeBytes { ClearRTPHeader($0) }
        }
        let parsed = header(0x1234, marker: true)
        #expect(parsed.marker && parsed.payloadType == 96 && parsed.sequenceNumber == 0x1234)
        #expect(parsed.timestamp == 3000 && parsed.ssrc == 42)
        var tally = SubscriberStreamTally(clockRate: 90_000)
        // Unknown offset: decrypt.
        let first = tally.recordClear(
            header(10, marker: true), arrivalNanoseconds: 0, measureJitter: false, carriesTrailer: true, decryptEvery: 4)
        #expect(!first)
        tally.recordDecrypted(sequenceNumber: 10, timestamp: 0, arrivalNanoseconds: 0, measureJitter: false,
                              trailer: MediaTrailer(stream: 1, sequenceNumber: 0, sentNanoseconds: 0))
        var decrypted = 0
        for sequenceNumber: UInt16 in 11...30 {
            let marker = sequenceNumber % 2 == 0
            if !tally.recordClear(header(sequenceNumber, marker: marker), arrivalNanoseconds: 0, measureJitter: false,
                                  carriesTrailer: marker, decryptEvery: 4) {
                decrypted += 1
                #expect(marker)
                tally.recordDecrypted(sequenceNumber: sequenceNumber, timestamp: 0, arrivalNanoseconds: 0,
                                      measureJitter: false, trailer: nil)
            }
        }
        #expect(decrypted == 2)  // 10 marker packets, every 4th
        #expect(tally.arrivals(in: 0..<21) == 21 && tally.continuity.expected == 21)
    }
}
