import SDPTestFixtures
import Testing
@testable import SFUMedia
@testable import Signaling

/// Publisher-role participants (janus-api.md §8.4): join, publish, configure, unpublish, leave.
@Suite struct VideoRoomPublisherTests {
    @Test func joinedShapeAndLateJoinerSeesActivePublishers() async throws {
        let harness = VideoRoomHarness()
        let (alice, aliceID) = try await harness.publisher(display: "alice")
        let joined = alice.events.first?.data ?? [:]
        #expect(joined["videoroom"] == "joined")
        #expect(joined["room"] == 1234)
        #expect(joined["description"] == "Demo Room")
        #expect(joined["publishers"] == [])
        #expect(joined["private_id"]?.uint64Value != nil)
        #expect(joined["attendees"] == nil)  // only with notify_joining
        #expect(aliceID > 0 && aliceID < (1 << 53))

        // Joined but not publishing: not listed to newcomers.
        let (early, _) = try await harness.publisher(display: "early")
        #expect(early.events.first?.data["publishers"] == [])

        await harness.publish(alice)
        // Others hear about alice only once her PeerConnection is up.
        let announced = await early.waitForNotification { $0["publishers"] != nil }
        let publisher = announced?["publishers"]?.arrayValue?.first
        #expect(publisher?["id"] == .uint(aliceID))
        #expect(publisher?["display"] == "alice")
        #expect(publisher?["audio_codec"] == "opus")
        #expect(publisher?["video_codec"] == "vp8")
        #expect(publisher?["streams"] == [
            ["type": "audio", "mindex": 0, "mid": "0", "codec": "opus", "fec": true],
            ["type": "video", "mindex": 1, "mid": "1", "codec": "vp8"],
        ])
        #expect(!alice.notifications.contains { $0["publishers"] != nil })

        let (late, _) = try await harness.publisher(display: "late")
        let list = late.events.first?.data["publishers"]?.arrayValue ?? []
        #expect(list.count == 1)
        #expect(list.first?["id"] == .uint(aliceID))
    }

    @Test func publishAnswersReceiveOnlyWithRoomCodecs() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await harness.publisher(display: "alice")
        let (configured, jsep) = await alice.request(
            ["request": "publish", "descriptions": [["mid": "1", "description": "camera"]]],
            jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(configured["configured"] == "ok")
        #expect(configured["audio_codec"] == "opus")
        #expect(configured["video_codec"] == "vp8")
        #expect(configured["streams"]?.arrayValue?.last?["description"] == "camera")
        let answer = try SessionDescription.parse(try #require(jsep).sdp)
        #expect(answer.sessionName == "VideoRoom 1234")
        #expect(answer.media.count == 2)
        #expect(answer.media.allSatisfy { $0.direction == .recvonly })
        #expect(answer.media[0].codecs.map(\.payloadType) == [111])
        #expect(answer.media[1].codecs.map(\.payloadType) == [96])
        // Transport-wide congestion control is answered (room `transport_wide_cc_ext`, on by
        // default as in Janus): the publisher's estimator runs on our feedback.
        #expect(answer.media[1].codecs.first?.feedback.contains("transport-cc") == true)
        #expect(answer.media[1].extensions.contains { $0.uri == RTPExtensionURI.transportCC })
        let started = try #require(harness.media.lastStarted)
        #expect(started.setup.settings == PublisherSettings(bitrate: 128000, keyframeInterval: 10, audioLevelEvents: false))
        #expect(started.setup.streams.map(\.mid) == ["0", "1"])
        #expect(started.setup.streams.allSatisfy { $0.receives && !$0.sends })
    }

    @Test func roomWithoutTransportWideCCAnswersWithoutIt() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (created, _) = await admin.request(["request": "create", "room": 99, "transport_wide_cc_ext": false])
        #expect(created["videoroom"] == "created")
        let (alice, _) = try await harness.publisher(room: 99, display: "alice")
        let (_, jsep) = await alice.request(["request": "publish"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        let answer = try SessionDescription.parse(try #require(jsep).sdp)
        #expect(!answer.media[1].extensions.contains { $0.uri == RTPExtensionURI.transportCC })
        #expect(answer.media[1].codecs.first?.feedback.contains("transport-cc") == false)
        let (list, _) = await admin.request(["request": "list"])
        #expect(list["list"]?.arrayValue?.first { $0["room"] == 99 }?["transport_wide_cc_ext"] == false)
    }

    @Test func joinAndConfigureReturnsJoinedWithStreamsAndAnswer() async throws {
        let harness = VideoRoomHarness()
        let client = try await harness.client()
        let (joined, jsep) = await client.request(
            ["request": "joinandconfigure", "ptype": "publisher", "room": 1234, "display": "zed"],
            jsep: JSEP(type: .offer, sdp: SDPFixtures.aiortc))
        #expect(joined["videoroom"] == "joined")
        #expect(joined["audio_codec"] == "opus")
        #expect(joined["video_codec"] == "vp8")
        #expect(joined["streams"]?.arrayValue?.count == 2)
        #expect(jsep?.type == .answer)
        // aiortc offers opus as PT 96 and VP8 as 97: the answer keeps the offerer's payload types.
        let answer = try SessionDescription.parse(try #require(jsep).sdp)
        #expect(answer.media[0].codecs.first?.payloadType == 96)
        #expect(answer.media[1].codecs.first?.payloadType == 97)
    }

    @Test func roomCodecPolicyAndForcedCodec() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 20, "videocodec": "h264,vp8", "audiocodec": "opus"])
        let (client, _) = try await harness.publisher(room: 20, display: "a")
        let (configured, jsep) = await client.request(
            ["request": "configure"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(configured["video_codec"] == "h264")
        #expect(configured["streams"]?.arrayValue?.last?["h264_profile"] == "42001f")
        #expect(try SessionDescription.parse(try #require(jsep).sdp).media[1].codecs.first?.payloadType == 102)

        let (other, _) = try await harness.publisher(room: 20, display: "b")
        let (forced, _) = await other.request(
            ["request": "publish", "videocodec": "vp8"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(forced["video_codec"] == "vp8")
        let (third, _) = try await harness.publisher(room: 20, display: "c")
        let (refused, _) = await third.request(
            ["request": "publish", "videocodec": "av1"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(refused.errorCode == 430)
        #expect(refused.errorText == "Video codec unavailable in this room")
    }

    /// An m-line without any room codec is answered inactive and reported disabled.
    @Test func mLineWithoutRoomCodecIsDisabled() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 21, "audiocodec": "pcma"])
        let (client, _) = try await harness.publisher(room: 21, display: "a")
        let (configured, _) = await client.request(
            ["request": "configure", "audiocodec": "pcma"],
            jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(configured["audio_codec"] == "pcma")
        let admin2 = try await harness.client()
        await admin2.request(["request": "create", "room": 22, "videocodec": "av1"])
        let (other, _) = try await harness.publisher(room: 22, display: "b")
        let (disabled, _) = await other.request(
            ["request": "configure"], jsep: JSEP(type: .offer, sdp: SDPFixtures.aiortc))
        #expect(disabled["streams"]?.arrayValue?.last == ["type": "video", "mindex": 1, "mid": "1", "disabled": true])
        #expect(disabled["video_codec"] == nil)
    }

    /// Provokes 424, 425 (twice), 426, 429 (ptype, pin), 430 (ptype), 433 (pin), 436.
    @Test func joinErrors() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 30, "pin": "1234"])
        let client = try await harness.client()
        let (first, _) = await client.request(["request": "configure", "bitrate": 1000])
        #expect(first.errorCode == 424)
        #expect(first.errorText == "Invalid request on unconfigured participant")
        let (noPtype, _) = await client.request(["request": "join", "room": 30])
        #expect(noPtype.errorCode == 429)
        #expect(noPtype.errorText == "Missing mandatory element (ptype)")
        let (badPtype, _) = await client.request(["request": "join", "room": 30, "ptype": "viewer"])
        #expect(badPtype.errorCode == 430)
        #expect(badPtype.errorText == "Invalid element (ptype)")
        let (noRoom, _) = await client.request(["request": "join", "room": 31, "ptype": "publisher"])
        #expect(noRoom.errorCode == 426)
        let (noPin, _) = await client.request(["request": "join", "room": 30, "ptype": "publisher"])
        #expect(noPin.errorCode == 429)
        let (badPin, _) = await client.request(["request": "join", "room": 30, "ptype": "publisher", "pin": "0"])
        #expect(badPin.errorCode == 433)
        #expect(badPin.errorText == "Unauthorized (wrong pin)")
        let (ok, _) = await client.request(["request": "join", "room": 30, "ptype": "publisher", "pin": "1234", "id": 42])
        #expect(ok["id"] == 42)
        let (twice, _) = await client.request(["request": "join", "room": 30, "ptype": "publisher", "pin": "1234"])
        #expect(twice.errorCode == 425)
        #expect(twice.errorText == "Already in as a publisher on this handle")
        let other = try await harness.client()
        let (taken, _) = await other.request(["request": "join", "room": 30, "ptype": "publisher", "pin": "1234", "id": 42])
        #expect(taken.errorCode == 436)
        #expect(taken.errorText == "User ID 42 already exists")
    }

    /// Provokes 432, 434, 435, 437, 431, 428 and 429 (publish without jsep).
    @Test func publishErrors() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 40, "publishers": 1])
        let (alice, _) = try await harness.publisher(room: 40, display: "alice")
        let (noJSEP, _) = await alice.request(["request": "publish"])
        #expect(noJSEP.errorCode == 429)
        let (badSDP, _) = await alice.request(["request": "publish"], jsep: JSEP(type: .offer, sdp: "v=0\r\nbogus"))
        #expect(badSDP.errorCode == 437)
        #expect(badSDP.errorText?.hasPrefix("Error parsing offer") == true)
        let (answerType, _) = await alice.request(["request": "configure"], jsep: JSEP(type: .answer, sdp: SDPFixtures.chromium))
        #expect(answerType.errorCode == 431)
        let (notPublished, _) = await alice.request(["request": "unpublish"])
        #expect(notPublished.errorCode == 435)
        #expect(notPublished.errorText == "Can't unpublish, not published")
        await harness.publish(alice)
        let (again, _) = await alice.request(["request": "publish"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(again.errorCode == 434)
        #expect(again.errorText == "Can't publish, already published")
        let (noMid, _) = await alice.request(["request": "configure", "streams": [["mid": "7", "send": false]]])
        #expect(noMid.errorCode == 428)
        #expect(noMid.errorText == "No such mid '7' published")
        let (bob, _) = try await harness.publisher(room: 40, display: "bob")
        let (full, _) = await bob.request(["request": "publish"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(full.errorCode == 432)
        #expect(full.errorText == "Maximum number of publishers (1) already reached")
    }

    @Test func configureWithoutSDPDrivesTheMediaPlane() async throws {
        let harness = VideoRoomHarness()
        let (alice, aliceID) = try await harness.publisher(display: "alice")
        let transport = await harness.publish(alice)
        let (bob, _) = try await harness.publisher(display: "bob")
        let (configured, jsep) = await alice.request([
            "request": "configure", "bitrate": 500000, "keyframe": true, "display": "Alice B",
            "metadata": ["role": "host"], "streams": [["mid": "1", "keyframe": true]],
        ])
        #expect(configured == ["videoroom": "event", "room": 1234, "configured": "ok"])
        #expect(jsep == nil)
        let settings = harness.media.calls.withLock { $0.configured.last { $0.allocation == transport }?.settings }
        #expect(settings?.bitrate == 500000)
        let keyframes = harness.media.calls.withLock { $0.keyframes.filter { $0.allocation == transport }.map(\.mid) }
        #expect(keyframes == [nil, "1"])
        #expect(bob.notifications.contains(["videoroom": "event", "id": .uint(aliceID), "display": "Alice B"]))
        #expect(bob.notifications.contains(["videoroom": "event", "id": .uint(aliceID), "metadata": ["role": "host"]]))
        // send:false stops forwarding of that m-line.
        await alice.request(["request": "configure", "streams": [["mid": "0", "send": false]]])
        let muted = harness.media.calls.withLock { $0.configured.last { $0.allocation == transport }?.settings }
        #expect(muted?.mutedMids == ["0"])
    }

    @Test func renegotiationKeepsTheTransportAndReannounces() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await harness.publisher(display: "alice")
        let transport = await harness.publish(alice)
        let (bob, _) = try await harness.publisher(display: "bob")
        let (configured, jsep) = await alice.request(
            ["request": "configure", "descriptions": [["mid": "1", "description": "screen"]]],
            jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(configured["configured"] == "ok")
        #expect(jsep != nil)
        // The running transport takes the new stream list; no new PeerConnection.
        #expect(harness.media.lastStarted?.allocation.id == transport)
        #expect(harness.media.lastUpdated?.allocation.id == transport)
        #expect(harness.media.lastUpdated?.setup.streams.map(\.mid) == ["0", "1"])
        #expect(!harness.media.closed(transport))
        let announcements = bob.notifications.filter { $0["publishers"] != nil }
        #expect(announcements.count == 1)
        #expect(announcements.last?["publishers"]?.arrayValue?.first?["streams"]?.arrayValue?.last?["description"] == "screen")
    }

    @Test func unpublishThenPublishAgain() async throws {
        let harness = VideoRoomHarness()
        let (alice, aliceID) = try await harness.publisher(display: "alice")
        let transport = await harness.publish(alice)
        let (bob, _) = try await harness.publisher(display: "bob")
        let (done, _) = await alice.request(["request": "unpublish"])
        #expect(done == ["videoroom": "event", "room": 1234, "unpublished": "ok"])
        #expect(alice.hangups == ["Close PC"])
        #expect(harness.media.closed(transport))
        #expect(bob.notifications.contains(["videoroom": "event", "room": 1234, "unpublished": .uint(aliceID)]))
        let second = await harness.publish(alice)
        #expect(second != transport)
        #expect(await bob.waitForNotification { $0["publishers"] != nil } != nil)
    }

    @Test func leaveNotifiesOthersAndEndsTheHandle() async throws {
        let harness = VideoRoomHarness()
        let (alice, aliceID) = try await harness.publisher(display: "alice")
        await harness.publish(alice)
        let (bob, _) = try await harness.publisher(display: "bob")
        let (left, _) = await alice.request(["request": "leave"])
        #expect(left == ["videoroom": "event", "room": 1234, "leaving": "ok"])
        // Janus 1.1.2: a publisher that leaves while publishing is announced by `leaving` alone.
        #expect(bob.notifications.filter { $0["unpublished"] != nil || $0["leaving"] != nil }
            == [["videoroom": "event", "room": 1234, "leaving": .uint(aliceID)]])
        let (rejoin, _) = await alice.request(["request": "join", "room": 1234, "ptype": "publisher"])
        #expect(rejoin.errorCode == 425)
        #expect(rejoin.errorText == "Not in a room (create a new handle)")
    }

    /// Janus 1.1.2 announces `leaving` even for participants that never published.
    @Test func leavingOfAPassiveParticipantIsAnnounced() async throws {
        let harness = VideoRoomHarness()
        let (alice, aliceID) = try await harness.publisher(display: "alice")
        let (bob, _) = try await harness.publisher(display: "bob")
        await alice.request(["request": "leave"])
        #expect(bob.notifications == [["videoroom": "event", "room": 1234, "leaving": .uint(aliceID)]])
    }

    @Test func detachHangupAndTransportFailure() async throws {
        let harness = VideoRoomHarness()
        let (watcher, _) = try await harness.publisher(display: "watcher")

        let (alice, aliceID) = try await harness.publisher(display: "alice")
        await harness.publish(alice)
        await alice.session.destroy()
        // A detach tears the media down first: `unpublished`, then `leaving` (Janus 1.1.2).
        #expect(watcher.notifications.filter { $0["unpublished"] != nil || $0["leaving"] != nil } == [
            ["videoroom": "event", "room": 1234, "unpublished": .uint(aliceID)],
            ["videoroom": "event", "room": 1234, "leaving": .uint(aliceID)],
        ])

        let (bob, bobID) = try await harness.publisher(display: "bob")
        let bobTransport = await harness.publish(bob)
        await bob.session.hangup(reason: "Janus API")
        #expect(bob.hangups == ["Janus API"])
        #expect(harness.media.closed(bobTransport))
        #expect(watcher.notifications.contains { $0["unpublished"] == .uint(bobID) })

        let (carol, carolID) = try await harness.publisher(display: "carol")
        let carolTransport = await harness.publish(carol)
        harness.media.emit(carolTransport, .failed(reason: .iceFailed))
        #expect(await eventually { carol.hangups == ["ICE failed"] })
        #expect(await watcher.waitForNotification { $0["unpublished"] == .uint(carolID) } != nil)
    }

    @Test func talkingEventsGoToEveryone() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 60, "audiolevel_event": true, "audio_active_packets": 50, "audio_level_average": 30])
        let (alice, aliceID) = try await harness.publisher(room: 60, display: "alice")
        let transport = await harness.publish(alice)
        let settings = harness.media.lastStarted?.setup.settings
        #expect(settings == PublisherSettings(audioLevelEvents: true, audioActivePackets: 50, audioLevelAverage: 30))
        let (bob, _) = try await harness.publisher(room: 60, display: "bob")
        harness.media.emit(transport, .talking(mid: "0", talking: true, level: 19.5))
        let talking: JSONObject = ["videoroom": "talking", "room": 60, "id": .uint(aliceID), "mindex": 0, "mid": "0", "audio-level-dBov-avg": 19.5]
        #expect(await bob.waitForNotification { $0 == talking } != nil)
        #expect(await alice.waitForNotification { $0 == talking } != nil)
        harness.media.emit(transport, .talking(mid: "0", talking: false, level: 48.0))
        #expect(await bob.waitForNotification { $0["videoroom"] == "stopped-talking" } != nil)
        let (list, _) = await bob.request(["request": "listparticipants", "room": 60])
        #expect(list["participants"]?.arrayValue?.first { $0["id"] == .uint(aliceID) }?["talking"] == false)
    }

    @Test func notifyJoiningSendsAttendeesAndJoining() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 61, "notify_joining": true])
        let (alice, aliceID) = try await harness.publisher(room: 61, display: "alice")
        let (bob, bobID) = try await harness.publisher(room: 61, display: "bob")
        #expect(alice.notifications.contains(["videoroom": "event", "room": 61, "joining": ["id": .uint(bobID), "display": "bob"]]))
        #expect(bob.events.first?.data["attendees"] == [["id": .uint(aliceID), "display": "alice"]])
        await bob.request(["request": "leave"])
        #expect(alice.notifications.contains { $0["leaving"] == .uint(bobID) })
    }

    @Test func coreMediaAndSlowLinkEvents() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await harness.publisher(display: "alice")
        let transport = await harness.publish(alice)
        harness.media.emit(transport, .mediaReceiving(mid: "1", kind: .video, receiving: true))
        harness.media.emit(transport, .slowLink(mid: "1", kind: .video, uplink: false, lost: 20))
        #expect(await eventually {
            alice.pushed.withLock { events in
                events.contains { if case .media(mid: "1", type: "video", receiving: true, substream: nil) = $0 { true } else { false } }
                    && events.contains { if case .slowLink(mid: "1", media: "video", uplink: false, lost: 20) = $0 { true } else { false } }
            }
        })
        #expect(await alice.waitForNotification { $0 == ["videoroom": "slow_link", "current-bitrate": 128000] } != nil)
    }
}
