import ICE
import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// Room forwarding on the in-memory network (moved here from loopback-socket tests): keyframe
/// gating, pause/resume/switch continuity, feedback (PLI, NACK, RTX), upstream repair, muting,
/// REMB, talking, teardown and garbage input. Deterministic: virtual time, no sockets.
@Suite struct HarnessRoomTests {
    static let room = RoomKey(42)

    /// Publishers streaming audio and video every 10 ms (video starts with delta frames, as a
    /// camera that was already running), subscribers connected but not yet bound.
    final class Room: @unchecked Sendable {
        let network: InMemoryNetwork
        var publishers: [HarnessPublisher] = []
        var subscribers: [HarnessPeer] = []

        init(publishers publisherCount: Int = 1, subscribers subscriberCount: Int = 2,
             settings: PublisherSettings = PublisherSettings(), answerNACKs: Bool = false,
             announcedSSRCs: Bool = true, seed: UInt64 = 1) throws {
            network = try InMemoryNetwork(seed: seed)
            for index in 0..<publisherCount {
                let audioSSRC = 0xA000_0000 + UInt32(index)
                let videoSSRC = 0xB000_0000 + UInt32(index)
                let peer = try network.addPeer(
                    room: HarnessRoomTests.room,
                    streams: EngineRoomTests.publisherStreams(
                        audioSSRC: audioSSRC, videoSSRC: videoSSRC, announced: announcedSSRCs),
                    settings: settings, midExtensionID: 9, answerNACKs: answerNACKs)
                publishers.append(
                    HarnessPublisher(
                        peer: peer, audioSSRC: audioSSRC, videoSSRC: videoSSRC, startWithKeyframe: false,
                        firstVideoSequenceNumber: UInt16(20_000 * (index + 1)),
                        firstAudioSequenceNumber: UInt16(3000 * (index + 1)),
                        firstVideoTimestamp: UInt32(1_000_000 * (index + 1))))
            }
            for index in 0..<subscriberCount { try addSubscriber(index) }
            guard network.connectAll() else { throw HarnessForwardingTests.HarnessError.notConnected }
            let sources = publishers
            network.every(milliseconds: 10) { _ in for publisher in sources { publisher.frame() } }
        }

        @discardableResult
        func addSubscriber(_ index: Int, streams: [StreamSetup]? = nil) throws -> HarnessPeer {
            let peer = try network.addPeer(
                room: HarnessRoomTests.room,
                streams: streams ?? EngineRoomTests.subscriberStreams(
                    index: index, audioSSRC: EngineRoomTests.Room.subscriberAudioSSRC(index),
                    videoSSRC: EngineRoomTests.Room.subscriberVideoSSRC(index)))
            subscribers.append(peer)
            return peer
        }

        func bind(_ subscriber: Int, to publisher: Int, send: Bool = true) {
            let source = publishers[publisher].peer.allocation.id
            let mids = EngineRoomTests.subscriberMids(subscriber)
            network.engine.bindSubscriber(
                subscribers[subscriber].allocation,
                bindings: [
                    SubscriberBinding(mid: mids.audio, source: SourceKey(publisher: source, mid: "a"), send: send),
                    SubscriberBinding(mid: mids.video, source: SourceKey(publisher: source, mid: "v"), send: send),
                ])
        }

        func video(_ subscriber: Int) -> [ReceivedRTPPacket] {
            subscribers[subscriber].received(ssrc: EngineRoomTests.Room.subscriberVideoSSRC(subscriber))
        }

        func audio(_ subscriber: Int) -> [ReceivedRTPPacket] {
            subscribers[subscriber].received(ssrc: EngineRoomTests.Room.subscriberAudioSSRC(subscriber))
        }

        /// Runs until subscriber `index` has `count` video packets (at most 5 s of virtual time).
        @discardableResult
        func runUntilVideo(_ index: Int, atLeast count: Int) -> Bool {
            network.run(atMost: 5_000) { video(index).count >= count }
        }
    }

    static func originalSSRC(_ packet: ReceivedRTPPacket) -> UInt32? { EngineRoomTests.originalSSRC(packet) }
    static func originalSequenceNumber(_ packet: ReceivedRTPPacket) -> UInt16? {
        EngineRoomTests.originalSequenceNumber(packet)
    }

