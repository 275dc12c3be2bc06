import Foundation
import ICE
import RTP
import Testing
import WebRTCPeer

@testable import SFUMedia

/// MediaEngine room forwarding end to end: publisher peers feeding subscriber peers.
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
                    behaviour: .publisher(settings), midExtensionID: 9, answerNACKs: answerNACKs)
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
                            index: index, audioSSRC: Self.subscriberAudioSSRC(index), videoSSRC: Self.subscriberVideoSSRC(index)),
                        behaviour: .subscriber))
            }
        }

        static func subscriberAudioSSRC(_ index: Int) -> UInt32 { 0x5A00_0000 + UInt32(index) }
        static func subscriberVideoSSRC(_ index: Int) -> UInt32 { 0x5B00_0000 + UInt32(index) }

        /// A subscriber whose m-lines are bound before its PeerConnection is up (as the VideoRoom
        /// does: it binds when it sends the offer). Returns its index.
        func addSubscriberBoundBeforeConnecting(to publisher: Int) async throws -> Int {
            let index = subscribers.count
            let peer = try ConnectedPeer(
                engine: engine, room: EngineRoomTests.room,
                streams: EngineRoomTests.subscriberStreams(
                    index: index, audioSSRC: Self.subscriberAudioSSRC(index), videoSSRC: Self.subscriberVideoSSRC(index)),
                behaviour: .subscriber, startPeer: false)
            subscribers.append(peer)
            bind(index, to: publisher)
            await EngineTest.settle(0.5)  // the publisher answers the bind's keyframe request meanwhile
            peer.driver.start()
            guard await peer.waitConnected() else { throw RoomError.notConnected }
            return index
        }

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

    @Test func aSubscriberBoundBeforeItConnectsStillGetsAKeyframe() async throws {
        let room = try await Room.make(subscribers: 0)
        defer { room.stop() }
        let subscriber = try await room.addSubscriberBoundBeforeConnecting(to: 0)
        #expect(await room.waitVideo(subscriber, atLeast: 10))
        #expect(room.video(subscriber).first.map { SyntheticStream.isKeyframe($0.payload) } == true)
        #expect(room.video(subscriber).hasContinuousSequenceNumbers)
    }

    @Test func oneSubscriberReceivesTwoPublishersWhoseSSRCsWereNotAnnounced() async throws {
        let room = try await Room.make(publishers: 2, subscribers: 0, answerNACKs: true, announcedSSRCs: false)
        defer { room.stop() }
        // One subscriber PeerConnection with an audio and a video m-line per publisher.
        let ssrcs: [UInt32] = [0xC000_0001, 0xC000_0002, 0xC000_0003, 0xC000_0004]
        let streams = (0..<4).map { index in
            StreamSetup(
                mid: "\(index)", kind: index % 2 == 0 ? .audio : .video, payloadType: index % 2 == 0 ? 109 : 100,
                clockRate: index % 2 == 0 ? 48_000 : 90_000, remoteSSRCs: [], localSSRC: ssrcs[index], receives: false,
                sends: true, extensions: Self.subscriberExtensions, codecName: index % 2 == 0 ? "opus" : "vp8")
        }
        let subscriber = try ConnectedPeer(engine: room.engine, room: Self.room, streams: streams, behaviour: .subscriber)
        defer { subscriber.driver.stop() }
        #expect(await subscriber.waitConnected())
        let sources = room.publishers.map { $0.peer.allocation.id }
        room.engine.bindSubscriber(
            subscriber.allocation,
            bindings: [
                SubscriberBinding(mid: "0", source: SourceKey(publisher: sources[0], mid: "a")),
                SubscriberBinding(mid: "1", source: SourceKey(publisher: sources[0], mid: "v")),
                SubscriberBinding(mid: "2", source: SourceKey(publisher: sources[1], mid: "a")),
                SubscriberBinding(mid: "3", source: SourceKey(publisher: sources[1], mid: "v")),
            ])
        #expect(await EngineTest.eventually { ssrcs.allSatisfy { subscriber.received(ssrc: $0).count >= 10 } })
        for (index, ssrc) in ssrcs.enumerated() {
            let packets = subscriber.received(ssrc: ssrc)
            #expect(packets.hasContinuousSequenceNumbers)
            #expect(packets.allSatisfy { $0.extensions[4] == Array("\(index)".utf8) })
            let publisher = room.publishers[index / 2]
            let expected = index % 2 == 0 ? publisher.audioSSRC : publisher.videoSSRC
            #expect(packets.allSatisfy { Self.originalSSRC($0) == expected })
        }
        // Feedback on the second publisher's video goes to that publisher, for its learned SSRC.
        await EngineTest.settle(0.35)
        let second = room.publishers[1]
        let before = second.peer.driver.snapshot.pictureLossIndications(mediaSSRC: second.videoSSRC)
        subscriber.driver.withPeer { $0.sendPictureLossIndication(senderSSRC: 1, mediaSSRC: ssrcs[3]) }
        #expect(await second.peer.driver.wait(timeout: 5) {
            $0.pictureLossIndications(mediaSSRC: second.videoSSRC) > before
        })
        // Upstream loss on a learned SSRC is NACKed too.
        let dropper = DropSet([second.videoSSRCSequenceAhead(15)])
        second.peer.driver.withPeer { peer in
            peer.dropOutgoing = { info in
                if case .rtp(let ssrc, let sequenceNumber, _) = info, ssrc == second.videoSSRC {
                    return dropper.take(sequenceNumber)
                }
                return false
            }
        }
        #expect(await second.peer.driver.wait(timeout: 5) { !$0.nackedSequenceNumbers(mediaSSRC: second.videoSSRC).isEmpty })
    }

    @Test func pauseResumeAndSwitchKeepSequenceAndTimestampsContinuous() async throws {
        let room = try await Room.make(publishers: 2, subscribers: 1)
        defer { room.stop() }
        room.bind(0, to: 0)
        #expect(await room.waitVideo(0, atLeast: 20))

        room.bind(0, to: 0, send: false)
        await EngineTest.settle(0.2)
        let beforePause = room.video(0)
        await EngineTest.settle(0.3)
        #expect(room.video(0).count == beforePause.count, "paused: nothing forwarded")

        room.bind(0, to: 0, send: true)
        #expect(await room.waitVideo(0, atLeast: beforePause.count + 20))
        let resumed = room.video(0)
        #expect(resumed.hasContinuousSequenceNumbers, "no sequence gap across the pause")
        #expect(SyntheticStream.isKeyframe(resumed[beforePause.count].payload))
        #expect(Self.originalSSRC(resumed[beforePause.count]) == room.publishers[0].videoSSRC)
        // The RTP clock follows the wall clock across the pause (≥ 0.3 s passed, 90 kHz), and
        // runs one frame per packet on either side of it.
        let pauseStep = resumed[beforePause.count].timestamp &- resumed[beforePause.count - 1].timestamp
        #expect(pauseStep >= 90 * 300 && pauseStep < 90 * 60_000)
        #expect(Self.steps(resumed).enumerated().allSatisfy { $0.offset == beforePause.count - 1 || $0.element == 3000 })

        let beforeSwitch = room.video(0).count
        let audioBeforeSwitch = room.audio(0).count
        room.bind(0, to: 1)
        #expect(await EngineTest.eventually {
            room.video(0).contains { Self.originalSSRC($0) == room.publishers[1].videoSSRC }
        })
        #expect(await room.waitVideo(0, atLeast: room.video(0).count + 20))
        let switched = room.video(0)
        #expect(switched.hasContinuousSequenceNumbers, "no sequence gap across the switch")
        let firstFromSecond = try #require(switched.firstIndex { Self.originalSSRC($0) == room.publishers[1].videoSSRC })
        // Timestamps move forward across the switch by the time that passed (less than a
        // minute here, more than nothing), one frame per packet elsewhere.
        let switchStep = switched[firstFromSecond].timestamp &- switched[firstFromSecond - 1].timestamp
        #expect(switchStep > 0 && switchStep < 90 * 60_000)
        #expect(Self.steps(switched).enumerated().allSatisfy {
            $0.offset == beforePause.count - 1 || $0.offset == firstFromSecond - 1 || $0.element == 3000
        })
        #expect(firstFromSecond >= beforeSwitch)
        #expect(SyntheticStream.isKeyframe(switched[firstFromSecond].payload))
        #expect(switched[firstFromSecond...].allSatisfy { Self.originalSSRC($0) == room.publishers[1].videoSSRC })
        let audio = room.audio(0)
        #expect(audio.count > audioBeforeSwitch)
        #expect(audio.hasContinuousSequenceNumbers)
        #expect(Self.steps(audio).allSatisfy { $0 > 0 && $0 < 48 * 60_000 })
        #expect(Self.steps(audio).filter { $0 != 960 }.count <= 2, "only at the resume and the switch")
    }

    /// Timestamp differences between consecutive packets.
    static func steps(_ packets: [ReceivedRTPPacket]) -> [UInt32] {
        zip(packets, packets.dropFirst()).map { $1.timestamp &- $0.timestamp }
    }

    @Test func subscriberFeedbackReachesThePublisherOrIsAnsweredFromTheBuffer() async throws {
        let room = try await Room.make(subscribers: 1)
        defer { room.stop() }
        room.bind(0, to: 0)
        #expect(await room.waitVideo(0, atLeast: 20))
        let publisher = room.publishers[0]
        let subscriberVideo = Room.subscriberVideoSSRC(0)
        await EngineTest.settle(0.35)  // past the keyframe-request throttle

        // PLI from the subscriber → PLI to the publisher for its own SSRC.
        let plisBefore = publisher.peer.driver.snapshot.pictureLossIndications(mediaSSRC: publisher.videoSSRC)
        room.subscribers[0].driver.withPeer { $0.sendPictureLossIndication(senderSSRC: 1, mediaSSRC: subscriberVideo) }
        #expect(await publisher.peer.driver.wait(timeout: 5) {
            $0.pictureLossIndications(mediaSSRC: publisher.videoSSRC) > plisBefore
        })

        // NACK from the subscriber for a packet it lost → answered from the retransmission buffer.
        let last = try #require(room.video(0).last?.sequenceNumber)
        let lost = last &+ 10
        let dropper = DropSet([lost])
        room.subscribers[0].driver.withPeer { peer in
            peer.dropIncoming = { info in
                if case .rtp(let ssrc, let sequenceNumber, _) = info, ssrc == subscriberVideo {
                    return dropper.take(sequenceNumber)
                }
                return false
            }
        }
        #expect(await EngineTest.eventually { room.video(0).contains { $0.sequenceNumber == lost &+ 5 } })
        #expect(!room.video(0).contains { $0.sequenceNumber == lost })
        room.subscribers[0].driver.withPeer { $0.sendNACK(senderSSRC: 1, mediaSSRC: subscriberVideo, lost: [lost]) }
        #expect(await EngineTest.eventually { room.video(0).contains { $0.sequenceNumber == lost } })
        let retransmitted = try #require(room.video(0).first { $0.sequenceNumber == lost })
        let original = try #require(Self.originalSequenceNumber(retransmitted))
        #expect(publisher.payload(ssrc: publisher.videoSSRC, sequenceNumber: original) == retransmitted.payload)
        #expect(retransmitted.payloadType == 100)
        #expect(retransmitted.extensions[4] == Array("1".utf8) && retransmitted.extensions[9] == nil)
    }

    /// With RTX negotiated on the subscriber's m-line, a NACKed packet comes back on the RTX
    /// SSRC and payload type (RFC 4588 §4: OSN, then the original payload), not as a resend.
    @Test func aNACKIsAnsweredOnTheRTXStreamWhenNegotiated() async throws {
        let room = try await Room.make(subscribers: 0)
        defer { room.stop() }
        let rtxSSRC: UInt32 = 0x5C00_0000
        var streams = Self.subscriberStreams(
            index: 0, audioSSRC: Room.subscriberAudioSSRC(0), videoSSRC: Room.subscriberVideoSSRC(0))
        streams[1].rtxPayloadType = 101
        streams[1].localRTXSSRC = rtxSSRC
        let subscriber = try ConnectedPeer(engine: room.engine, room: Self.room, streams: streams, behaviour: .subscriber)
        room.subscribers.append(subscriber)
        #expect(await subscriber.waitConnected())
        room.bind(0, to: 0)
        #expect(await room.waitVideo(0, atLeast: 20))
        let publisher = room.publishers[0]
        let subscriberVideo = Room.subscriberVideoSSRC(0)
        let last = try #require(room.video(0).last?.sequenceNumber)
        let lost = [last &+ 10, last &+ 11]
        let dropper = DropSet(Set(lost))
        subscriber.driver.withPeer { peer in
            peer.dropIncoming = { info in
                if case .rtp(let ssrc, let sequenceNumber, _) = info, ssrc == subscriberVideo {
                    return dropper.take(sequenceNumber)
                }
                return false
            }
        }
        #expect(await EngineTest.eventually { room.video(0).contains { $0.sequenceNumber == last &+ 15 } })
        subscriber.driver.withPeer { $0.sendNACK(senderSSRC: 1, mediaSSRC: subscriberVideo, lost: lost) }
        #expect(await EngineTest.eventually { subscriber.received(ssrc: rtxSSRC).count == 2 })
        let repairs = subscriber.received(ssrc: rtxSSRC)
        #expect(repairs.map(\.payloadType) == [101, 101])
        #expect(repairs[1].sequenceNumber == repairs[0].sequenceNumber &+ 1)
        for (repair, sequenceNumber) in zip(repairs, lost) {
            #expect(repair.payload.prefix(2) == [UInt8(sequenceNumber >> 8), UInt8(sequenceNumber & 0xFF)])
            let inner = ReceivedRTPPacket(
                ssrc: subscriberVideo, payloadType: 100, sequenceNumber: sequenceNumber, timestamp: repair.timestamp,
                marker: repair.marker, extensions: repair.extensions, payload: Array(repair.payload.dropFirst(2)),
                receivedAt: repair.receivedAt)
            let original = try #require(Self.originalSequenceNumber(inner))
            #expect(publisher.payload(ssrc: publisher.videoSSRC, sequenceNumber: original) == inner.payload)
            #expect(repair.extensions[4] == Array("1".utf8))
        }
        // Nothing was resent on the media SSRC.
        #expect(!room.video(0).contains { lost.contains($0.sequenceNumber) })
    }

    @Test func aNACKForAPacketFromBeforeASwitchIsNotAnsweredWithAnotherPacket() async throws {
        let room = try await Room.make(publishers: 2, subscribers: 1)
        defer { room.stop() }
        room.bind(0, to: 0)
        #expect(await room.waitVideo(0, atLeast: 10))
        let subscriberVideo = Room.subscriberVideoSSRC(0)
        let lost = try #require(room.video(0).last?.sequenceNumber) &+ 5
        let dropper = DropSet([lost])
        room.subscribers[0].driver.withPeer { peer in
            peer.dropIncoming = { info in
                if case .rtp(let ssrc, let sequenceNumber, _) = info, ssrc == subscriberVideo {
                    return dropper.take(sequenceNumber)
                }
                return false
            }
        }
        #expect(await EngineTest.eventually { room.video(0).contains { $0.sequenceNumber == lost &+ 3 } })
        room.bind(0, to: 1)
        #expect(await EngineTest.eventually {
            room.video(0).contains { Self.originalSSRC($0) == room.publishers[1].videoSSRC }
        })
        await EngineTest.settle(0.1)
        // The lost packet came from publisher 0: only its own bytes may answer the NACK.
        room.subscribers[0].driver.withPeer { $0.sendNACK(senderSSRC: 1, mediaSSRC: subscriberVideo, lost: [lost]) }
        await EngineTest.settle(0.3)
        for packet in room.video(0) where packet.sequenceNumber == lost {
            #expect(Self.originalSSRC(packet) == room.publishers[0].videoSSRC, "answered with another source's packet")
        }
    }

    @Test func upstreamLossMakesTheServerNACKThePublisher() async throws {
        let room = try await Room.make(subscribers: 1, answerNACKs: true)
        defer { room.stop() }
        room.bind(0, to: 0)
        #expect(await room.waitVideo(0, atLeast: 10))
        let publisher = room.publishers[0]
        // Drop two of the publisher's next video packets on their way to the server.
        let next = try #require(room.video(0).last.flatMap(Self.originalSequenceNumber))
        let lost: Set<UInt16> = [next &+ 20, next &+ 21]
        let dropper = DropSet(lost)
        publisher.peer.driver.withPeer { peer in
            peer.dropOutgoing = { info in
                if case .rtp(let ssrc, let sequenceNumber, _) = info, ssrc == publisher.videoSSRC {
                    return dropper.take(sequenceNumber)
                }
                return false
            }
        }
        #expect(await publisher.peer.driver.wait(timeout: 5) { lost.isSubset(of: $0.nackedSequenceNumbers(mediaSSRC: publisher.videoSSRC)) })
        // The peer answers NACKs; the late packets reach the subscriber too.
        #expect(await EngineTest.eventually {
            let originals = Set(room.video(0).compactMap(Self.originalSequenceNumber))
            return lost.isSubset(of: originals)
        })
        #expect(publisher.peer.driver.snapshot.statistics.retransmissionsSent >= 2)
    }

    @Test func closingPublisherOrSubscriberWhileMediaFlowsIsSafe() async throws {
        let room = try await Room.make(publishers: 2, subscribers: 2)
        defer { room.stop() }
        room.bind(0, to: 0)
        room.bind(1, to: 0)
        #expect(await room.waitVideo(0, atLeast: 20))
        #expect(await room.waitVideo(1, atLeast: 20))

        // A subscriber goes away mid-stream: the other keeps receiving.
        room.engine.closeTransport(room.subscribers[1].allocation)
        let second = room.video(0).count
        #expect(await room.waitVideo(0, atLeast: second + 20))
        #expect(await room.subscribers[1].driver.wait(timeout: 5) { $0.failure != nil }, "close_notify reached the peer")

        // The publisher goes away: forwarding stops, nothing crashes.
        room.engine.closeTransport(room.publishers[0].peer.allocation)
        await EngineTest.settle(0.2)
        let afterClose = room.video(0).count
        await EngineTest.settle(0.3)
        #expect(room.video(0).count == afterClose, "nothing forwarded from a closed publisher")
        // The subscriber can be bound to another publisher afterwards.
        room.bind(0, to: 1)
        #expect(await room.waitVideo(0, atLeast: afterClose + 20))
        #expect(room.video(0).hasContinuousSequenceNumbers)
        #expect(!room.subscribers[0].events.failed)
        #expect(room.engine.statistics.transports == 2)
    }

    @Test func talkingEventsFromTheAudioLevelExtension() async throws {
        let settings = PublisherSettings(audioLevelEvents: true, audioActivePackets: 10, audioLevelAverage: 25)
        let room = try await Room.make(subscribers: 0, settings: settings)
        defer { room.stop() }
        let publisher = room.publishers[0]
        await EngineTest.settle(0.3)
        #expect(!publisher.peer.events.all.contains { if case .talking = $0 { true } else { false } })
        publisher.setAudioLevel(10)
        #expect(await EngineTest.eventually { publisher.peer.events.all.contains { if case .talking(mid: "a", talking: true, _) = $0 { true } else { false } } })
        publisher.setAudioLevel(100)
        #expect(await EngineTest.eventually { publisher.peer.events.all.contains { if case .talking(mid: "a", talking: false, _) = $0 { true } else { false } } })
    }

    @Test func mutedMidsAreNotForwarded() async throws {
        let room = try await Room.make(subscribers: 1)
        defer { room.stop() }
        room.bind(0, to: 0)
        #expect(await room.waitVideo(0, atLeast: 10))
        room.engine.configurePublisher(room.publishers[0].peer.allocation, settings: PublisherSettings(mutedMids: ["v"]))
        await EngineTest.settle(0.2)
        let video = room.video(0).count
        let audio = room.audio(0).count
        await EngineTest.settle(0.4)
        #expect(room.video(0).count == video, "muted video is not forwarded")
        #expect(room.audio(0).count > audio + 10, "audio still is")
        room.engine.configurePublisher(room.publishers[0].peer.allocation, settings: PublisherSettings())
        #expect(await room.waitVideo(0, atLeast: video + 10))
    }

    @Test func aPublisherBitrateCapIsSentAsREMB() async throws {
        let room = try await Room.make(subscribers: 0)
        defer { room.stop() }
        let publisher = room.publishers[0]
        room.engine.configurePublisher(publisher.peer.allocation, settings: PublisherSettings(bitrate: 256_000))
        #expect(await publisher.peer.driver.wait(timeout: 5) { record in
            record.rtcp.contains {
                if case .receiverEstimatedMaxBitrate(let remb) = $0 {
                    remb.bitrate == 256_000 && remb.ssrcs == [publisher.videoSSRC]
                } else { false }
            }
        })
    }

    @Test func garbageAndWrongKeySRTPAreDroppedWithoutDisturbingTheSession() async throws {
        let room = try await Room.make(subscribers: 1)
        defer { room.stop() }
        room.bind(0, to: 0)
        #expect(await room.waitVideo(0, atLeast: 10))
        let publisher = room.publishers[0]
        let droppedBefore = room.engine.statistics.datagramsDropped

        // Wrong-key SRTP and SRTCP, and junk of every demux class, from the publisher's own address.
        let wrongKey = try SRTPContext(
            profile: .aes128CmHmacSha1_80, masterKey: Array(repeating: 7, count: 16), masterSalt: Array(repeating: 9, count: 14))
        var forged = SyntheticStream(ssrc: publisher.videoSSRC, payloadType: 96, isVideo: true, firstSequenceNumber: 40_000)
        var junk: [[UInt8]] = []
        for _ in 0..<20 {
            var bytes = forged.next(keyframe: true).bytes() + Array(repeating: 0, count: 32)
            let length = bytes.count - 32
            let protected = try bytes.withUnsafeMutableBytes { try wrongKey.protectRTP($0, length: length) }
            junk.append(Array(bytes[0..<protected]))
        }
        var rtcp = [UInt8](repeating: 0, count: 64)
        let rtcpLength = try rtcp.withUnsafeMutableBytes { buffer -> Int in
            let plain = try RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: 2).write(into: buffer)
            return try wrongKey.protectRTCP(buffer, length: plain)
        }
        junk.append(Array(rtcp[0..<rtcpLength]))
        junk += [[], [0], [0x80], [0x80, 0x60, 0, 1], [23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5],
                 [22, 0xFE, 0xFD] + Array(repeating: 0xFF, count: 100), [0, 1, 0, 8, 0x21, 0x12, 0xA4, 0x42],
                 Array(repeating: 0xFF, count: 1400), (0..<300).map { UInt8(truncatingIfNeeded: $0 * 37) }]
        for bytes in junk { publisher.peer.driver.sendRawDatagram(bytes) }

        // The same from an address the server never saw.
        let configuration = ClientPeerConfiguration(
            remoteCredentials: publisher.peer.allocation.localCredentials,
            remoteFingerprint: publisher.peer.allocation.fingerprint, dtlsRole: .server,
            certificate: EngineTest.peerCertificate)
        let stranger = try ClientPeerDriver(configuration: configuration, remote: publisher.peer.driver.remoteAddress)
        for bytes in junk where !bytes.isEmpty { stranger.sendRawDatagram(bytes) }
        stranger.stop()

        let count = room.video(0).count
        #expect(await room.waitVideo(0, atLeast: count + 20), "forwarding goes on")
        #expect(room.video(0).hasContinuousSequenceNumbers)
        #expect(!room.video(0).contains { Self.originalSequenceNumber($0).map { $0 >= 40_000 && $0 < 40_020 } ?? false })
        #expect(room.engine.statistics.datagramsDropped > droppedBefore)
        #expect(!publisher.peer.events.failed && !room.subscribers[0].events.failed)
    }
}
