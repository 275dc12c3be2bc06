import Foundation
import ICE
import RTP
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// MediaEngine room forwarding over real loopback sockets and worker threads (the driver):
/// publisher peers feeding subscriber peers. The forwarding behaviour itself is tested on the
/// in-memory network (`HarnessRoomTests`); the room builders here are shared with it.
@Suite(.serialized) struct EngineRoomTests {
    static let room = RoomKey(42)
    /// Publisher header extension ids (mid 9, audio level 1, abs-send-time 3) differ from the
    /// subscribers' (mid 4, audio level 2, no abs-send-time) so that remapping shows.
    static let publisherExtensions = [
        StreamExtension(id: 9, uri: EngineTest.midURI), StreamExtension(id: 1, uri: EngineTest.audioLevelURI),
        StreamExtension(id: 3, uri: "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
    ]
    static let subscriberExtensions = [
        StreamExtension(id: 4, uri: EngineTest.midURI), StreamExtension(id: 2, uri: EngineTest.audioLevelURI),
    ]

    /// `announced`: whether the publisher's SDP listed its SSRCs (browsers do; aiortc and
    /// simulcast senders leave the server to learn them from the mid extension).
    static func publisherStreams(audioSSRC: UInt32, videoSSRC: UInt32, announced: Bool = true) -> [StreamSetup] {
        [
            StreamSetup(mid: "a", kind: .audio, payloadType: 111, clockRate: 48_000, remoteSSRCs: announced ? [audioSSRC] : [],
                        localSSRC: audioSSRC ^ 0xFFFF, receives: true, sends: false, extensions: publisherExtensions,
                        codecName: "opus"),
            StreamSetup(mid: "v", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: announced ? [videoSSRC] : [],
                        localSSRC: videoSSRC ^ 0xFFFF, receives: true, sends: false, extensions: publisherExtensions,
                        codecName: "vp8"),
        ]
    }

    /// Subscriber 0 uses mids "0"/"1" (as long as the publisher's "a"/"v"), subscriber 1
    /// "a1"/"v1" (longer: the mid extension cannot be rewritten in place).
    static func subscriberMids(_ index: Int) -> (audio: String, video: String) {
        index == 1 ? ("a1", "v1") : ("0", "1")
    }

    static func subscriberStreams(index: Int, audioSSRC: UInt32, videoSSRC: UInt32) -> [StreamSetup] {
        let mids = subscriberMids(index)
        return [
            StreamSetup(mid: mids.audio, kind: .audio, payloadType: 109, clockRate: 48_000, remoteSSRCs: [],
                        localSSRC: audioSSRC, receives: false, sends: true, extensions: subscriberExtensions,
                        codecName: "opus"),
            StreamSetup(mid: mids.video, kind: .video, payloadType: 100, clockRate: 90_000, remoteSSRCs: [],
                        localSSRC: videoSSRC, receives: false, sends: true, extensions: subscriberExtensions,
                        codecName: "vp8"),
        ]
    }

    /// A running room: publishers streaming, subscribers connected (not yet bound).
    final class Room: @unchecked Sendable {
        let engine: MediaEngine
        var publishers: [PublisherSimulator] = []
        var subscribers: [ConnectedPeer] = []

        /// Builds the room and waits until every peer is connected, then starts the publishers.
        static func make(publishers: Int = 1, subscribers: Int = 2,
                         settings: PublisherSettings = PublisherSettings(), answerNACKs: Bool = false,
                         announcedSSRCs: Bool = true) async throws -> Room {
            let room = try Room(publishers: publishers, subscribers: subscribers, settings: settings,
                                answerNACKs: answerNACKs, announcedSSRCs: announcedSSRCs)
            for peer in room.publishers.map(\.peer) + room.subscribers {
                guard await peer.waitConnected() else {
                    room.stop()
                    throw RoomError.notConnected
                }
            }
            for publisher in room.publishers { publisher.start() }
            return room
        }

        private init(publishers publisherCount: Int, subscribers subscriberCount: Int,
                     settings: PublisherSettings, answerNACKs: Bool, announcedSSRCs: Bool) throws {
            engine = try EngineTest.makeEngine()
            for index in 0..<publisherCount {
                let audioSSRC = 0xA000_0000 + UInt32(index)
                let videoSSRC = 0xB000_0000 + UInt32(index)
                let peer = try ConnectedPeer(
                    engine: engine, room: EngineRoomTests.room,
                    streams: EngineRoomTests.publisherStreams(
                        audioSSRC: audioSSRC, videoSSRC: videoSSRC, announced: announcedSSRCs),
                    settings: settings, midExtensionID: 9, answerNACKs: answerNACKs)
                publishers.append(
                    PublisherSimulator(
                        peer: peer,
                        audio: SyntheticStream(ssrc: audioSSRC, payloadType: 111, isVideo: false,
                                               firstSequenceNumber: UInt16(3000 * (index + 1))),
                        video: SyntheticStream(ssrc: videoSSRC, payloadType: 96, isVideo: true,
                                               firstSequenceNumber: UInt16(20_000 * (index + 1)),
                                               firstTimestamp: UInt32(1_000_000 * (index + 1)))))
            }
            for index in 0..<subscriberCount {
                subscribers.append(
                    try ConnectedPeer(
                        engine: engine, room: EngineRoomTests.room,
                        streams: EngineRoomTests.subscriberStreams(
                            index: index, audioSSRC: Self.subscriberAudioSSRC(index), videoSSRC: Self.subscriberVideoSSRC(index))))
            }
        }

        static func subscriberAudioSSRC(_ index: Int) -> UInt32 { 0x5A00_0000 + UInt32(index) }
        static func subscriberVideoSSRC(_ index: Int) -> UInt32 { 0x5B00_0000 + UInt32(index) }


        func bind(_ subscriber: Int, to publisher: Int, send: Bool = true) {
            let source = publishers[publisher].peer.allocation.id
            let mids = EngineRoomTests.subscriberMids(subscriber)
            engine.bindSubscriber(
                subscribers[subscriber].allocation,
                bindings: [
                    SubscriberBinding(mid: mids.audio, source: SourceKey(publisher: source, mid: "a"), send: send),
                    SubscriberBinding(mid: mids.video, source: SourceKey(publisher: source, mid: "v"), send: send),
                ])
        }

        func video(_ subscriber: Int) -> [ReceivedRTPPacket] {
            subscribers[subscriber].received(ssrc: Self.subscriberVideoSSRC(subscriber))
        }

        func audio(_ subscriber: Int) -> [ReceivedRTPPacket] {
            subscribers[subscriber].received(ssrc: Self.subscriberAudioSSRC(subscriber))
        }

        func waitVideo(_ subscriber: Int, atLeast count: Int, timeout: Double = 5) async -> Bool {
            await EngineTest.eventually(timeout: timeout) { video(subscriber).count >= count }
        }

        func stop() {
            for publisher in publishers { publisher.stop() }
            engine.shutdown()
            for peer in publishers.map(\.peer) + subscribers { peer.driver.stop() }
        }
    }

    enum RoomError: Error { case notConnected }

    /// The original (publisher) sequence number a forwarded synthetic payload carries.
    static func originalSequenceNumber(_ packet: ReceivedRTPPacket) -> UInt16? {
        guard packet.payload.count >= 2 else { return nil }
        return UInt16(packet.payload[packet.payload.count - 2]) << 8 | UInt16(packet.payload[packet.payload.count - 1])
    }

    static func originalSSRC(_ packet: ReceivedRTPPacket) -> UInt32? {
        guard packet.payload.count >= 6 else { return nil }
        return packet.payload.suffix(6).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    @Test func subscribersStartOnAKeyframeWithTheirOwnRewrittenStreams() async throws {
        let room = try await Room.make()
        defer { room.stop() }
        await EngineTest.settle(0.2)  // publishers stream delta frames only: nothing to start on yet
        room.bind(0, to: 0)
        room.bind(1, to: 0)
        #expect(await room.waitVideo(0, atLeast: 30))
        #expect(await room.waitVideo(1, atLeast: 30))
        #expect(await EngineTest.eventually { room.audio(0).count >= 30 && room.audio(1).count >= 30 })
        let publisher = room.publishers[0]
        for subscriber in 0..<2 {
            let video = room.video(subscriber)
            let audio = room.audio(subscriber)
            #expect(video.first.map { SyntheticStream.isKeyframe($0.payload) } == true, "starts on a keyframe")
            #expect(video.allSatisfy { $0.payloadType == 100 })
            #expect(audio.allSatisfy { $0.payloadType == 109 })
            #expect(video.hasContinuousSequenceNumbers)
            #expect(audio.hasContinuousSequenceNumbers)
            #expect(zip(video, video.dropFirst()).allSatisfy { $1.timestamp &- $0.timestamp == 3000 })
            #expect(zip(audio, audio.dropFirst()).allSatisfy { $1.timestamp &- $0.timestamp == 960 })
            // Extension ids remapped: mid 9 → 4, audio level 1 → 2, abs-send-time dropped. The mid
            // value is the subscriber's own (browsers drop packets with an unknown mid, RFC 8843
            // §9.2); when it cannot be rewritten in place the element is left out (SSRC demux).
            let mids = Self.subscriberMids(subscriber)
            let videoMid: [UInt8]? = mids.video.utf8.count == 1 ? Array(mids.video.utf8) : nil
            let audioMid: [UInt8]? = mids.audio.utf8.count == 1 ? Array(mids.audio.utf8) : nil
            #expect(video.allSatisfy { $0.extensions[4] == videoMid && $0.extensions[9] == nil && $0.extensions[3] == nil })
            #expect(audio.allSatisfy { $0.extensions[4] == audioMid && $0.extensions[2] == [0xFF] && $0.extensions[1] == nil })
            // Same payloads as the publisher sent.
            for packet in video.prefix(10) {
                let original = try #require(Self.originalSequenceNumber(packet))
                #expect(publisher.payload(ssrc: publisher.videoSSRC, sequenceNumber: original) == packet.payload)
            }
        }
        #expect(room.subscribers.allSatisfy { !$0.events.failed })
    }




    /// Timestamp differences between consecutive packets.
    static func steps(_ packets: [ReceivedRTPPacket]) -> [UInt32] {
        zip(packets, packets.dropFirst()).map { $1.timestamp &- $0.timestamp }
    }









}