    /// Drops the RTP packets of `ssrc` whose sequence numbers are in `numbers`, once each.
    static func dropping(_ numbers: Set<UInt16>, of ssrc: UInt32) -> @Sendable (PacketInfo) -> Bool {
        let dropper = DropSet(numbers)
        return { info in
            if case .rtp(let packetSSRC, let sequenceNumber, _) = info, packetSSRC == ssrc {
                return dropper.take(sequenceNumber)
            }
            return false
        }
    }

    @Test func aSubscriberBoundBeforeItConnectsStillGetsAKeyframe() throws {
        let room = try Room(subscribers: 0)
        room.network.run(milliseconds: 200)
        // Bound at offer time, before its PeerConnection is up (as the VideoRoom does).
        try room.addSubscriber(0)
        room.bind(0, to: 0)
        room.network.run(milliseconds: 500)
        #expect(room.network.connectAll())
        #expect(room.runUntilVideo(0, atLeast: 10))
        #expect(room.video(0).first.map { SyntheticStream.isKeyframe($0.payload) } == true)
        #expect(room.video(0).hasContinuousSequenceNumbers)
    }

    @Test func oneSubscriberReceivesTwoPublishersWhoseSSRCsWereNotAnnounced() throws {
        let room = try Room(publishers: 2, subscribers: 0, answerNACKs: true, announcedSSRCs: false)
        let ssrcs: [UInt32] = [0xC000_0001, 0xC000_0002, 0xC000_0003, 0xC000_0004]
        var streams: [StreamSetup] = []
        for index in 0..<4 {
            let audio = index % 2 == 0
            streams.append(
                StreamSetup(
                    mid: "\(index)", kind: audio ? .audio : .video, payloadType: audio ? 109 : 100,
                    clockRate: audio ? 48_000 : 90_000, remoteSSRCs: [], localSSRC: ssrcs[index], receives: false,
                    sends: true, extensions: EngineRoomTests.subscriberExtensions, codecName: audio ? "opus" : "vp8"))
        }
        let subscriber = try room.addSubscriber(0, streams: streams)
        #expect(room.network.connectAll())
        let sources = room.publishers.map { $0.peer.allocation.id }
        room.network.engine.bindSubscriber(
            subscriber.allocation,
            bindings: [
                SubscriberBinding(mid: "0", source: SourceKey(publisher: sources[0], mid: "a")),
                SubscriberBinding(mid: "1", source: SourceKey(publisher: sources[0], mid: "v")),
                SubscriberBinding(mid: "2", source: SourceKey(publisher: sources[1], mid: "a")),
                SubscriberBinding(mid: "3", source: SourceKey(publisher: sources[1], mid: "v")),
            ])
        #expect(room.network.run(atMost: 5_000) { ssrcs.allSatisfy { subscriber.received(ssrc: $0).count >= 10 } })
        for (index, ssrc) in ssrcs.enumerated() {
            let packets = subscriber.received(ssrc: ssrc)
            #expect(packets.hasContinuousSequenceNumbers)
            #expect(packets.allSatisfy { $0.extensions[4] == Array("\(index)".utf8) })
            let publisher = room.publishers[index / 2]
            let expected = index % 2 == 0 ? publisher.audioSSRC : publisher.videoSSRC
            #expect(packets.allSatisfy { Self.originalSSRC($0) == expected })
        }
        // Feedback on the second publisher's video goes to that publisher, for its learned SSRC.
        room.network.run(milliseconds: 350)
        let second = room.publishers[1]
        let before = second.peer.pictureLossIndications(mediaSSRC: second.videoSSRC)
        subscriber.peer.sendPictureLossIndication(senderSSRC: 1, mediaSSRC: ssrcs[3])
        #expect(room.network.run(atMost: 1_000) { second.peer.pictureLossIndications(mediaSSRC: second.videoSSRC) > before })
        // Upstream loss on a learned SSRC is NACKed too.
        second.peer.peer.dropOutgoing = Self.dropping([second.videoSequenceAhead(15)], of: second.videoSSRC)
        #expect(room.network.run(atMost: 2_000) { !second.peer.nackedSequenceNumbers(mediaSSRC: second.videoSSRC).isEmpty })
    }

    @Test func pauseResumeAndSwitchKeepSequenceAndTimestampsContinuous() throws {
        let room = try Room(publishers: 2, subscribers: 1)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 20))

        room.bind(0, to: 0, send: false)
        room.network.run(milliseconds: 200)
        let beforePause = room.video(0)
        room.network.run(milliseconds: 300)
        #expect(room.video(0).count == beforePause.count, "paused: nothing forwarded")

        room.bind(0, to: 0, send: true)
        #expect(room.runUntilVideo(0, atLeast: beforePause.count + 20))
        let resumed = room.video(0)
        #expect(resumed.hasContinuousSequenceNumbers, "no sequence gap across the pause")
        #expect(SyntheticStream.isKeyframe(resumed[beforePause.count].payload))
        #expect(Self.originalSSRC(resumed[beforePause.count]) == room.publishers[0].videoSSRC)
        // The RTP clock follows the (virtual) wall clock across the pause, one frame per packet
        // on either side of it.
        let pauseStep = resumed[beforePause.count].timestamp &- resumed[beforePause.count - 1].timestamp
        #expect(pauseStep >= 90 * 300 && pauseStep < 90 * 2_000)
        #expect(EngineRoomTests.steps(resumed).enumerated().allSatisfy { $0.offset == beforePause.count - 1 || $0.element == 3000 })

        let beforeSwitch = room.video(0).count
        let audioBeforeSwitch = room.audio(0).count
        room.bind(0, to: 1)
        #expect(room.network.run(atMost: 2_000) {
            room.video(0).contains { Self.originalSSRC($0) == room.publishers[1].videoSSRC }
        })
        #expect(room.runUntilVideo(0, atLeast: room.video(0).count + 20))
        let switched = room.video(0)
        #expect(switched.hasContinuousSequenceNumbers, "no sequence gap across the switch")
        let firstFromSecond = try #require(switched.firstIndex { Self.originalSSRC($0) == room.publishers[1].videoSSRC })
        let switchStep = switched[firstFromSecond].timestamp &- switched[firstFromSecond - 1].timestamp
        #expect(switchStep > 0 && switchStep < 90 * 1_000)
        #expect(EngineRoomTests.steps(switched).enumerated().allSatisfy {
            $0.offset == beforePause.count - 1 || $0.offset == firstFromSecond - 1 || $0.element == 3000
        })
        #expect(firstFromSecond >= beforeSwitch)
        #expect(SyntheticStream.isKeyframe(switched[firstFromSecond].payload))
        #expect(switched[firstFromSecond...].allSatisfy { Self.originalSSRC($0) == room.publishers[1].videoSSRC })
        let audio = room.audio(0)
        #expect(audio.count > audioBeforeSwitch)
        #expect(audio.hasContinuousSequenceNumbers)
        #expect(EngineRoomTests.steps(audio).allSatisfy { $0 > 0 && $0 < 48 * 2_000 })
        #expect(EngineRoomTests.steps(audio).filter { $0 != 960 }.count <= 2, "only at the resume and the switch")
    }

    @Test func subscriberFeedbackReachesThePublisherOrIsAnsweredFromTheBuffer() throws {
        let room = try Room(subscribers: 1)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 20))
        let publisher = room.publishers[0]
        let subscriber = room.subscribers[0]
        let subscriberVideo = EngineRoomTests.Room.subscriberVideoSSRC(0)
        room.network.run(milliseconds: 350)  // past the keyframe-request throttle

        // PLI from the subscriber → PLI to the publisher for its own SSRC.
        let plisBefore = publisher.peer.pictureLossIndications(mediaSSRC: publisher.videoSSRC)
        subscriber.peer.sendPictureLossIndication(senderSSRC: 1, mediaSSRC: subscriberVideo)
        #expect(room.network.run(atMost: 1_000) { publisher.peer.pictureLossIndications(mediaSSRC: publisher.videoSSRC) > plisBefore })

        // NACK from the subscriber for a packet it lost → answered from the retransmission buffer.
        let lost = try #require(room.video(0).last?.sequenceNumber) &+ 10
        subscriber.peer.dropIncoming = Self.dropping([lost], of: subscriberVideo)
        #expect(room.network.run(atMost: 1_000) { room.video(0).contains { $0.sequenceNumber == lost &+ 5 } })
        #expect(!room.video(0).contains { $0.sequenceNumber == lost })
        subscriber.peer.sendNACK(senderSSRC: 1, mediaSSRC: subscriberVideo, lost: [lost])
        #expect(room.network.run(atMost: 1_000) { room.video(0).contains { $0.sequenceNumber == lost } })
        let retransmitted = try #require(room.video(0).first { $0.sequenceNumber == lost })
        let original = try #require(Self.originalSequenceNumber(retransmitted))
        #expect(publisher.payload(ssrc: publisher.videoSSRC, sequenceNumber: original) == retransmitted.payload)
        #expect(retransmitted.payloadType == 100)
        #expect(retransmitted.extensions[4] == Array("1".utf8) && retransmitted.extensions[9] == nil)
    }

    /// With RTX negotiated on the subscriber's m-line, a NACKed packet comes back on the RTX
    /// SSRC and payload type (RFC 4588 §4: OSN, then the original payload), not as a resend.
    @Test func aNACKIsAnsweredOnTheRTXStreamWhenNegotiated() throws {
        let room = try Room(subscribers: 0)
        let rtxSSRC: UInt32 = 0x5C00_0000
        let subscriberVideo = EngineRoomTests.Room.subscriberVideoSSRC(0)
        var streams = EngineRoomTests.subscriberStreams(
            index: 0, audioSSRC: EngineRoomTests.Room.subscriberAudioSSRC(0), videoSSRC: subscriberVideo)
        streams[1].rtxPayloadType = 101
        streams[1].localRTXSSRC = rtxSSRC
        let subscriber = try room.addSubscriber(0, streams: streams)
        #expect(room.network.connectAll())
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 20))
        let publisher = room.publishers[0]
        let last = try #require(room.video(0).last?.sequenceNumber)
        let lost = [last &+ 10, last &+ 11]
        subscriber.peer.dropIncoming = Self.dropping(Set(lost), of: subscriberVideo)
        #expect(room.network.run(atMost: 1_000) { room.video(0).contains { $0.sequenceNumber == last &+ 15 } })
        subscriber.peer.sendNACK(senderSSRC: 1, mediaSSRC: subscriberVideo, lost: lost)
        #expect(room.network.run(atMost: 1_000) { subscriber.received(ssrc: rtxSSRC).count == 2 })
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
        #expect(!room.video(0).contains { lost.contains($0.sequenceNumber) }, "nothing resent on the media SSRC")
    }

    @Test func aNACKForAPacketFromBeforeASwitchIsNotAnsweredWithAnotherPacket() throws {
        let room = try Room(publishers: 2, subscribers: 1)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 10))
        let subscriberVideo = EngineRoomTests.Room.subscriberVideoSSRC(0)
        let lost = try #require(room.video(0).last?.sequenceNumber) &+ 5
        room.subscribers[0].peer.dropIncoming = Self.dropping([lost], of: subscriberVideo)
        #expect(room.network.run(atMost: 1_000) { room.video(0).contains { $0.sequenceNumber == lost &+ 3 } })
        room.bind(0, to: 1)
        #expect(room.network.run(atMost: 2_000) {
            room.video(0).contains { Self.originalSSRC($0) == room.publishers[1].videoSSRC }
        })
        room.network.run(milliseconds: 100)
        // The lost packet came from publisher 0: only its own bytes may answer the NACK.
        room.subscribers[0].peer.sendNACK(senderSSRC: 1, mediaSSRC: subscriberVideo, lost: [lost])
        room.network.run(milliseconds: 300)
        for packet in room.video(0) where packet.sequenceNumber == lost {
            #expect(Self.originalSSRC(packet) == room.publishers[0].videoSSRC, "answered with another source's packet")
        }
    }

    @Test func upstreamLossMakesTheServerNACKThePublisher() throws {
        let room = try Room(subscribers: 1, answerNACKs: true)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 10))
        let publisher = room.publishers[0]
        let lost: Set<UInt16> = [publisher.videoSequenceAhead(20), publisher.videoSequenceAhead(21)]
        publisher.peer.peer.dropOutgoing = Self.dropping(lost, of: publisher.videoSSRC)
        #expect(room.network.run(atMost: 2_000) {
            lost.isSubset(of: publisher.peer.nackedSequenceNumbers(mediaSSRC: publisher.videoSSRC))
        })
        // The peer answers NACKs; the late packets reach the subscriber too.
        #expect(room.network.run(atMost: 2_000) { lost.isSubset(of: Set(room.video(0).compactMap(Self.originalSequenceNumber))) })
        #expect(publisher.peer.peer.statistics.retransmissionsSent >= 2)
    }

    @Test func closingPublisherOrSubscriberWhileMediaFlowsIsSafe() throws {
        let room = try Room(publishers: 2, subscribers: 2)
        room.bind(0, to: 0)
        room.bind(1, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 20))
        #expect(room.runUntilVideo(1, atLeast: 20))

        // A subscriber goes away mid-stream: the other keeps receiving.
        room.network.engine.closeTransport(room.subscribers[1].allocation)
        let second = room.video(0).count
        #expect(room.runUntilVideo(0, atLeast: second + 20))
        #expect(room.network.run(atMost: 1_000) { room.subscribers[1].failure != nil }, "close_notify reached the peer")

        // The publisher goes away: forwarding stops, nothing crashes.
        room.network.engine.closeTransport(room.publishers[0].peer.allocation)
        room.network.run(milliseconds: 200)
        let afterClose = room.video(0).count
        room.network.run(milliseconds: 300)
        #expect(room.video(0).count == afterClose, "nothing forwarded from a closed publisher")
        // The subscriber can be bound to another publisher afterwards.
        room.bind(0, to: 1)
        #expect(room.runUntilVideo(0, atLeast: afterClose + 20))
        #expect(room.video(0).hasContinuousSequenceNumbers)
        #expect(!room.subscribers[0].serverEvents.failed)
        #expect(room.network.engine.statistics.transports == 2)
    }

    @Test func talkingEventsFromTheAudioLevelExtension() throws {
        let settings = PublisherSettings(audioLevelEvents: true, audioActivePackets: 10, audioLevelAverage: 25)
        let room = try Room(subscribers: 0, settings: settings)
        let publisher = room.publishers[0]
        room.network.run(milliseconds: 300)
        #expect(!publisher.peer.serverEvents.all.contains { if case .talking = $0 { true } else { false } })
        publisher.audioLevel = 10
        #expect(room.network.run(atMost: 1_000) {
            publisher.peer.serverEvents.all.contains { if case .talking(mid: "a", talking: true, _) = $0 { true } else { false } }
        })
        publisher.audioLevel = 100
        #expect(room.network.run(atMost: 1_000) {
            publisher.peer.serverEvents.all.contains { if case .talking(mid: "a", talking: false, _) = $0 { true } else { false } }
        })
    }

    @Test func mutedMidsAreNotForwarded() throws {
        let room = try Room(subscribers: 1)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 10))
        room.network.engine.configurePublisher(room.publishers[0].peer.allocation, settings: PublisherSettings(mutedMids: ["v"]))
        room.network.run(milliseconds: 20)
        let video = room.video(0).count
        let audio = room.audio(0).count
        room.network.run(milliseconds: 400)
        #expect(room.video(0).count == video, "muted video is not forwarded")
        #expect(room.audio(0).count > audio + 30, "audio still is")
        room.network.engine.configurePublisher(room.publishers[0].peer.allocation, settings: PublisherSettings())
        #expect(room.runUntilVideo(0, atLeast: video + 10))
    }

    @Test func aPublisherBitrateCapIsSentAsREMB() throws {
        let room = try Room(subscribers: 0)
        let publisher = room.publishers[0]
        room.network.engine.configurePublisher(publisher.peer.allocation, settings: PublisherSettings(bitrate: 256_000))
        #expect(room.network.run(atMost: 2_000) {
            publisher.peer.rtcp.contains {
                if case .receiverEstimatedMaxBitrate(let remb) = $0 {
                    remb.bitrate == 256_000 && remb.ssrcs == [publisher.videoSSRC]
                } else { false }
            }
        })
    }

    @Test func garbageAndWrongKeySRTPAreDroppedWithoutDisturbingTheSession() throws {
        let room = try Room(subscribers: 1)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 10))
        let publisher = room.publishers[0]
        let droppedBefore = room.network.engine.statistics.datagramsDropped

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
        let stranger = try #require(TransportAddress("10.0.9.9", port: 5555))
        for bytes in junk {
            room.network.transmit(bytes, from: publisher.peer.address, to: publisher.peer.serverAddress)
            if !bytes.isEmpty { room.network.transmit(bytes, from: stranger, to: publisher.peer.serverAddress) }
        }

        let count = room.video(0).count
        #expect(room.runUntilVideo(0, atLeast: count + 20), "forwarding goes on")
        #expect(room.video(0).hasContinuousSequenceNumbers)
        #expect(!room.video(0).contains { Self.originalSequenceNumber($0).map { $0 >= 40_000 && $0 < 40_020 } ?? false })
        #expect(room.network.engine.statistics.datagramsDropped > droppedBefore)
        #expect(room.network.engine.statistics.srtpAuthenticationFailures >= 20, "wrong-key SRTP counted")
        #expect(!publisher.peer.serverEvents.failed && !room.subscribers[0].serverEvents.failed)
    }
}

/// A paused subscription whose publisher goes away, then a re-bind: once crashed the server (the
/// paused consumer kept an unowned reference to the freed publisher, found by the web-client
/// tests). Everything on one worker, where the reference is direct.
@Suite struct HarnessPausedSubscriptionTests {
    @Test func aPausedSubscriberOutlivesItsPublisherAndCanBeReboundSafely() throws {
        let network = try InMemoryNetwork(seed: 9, workers: 1)
        let room = RoomKey(3)
        let first = try network.addPeer(
            room: room, streams: EngineRoomTests.publisherStreams(audioSSRC: 0xA1, videoSSRC: 0xB1),
            settings: PublisherSettings(), midExtensionID: 9)
        let second = try network.addPeer(
            room: room, streams: EngineRoomTests.publisherStreams(audioSSRC: 0xA2, videoSSRC: 0xB2),
            settings: PublisherSettings(), midExtensionID: 9)
        let subscriber = try network.addPeer(
            room: room,
            streams: EngineRoomTests.subscriberStreams(
                index: 0, audioSSRC: EngineRoomTests.Room.subscriberAudioSSRC(0),
                videoSSRC: EngineRoomTests.Room.subscriberVideoSSRC(0)))
        #expect(network.connectAll())
        let sources = [HarnessPublisher(peer: first, audioSSRC: 0xA1, videoSSRC: 0xB1),
                       HarnessPublisher(peer: second, audioSSRC: 0xA2, videoSSRC: 0xB2, firstVideoSequenceNumber: 40_000)]
        network.every(milliseconds: 20) { _ in for source in sources { source.frame() } }
        func bind(to publisher: HarnessPeer, send: Bool) {
            network.engine.bindSubscriber(
                subscriber.allocation,
                bindings: [
                    SubscriberBinding(mid: "0", source: SourceKey(publisher: publisher.allocation.id, mid: "a"), send: send),
                    SubscriberBinding(mid: "1", source: SourceKey(publisher: publisher.allocation.id, mid: "v"), send: send),
                ])
        }
        bind(to: first, send: true)
        network.run(milliseconds: 500)
        bind(to: first, send: false)  // `configure` with `send: false`
        network.run(milliseconds: 200)
        network.engine.closeTransport(first.allocation)  // the publisher leaves while paused
        network.run(milliseconds: 200)
        bind(to: second, send: true)
        #expect(network.run(atMost: 2_000) {
            subscriber.received(ssrc: EngineRoomTests.Room.subscriberVideoSSRC(0))
                .contains { EngineRoomTests.originalSSRC($0) == 0xB2 }
        })
        #expect(subscriber.received(ssrc: EngineRoomTests.Room.subscriberVideoSSRC(0)).hasContinuousSequenceNumbers)
    }
}
