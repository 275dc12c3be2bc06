import SDPTestFixtures
import ICE
import Testing
@testable import SFUMedia
@testable import Signaling

/// Multistream subscribers (janus-api.md §8.7, §10.3): server offers, `start`, `update`, `switch`.
@Suite struct VideoRoomSubscriberTests {
    /// Two publishers (alice: audio+video from Chromium, bob: audio+video from aiortc).
    func twoPublishers(_ harness: VideoRoomHarness, room: UInt64 = 1234) async throws
        -> (alice: (VideoRoomTestClient, UInt64, UInt64), bob: (VideoRoomTestClient, UInt64, UInt64))
    {
        let (alice, aliceID) = try await harness.publisher(room: room, display: "alice")
        let aliceTransport = await harness.publish(alice)
        let (bob, bobID) = try await harness.publisher(room: room, display: "bob")
        let bobTransport = await harness.publish(bob, offer: SDPFixtures.aiortc)
        return ((alice, aliceID, aliceTransport), (bob, bobID, bobTransport))
    }

    /// Joins a subscriber, answers the offer and returns it with its transport id.
    func subscribe(_ harness: VideoRoomHarness, streams: JSONValue, extra: JSONObject = [:]) async throws
        -> (VideoRoomTestClient, UInt64, JSONObject)
    {
        let client = try await harness.client()
        var body: JSONObject = ["request": "join", "ptype": "subscriber", "room": 1234, "streams": streams]
        for (key, value) in extra { body[key] = value }
        let (attached, offer) = await client.request(body)
        #expect(attached["videoroom"] == "attached", "\(attached)")
        let (started, _) = await client.request(
            ["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
        #expect(started == ["videoroom": "event", "room": 1234, "started": "ok"])
        let transport = harness.media.lastStarted?.allocation.id ?? 0
        return (client, transport, attached)
    }

    @Test func attachedStreamsAndOfferShape() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let client = try await harness.client()
        let (attached, jsep) = await client.request([
            "request": "join", "ptype": "subscriber", "room": 1234,
            "streams": [["feed": .uint(alice.1)], ["feed": .uint(bob.1), "mid": "1", "crossrefid": "tile-3"]],
        ])
        #expect(attached["videoroom"] == "attached")
        #expect(attached["streams"] == [
            ["type": "audio", "active": true, "mindex": 0, "mid": "0", "ready": false, "send": true,
             "feed_id": .uint(alice.1), "feed_display": "alice", "feed_mid": "0", "codec": "opus"],
            ["type": "video", "active": true, "mindex": 1, "mid": "1", "ready": false, "send": true,
             "feed_id": .uint(alice.1), "feed_display": "alice", "feed_mid": "1", "codec": "vp8"],
            ["type": "video", "active": true, "mindex": 2, "mid": "2", "ready": false, "send": true,
             "feed_id": .uint(bob.1), "feed_display": "bob", "feed_mid": "1", "codec": "vp8", "crossrefid": "tile-3"],
        ])
        let offer = try SessionDescription.parse(try #require(jsep).sdp)
        #expect(jsep?.type == .offer)
        #expect(offer.sessionName == "VideoRoom 1234")
        #expect(offer.bundleMids == ["0", "1", "2"])
        #expect(offer.media.map(\.mid) == ["0", "1", "2"])
        #expect(offer.media.allSatisfy { $0.direction == .sendonly && $0.setup == .actpass })
        // Fixed payload types: opus 111, VP8 96 with RTX 97.
        #expect(offer.media[0].codecs.map(\.payloadType) == [111])
        #expect(offer.media[0].codecs.first?.fmtp == "useinbandfec=1")
        #expect(offer.media[1].codecs.map(\.payloadType) == [96, 97])
        #expect(offer.media[1].ssrcGroups.first?.semantics == "FID")
        // Fixed extension ids; audio level only because Chromium negotiated it; our transport-wide
        // sequence numbers (id 3, with `transport-cc` feedback) on every m-line: the subscriber's
        // feedback drives its bandwidth estimate.
        #expect(offer.media[0].extensions.map(\.id).sorted() == [1, 3, 4])
        #expect(offer.media[1].extensions.map(\.id).sorted() == [2, 3, 4, 12, 13])
        #expect(offer.media[2].extensions.map(\.id).sorted() == [2, 3, 4])
        #expect(offer.media.allSatisfy { $0.codecs.first?.feedback.contains("transport-cc") == true })
        // Different SSRCs per m-line.
        #expect(Set(offer.media.compactMap(\.mediaSSRCs.first)).count == 3)
    }

    @Test func startBindsEveryMLineToItsSource() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let (client, transport, _) = try await subscribe(
            harness, streams: [["feed": .uint(alice.1)], ["feed": .uint(bob.1), "mid": "1"]])
        let started = try #require(harness.media.lastStarted)
        #expect(started.setup.settings == PublisherSettings())
        #expect(started.setup.streams.map(\.mid) == ["0", "1", "2"])
        #expect(started.setup.streams.allSatisfy { $0.sends && !$0.receives })
        #expect(started.setup.streams.map(\.payloadType) == [111, 96, 96])
        #expect(harness.media.lastBindings(transport) == [
            SubscriberBinding(mid: "0", source: SourceKey(publisher: alice.2, mid: "0"), send: true),
            SubscriberBinding(mid: "1", source: SourceKey(publisher: alice.2, mid: "1"), send: true),
            SubscriberBinding(mid: "2", source: SourceKey(publisher: bob.2, mid: "1"), send: true),
        ])
        // Keyframes are asked from every video source once the subscriber's transport is up
        // (then again after the media plane's PLI throttle).
        harness.media.calls.withLock { $0.keyframes.removeAll() }
        harness.media.emit(transport, .connected)
        #expect(await eventually { client.webrtcUps == 1 })
        #expect(await eventually {
            harness.media.calls.withLock { $0.keyframes.map { "\($0.allocation)/\($0.mid ?? "*")" } }.sorted()
                == ["\(alice.2)/1", "\(alice.2)/1", "\(bob.2)/1", "\(bob.2)/1"].sorted()
        })
    }

    @Test func rejectedMLineGetsNoSource() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let client = try await harness.client()
        let (_, offer) = await client.request(["request": "join", "ptype": "subscriber", "room": 1234, "streams": [["feed": .uint(alice.1)]]])
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer), rejectMids: ["0"]))
        let transport = harness.media.lastStarted?.allocation.id ?? 0
        #expect(harness.media.lastBindings(transport)?.map(\.source) == [nil, SourceKey(publisher: alice.2, mid: "1")])
    }

    @Test func pauseAndResume() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let (client, transport, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1)]])
        let (paused, _) = await client.request(["request": "pause"])
        #expect(paused == ["videoroom": "event", "room": 1234, "paused": "ok"])
        #expect(harness.media.lastBindings(transport)?.map(\.send) == [false, false])
        #expect(harness.media.lastBindings(transport)?.first?.source == SourceKey(publisher: alice.2, mid: "0"))
        let (resumed, _) = await client.request(["request": "start"])
        #expect(resumed["started"] == "ok")
        #expect(harness.media.lastBindings(transport)?.map(\.send) == [true, true])
        // Per-stream send through configure.
        let (configured, _) = await client.request(["request": "configure", "streams": [["mid": "1", "send": false]]])
        #expect(configured["configured"] == "ok")
        #expect(harness.media.lastBindings(transport)?.map(\.send) == [true, false])
        let (badLayer, _) = await client.request(["request": "configure", "streams": [["mid": "1", "substream": 3]]])
        #expect(badLayer.errorCode == 430)
        let (badMid, _) = await client.request(["request": "configure", "streams": [["mid": "9", "send": true]]])
        #expect(badMid.errorCode == 428)
        #expect(badMid.errorText == "No such mid '9' in subscription")
    }

    /// Janus's manual simulcast choice: `substream` per stream (or top-level for every video
    /// m-line) reaches the media plane as the m-line's layer ceiling, and the media plane's layer
    /// changes come back as `{"videoroom":"event","room":R,"mid":M,"substream":N}`.
    @Test func substreamReachesTheMediaPlaneAndLayerChangesAreEvents() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let (client, transport, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1)]])
        #expect(harness.media.lastBindings(transport)?.map(\.substream) == [nil, nil])
        let (configured, _) = await client.request(["request": "configure", "streams": [["mid": "1", "substream": 0]]])
        #expect(configured["configured"] == "ok")
        #expect(harness.media.lastBindings(transport)?.map(\.substream) == [nil, 0])
        #expect(harness.media.lastBindings(transport)?.map(\.send) == [true, true])
        // Legacy top-level field (videoroom.js): every video m-line.
        _ = await client.request(["request": "configure", "substream": 2])
        #expect(harness.media.lastBindings(transport)?.map(\.substream) == [nil, 2])

        harness.media.emit(transport, .layerChanged(mid: "1", substream: 1))
        let event: JSONObject = ["videoroom": "event", "room": 1234, "mid": "1", "substream": 1]
        #expect(await client.waitForNotification { $0 == event } != nil)
    }

    /// `temporal` and `fallback` (at subscribe time and in `configure`) reach the media plane with
    /// `substream`; temporal changes and bandwidth pauses come back as events.
    @Test func temporalAndFallbackReachTheMediaPlaneWithTheirEvents() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let (client, transport, _) = try await subscribe(
            harness, streams: [["feed": .uint(alice.1), "mid": "1", "substream": 1, "temporal": 0, "fallback": 500_000]])
        var bindings = try #require(harness.media.lastBindings(transport))
        #expect(bindings.map(\.substream) == [1] && bindings.map(\.temporal) == [0])
        #expect(bindings.map(\.fallbackMicroseconds) == [500_000])
        _ = await client.request(["request": "configure", "streams": [["mid": "0", "temporal": 2]]])
        bindings = try #require(harness.media.lastBindings(transport))
        #expect(bindings.map(\.temporal) == [2] && bindings.map(\.substream) == [1], "fields left out stay")
        let (bad, _) = await client.request(["request": "configure", "streams": [["mid": "0", "temporal": 3]]])
        #expect(bad.errorCode == 430)

        harness.media.emit(transport, .temporalLayerChanged(mid: "0", temporal: 1))
        let temporal: JSONObject = ["videoroom": "event", "room": 1234, "mid": "0", "temporal": 1]
        #expect(await client.waitForNotification { $0 == temporal } != nil)
        harness.media.emit(transport, .videoPaused(mid: "0", paused: true))
        let paused: JSONObject = ["videoroom": "event", "room": 1234, "mid": "0", "bandwidth_paused": true]
        #expect(await client.waitForNotification { $0 == paused } != nil)
    }

    /// The data cap: a subscriber's `max_bitrate` reaches its transport at once; a room's
    /// `subscriber_max_bitrate` is the default every subscriber starts with, and an `edit` of it
    /// reaches those that did not choose their own.
    @Test func maxBitrateAndTheRoomDefaultReachTheMediaPlane() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (created, _) = await admin.request(["request": "create", "room": 42, "subscriber_max_bitrate": 400_000])
        #expect(created["videoroom"] == "created")
        let (list, _) = await admin.request(["request": "list"])
        #expect(list["list"]?.arrayValue?.first { $0["room"] == 42 }?["subscriber_max_bitrate"] == 400_000)
        let (alice, _) = try await twoPublishers(harness, room: 42)
        let client = try await harness.client()
        let (attached, offer) = await client.request(
            ["request": "join", "ptype": "subscriber", "room": 42, "streams": [["feed": .uint(alice.1)]]])
        #expect(attached["videoroom"] == "attached")
        _ = await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
        let transport = try #require(harness.media.lastStarted?.allocation.id)
        #expect(harness.media.limits(transport) == [400_000], "the room default from the start")

        let (configured, _) = await client.request(["request": "configure", "max_bitrate": 250_000])
        #expect(configured["configured"] == "ok")
        #expect(harness.media.limits(transport) == [400_000, 250_000])
        // The subscriber's own choice stands when the room default changes; 0 lifts its cap.
        _ = await admin.request(["request": "edit", "room": 42, "new_subscriber_max_bitrate": 800_000])
        #expect(harness.media.limits(transport) == [400_000, 250_000])
        _ = await client.request(["request": "configure", "max_bitrate": 0])
        #expect(harness.media.limits(transport) == [400_000, 250_000, 0])
        let (bad, _) = await client.request(["request": "configure", "max_bitrate": "lots"])
        #expect(bad.errorCode == 430, "\(bad)")
    }

    /// `limit_subscriptions` (extension): the room's owner caps what one participant receives —
    /// every subscription joined with its `private_id`, and no other.
    @Test func limitSubscriptionsCapsOneParticipantsSubscriptions() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        _ = await admin.request(["request": "create", "room": 77, "secret": "owner"])
        let (alice, _) = try await twoPublishers(harness, room: 77)
        let carol = try await harness.client()
        let (joined, _) = await carol.request(["request": "join", "ptype": "publisher", "room": 77, "display": "carol"])
        let carolID = try #require(joined["id"]?.uint64Value)
        let privateID = try #require(joined["private_id"]?.uint64Value)
        var transports: [UInt64] = []
        for owner in [privateID, 12345] {
            let client = try await harness.client()
            let (attached, offer) = await client.request([
                "request": "join", "ptype": "subscriber", "room": 77, "private_id": .uint(UInt64(owner)),
                "streams": [["feed": .uint(alice.1)]],
            ])
            #expect(attached["videoroom"] == "attached")
            _ = await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
            transports.append(try #require(harness.media.lastStarted?.allocation.id))
        }
        let (none, _) = await admin.request(["request": "limit_subscriptions", "room": 77, "id": .uint(carolID), "max_bitrate": 300_000])
        #expect(none.errorCode == 429, "the room's secret is needed")
        let (wrong, _) = await admin.request(
            ["request": "limit_subscriptions", "room": 77, "secret": "guess", "id": .uint(carolID), "max_bitrate": 300_000])
        #expect(wrong.errorCode == 433)
        let (limited, _) = await admin.request([
            "request": "limit_subscriptions", "room": 77, "secret": "owner", "id": .uint(carolID), "max_bitrate": 300_000,
        ])
        #expect(limited == ["videoroom": "success", "room": 77, "subscriptions": 1])
        #expect(harness.media.limits(transports[0]) == [300_000])
        #expect(harness.media.limits(transports[1]).isEmpty, "someone else's subscription is left alone")
        let (missing, _) = await admin.request(["request": "limit_subscriptions", "room": 77, "secret": "owner", "id": 9])
        #expect(missing.errorCode == 429)
    }

    /// Whoever is talking goes first where a subscriber's bandwidth is short: their video m-lines
    /// are bound with a higher priority while they talk.
    @Test func theTalkingParticipantsVideoIsBoundWithPriority() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        _ = await admin.request(["request": "create", "room": 56, "audiolevel_event": true])
        let (alice, bob) = try await twoPublishers(harness, room: 56)
        let client = try await harness.client()
        let (attached, offer) = await client.request([
            "request": "join", "ptype": "subscriber", "room": 56,
            "streams": [["feed": .uint(alice.1), "mid": "1"], ["feed": .uint(bob.1), "mid": "1"]],
        ])
        #expect(attached["videoroom"] == "attached")
        _ = await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
        let transport = try #require(harness.media.lastStarted?.allocation.id)
        #expect(harness.media.lastBindings(transport)?.map(\.priority) == [0, 0])
        harness.media.emit(bob.2, .talking(mid: "0", talking: true, level: 20))
        #expect(await harness.media.waitForBindings(transport) { $0.map(\.priority) == [0, 1] })
        harness.media.emit(bob.2, .talking(mid: "0", talking: false, level: 60))
        #expect(await harness.media.waitForBindings(transport) { $0.map(\.priority) == [0, 0] })
    }

    @Test func updateKeepsMidsStableAndReusesInactiveMLines() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let (carol, carolID) = try await harness.publisher(display: "carol")
        let carolTransport = await harness.publish(carol)
        let (client, transport, _) = try await subscribe(
            harness, streams: [["feed": .uint(alice.1)], ["feed": .uint(bob.1), "mid": "1"]])

        let (updated, jsep) = await client.request(["request": "unsubscribe", "streams": [["feed": .uint(alice.1)]]])
        #expect(updated["videoroom"] == "updated")
        let layout = updated["streams"]?.arrayValue ?? []
        #expect(layout.map { $0["mid"] } == ["0", "1", "2"])
        #expect(layout.map { $0["active"] } == [false, false, true])
        let offer = try SessionDescription.parse(try #require(jsep).sdp)
        #expect(offer.media.map(\.mid) == ["0", "1", "2"])
        #expect(offer.media.map(\.direction) == [.inactive, .inactive, .sendonly])
        #expect(offer.origin.sessionVersion == "2")
        // Unbound at once, before the answer.
        #expect(harness.media.lastBindings(transport)?.map(\.source) == [nil, nil, SourceKey(publisher: bob.2, mid: "1")])
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(jsep)))

        // Carol's audio and video take the freed m-lines 0 and 1.
        let (again, jsep2) = await client.request(["request": "update", "subscribe": [["feed": .uint(carolID)]]])
        #expect(again["videoroom"] == "updated")
        // Reused m-lines are bound only once the answer confirms them.
        #expect(harness.media.lastBindings(transport)?.map(\.source) == [nil, nil, SourceKey(publisher: bob.2, mid: "1")])
        let offer2 = try SessionDescription.parse(try #require(jsep2).sdp)
        #expect(offer2.media.map(\.mid) == ["0", "1", "2"])
        #expect(offer2.media.map(\.direction) == [.sendonly, .sendonly, .sendonly])
        #expect(offer2.media[2].mediaSSRCs == offer.media[2].mediaSSRCs)  // untouched m-line keeps its SSRC
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(jsep2)))
        #expect(harness.media.lastBindings(transport) == [
            SubscriberBinding(mid: "0", source: SourceKey(publisher: carolTransport, mid: "0")),
            SubscriberBinding(mid: "1", source: SourceKey(publisher: carolTransport, mid: "1")),
            SubscriberBinding(mid: "2", source: SourceKey(publisher: bob.2, mid: "1")),
        ])
        // A fourth stream gets a new mid.
        let (grown, jsep3) = await client.request(["request": "subscribe", "streams": [["feed": .uint(alice.1), "mid": "1"]]])
        #expect(grown["streams"]?.arrayValue?.map { $0["mid"] } == ["0", "1", "2", "3"])
        #expect(try SessionDescription.parse(try #require(jsep3).sdp).media.count == 4)
        // Nothing to change: `updated` without streams or offer.
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(jsep3)))
        let (same, none) = await client.request(["request": "update"])
        #expect(same == ["videoroom": "updated", "room": 1234])
        #expect(none == nil)
    }

    @Test func updateWhileAnOfferIsPendingSaysUpdating() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let (client, _, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1)]])
        let (first, offer) = await client.request(["request": "subscribe", "streams": [["feed": .uint(bob.1)]]])
        #expect(first["videoroom"] == "updated")
        let (second, none) = await client.request(["request": "unsubscribe", "streams": [["sub_mid": "0"]]])
        #expect(second == ["videoroom": "updating", "room": 1234])
        #expect(none == nil)
        client.clear()
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
        let follow = client.events.first { $0.data["videoroom"] == "updated" }
        #expect(follow?.jsep?.type == .offer)
        #expect(follow?.data["streams"]?.arrayValue?.first?["active"] == false)
    }

    /// A publisher leaving while an offer is unanswered: no `updating`, the offer follows `start`.
    @Test func automaticUpdateWaitsSilentlyForThePendingAnswer() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let (client, _, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1)]])
        let (_, offer) = await client.request(["request": "subscribe", "streams": [["feed": .uint(bob.1)]]])
        client.clear()
        await alice.0.request(["request": "leave"])
        #expect(client.events.isEmpty)
        let (started, _) = await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
        #expect(started["started"] == "ok")
        let follow = try #require(client.events.first { $0.data["videoroom"] == "updated" })
        #expect(follow.data["streams"]?.arrayValue?.map { $0["active"] } == [false, false, true, true])
        #expect(follow.data["streams"]?.arrayValue?.map { $0["ready"] } == [false, false, true, true])
        #expect(follow.jsep?.type == .offer)
    }

    @Test func switchRepointsWithoutRenegotiation() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let (client, transport, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1), "mid": "1"]])
        let (switched, jsep) = await client.request(
            ["request": "switch", "streams": [["feed": .uint(bob.1), "mid": "1", "sub_mid": "0"]]])
        #expect(switched["switched"] == "ok")
        #expect(switched["changes"] == 1)
        #expect(switched["streams"]?.arrayValue?.first?["feed_id"] == .uint(bob.1))
        #expect(jsep == nil)
        #expect(harness.media.lastBindings(transport) == [SubscriberBinding(mid: "0", source: SourceKey(publisher: bob.2, mid: "1"))])
        // Audio cannot feed a video m-line: skipped, no change.
        let (skipped, _) = await client.request(
            ["request": "switch", "streams": [["feed": .uint(bob.1), "mid": "0", "sub_mid": "0"]]])
        #expect(skipped["changes"] == 0)
        let (noFeed, _) = await client.request(["request": "switch", "streams": [["feed": 5, "mid": "1", "sub_mid": "0"]]])
        #expect(noFeed.errorCode == 428)
        let (noSub, _) = await client.request(["request": "switch", "streams": [["feed": .uint(bob.1), "mid": "1", "sub_mid": "7"]]])
        #expect(noSub.errorCode == 428)
        let (missing, _) = await client.request(["request": "switch", "streams": [["feed": .uint(bob.1), "sub_mid": "0"]]])
        #expect(missing.errorCode == 429)
    }

    @Test func publisherLeavingDeactivatesItsStreams() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let (client, transport, _) = try await subscribe(
            harness, streams: [["feed": .uint(alice.1)], ["feed": .uint(bob.1), "mid": "1"]])
        client.clear()
        await alice.0.request(["request": "unpublish"])
        #expect(harness.media.lastBindings(transport)?.map(\.source) == [nil, nil, SourceKey(publisher: bob.2, mid: "1")])
        let updated = try #require(client.events.first { $0.data["videoroom"] == "updated" })
        #expect(updated.data["streams"]?.arrayValue?.map { $0["active"] } == [false, false, true])
        let offer = try SessionDescription.parse(try #require(updated.jsep).sdp)
        #expect(offer.media.map(\.direction) == [.inactive, .inactive, .sendonly])
        // bob leaving as well: the last stream goes inactive too.
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(updated.jsep)))
        await bob.0.request(["request": "leave"])
        #expect(harness.media.lastBindings(transport)?.map(\.source) == [nil, nil, nil])
    }

    @Test func legacyFeedJoinAndLeave() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let client = try await harness.client()
        let (attached, offer) = await client.request(["request": "join", "ptype": "subscriber", "room": 1234, "feed": .uint(alice.1)])
        #expect(attached["id"] == .uint(alice.1))
        #expect(attached["display"] == "alice")
        #expect(attached["warning"] == "deprecated_api")
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
        let transport = harness.media.lastStarted?.allocation.id ?? 0
        let (left, _) = await client.request(["request": "leave"])
        #expect(left == ["videoroom": "event", "room": 1234, "left": "ok"])
        #expect(client.hangups == ["Close PC"])
        #expect(harness.media.closed(transport))
    }

    /// The deprecated `offer_*` switches filter the legacy `feed` form; with all off, 437.
    @Test func legacyFeedOfferSwitches() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let join: JSONObject = ["request": "join", "ptype": "subscriber", "room": 1234, "feed": .uint(alice.1)]
        let audioOnly = try await harness.client()
        var body = join
        body["offer_video"] = false
        let (attached, _) = await audioOnly.request(body)
        #expect(attached["videoroom"] == "attached", "\(attached)")
        #expect(attached["streams"]?.arrayValue?.map { $0["type"] } == ["audio"])
        let nothing = try await harness.client()
        body["offer_audio"] = false
        body["offer_data"] = false
        let (refused, jsep) = await nothing.request(body)
        #expect(refused.errorCode == 437)
        #expect(refused.errorText == "Can't offer an SDP with no stream")
        #expect(jsep == nil)
    }

    /// Provokes 428 (feed, mid), 437 (no stream), 433 (private_id), an ignored offer at join,
    /// 431 (offer on a subscriber), 430 (empty lists), 429 (missing streams/feed), 425.
    @Test func subscriberErrors() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (alice, bob) = try await twoPublishers(harness)
        let (notYet, notYetID) = try await harness.publisher(display: "joined-only")
        _ = notYet
        let client = try await harness.client()
        let join: JSONObject = ["request": "join", "ptype": "subscriber", "room": 1234]
        func joinWith(_ extra: JSONObject, jsep: JSEP? = nil) async -> JSONObject {
            var body = join
            for (key, value) in extra { body[key] = value }
            return await client.request(body, jsep: jsep).data
        }
        #expect(await joinWith(["streams": [["feed": 999]]]).errorCode == 428)
        let inactive = await joinWith(["streams": [["feed": .uint(notYetID)]]])
        #expect(inactive.errorCode == 428)
        #expect(inactive.errorText == "No such feed (\(notYetID))")
        let badMid = await joinWith(["streams": [["feed": .uint(alice.1), "mid": "5"]]])
        #expect(badMid.errorText == "No such mid '5' in feed (\(alice.1))")
        let empty = await joinWith(["streams": []])
        #expect(empty.errorCode == 437)
        #expect(empty.errorText == "Can't offer an SDP with no stream")
        #expect(await joinWith([:]).errorCode == 429)
        #expect(await joinWith(["streams": [["mid": "1"]]]).errorText == "Missing mandatory element (feed)")
        // Janus 1.1.2 ignores a JSEP offer on a subscriber join: `attached` with our own offer.
        let offering = try await harness.client()
        let (withOffer, ourOffer) = await offering.request(
            ["request": "join", "ptype": "subscriber", "room": 1234, "streams": [["feed": .uint(alice.1)]]],
            jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(withOffer["videoroom"] == "attached", "\(withOffer)")
        #expect(ourOffer?.type == .offer)

        await admin.request(["request": "create", "room": 91, "pin": "p"])
        let pinned = await client.request(["request": "join", "ptype": "subscriber", "room": 91, "streams": [["feed": 1]]]).data
        #expect(pinned.errorText == "Missing mandatory element (pin)")
        let wrongPin = await client.request(
            ["request": "join", "ptype": "subscriber", "room": 91, "pin": "x", "streams": [["feed": 1]]]).data
        #expect(wrongPin.errorCode == 433)

        await admin.request(["request": "create", "room": 90, "require_pvtid": true])
        let (owner, _) = try await harness.publisher(room: 90, display: "owner")
        let privateID = owner.events.first?.data["private_id"] ?? .null
        let refused = await client.request(["request": "join", "ptype": "subscriber", "room": 90, "streams": [["feed": 1]]]).data
        #expect(refused.errorCode == 433)
        #expect(refused.errorText == "Unauthorized (this room requires a valid private_id)")
        // A valid private id gets past the check (then fails on the unknown feed).
        let pastCheck = await client.request(
            ["request": "join", "ptype": "subscriber", "room": 90, "private_id": privateID, "streams": [["feed": 1]]]).data
        #expect(pastCheck.errorCode == 428)

        let (subscriber, _, _) = try await subscribe(harness, streams: [["feed": .uint(bob.1)]])
        let (offerOnSub, _) = await subscriber.request(["request": "start"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(offerOnSub.errorCode == 431)
        #expect(offerOnSub.errorText == "Only publishers send offers")
        #expect(await subscriber.request(["request": "update", "subscribe": []]).data.errorText == "Empty subscription list")
        #expect(await subscriber.request(["request": "unsubscribe", "streams": []]).data.errorText == "Empty unsubscription list")
        #expect(await subscriber.request(["request": "subscribe"]).data.errorCode == 429)
        #expect(await subscriber.request(["request": "unsubscribe", "streams": [["sub_mid": "8"]]]).data.errorCode == 428)
        let rejoin = await subscriber.request(["request": "join", "ptype": "subscriber", "room": 1234, "streams": [["feed": .uint(bob.1)]]]).data
        #expect(rejoin.errorCode == 425)
        #expect(rejoin.errorText == "Already in as a subscriber on this handle")
        #expect(await subscriber.request(["request": "unpublish"]).data.errorCode == 423)
    }

    @Test func publisherReconnectingOnANewTransportIsFollowed() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let (_, transport, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1)]])
        // A fresh offer from another DTLS certificate on the publisher handle: a new PeerConnection.
        let restarted = SDPFixtures.chromium
            .replacingOccurrences(of: "a=ice-ufrag:w55Q", with: "a=ice-ufrag:n3wU")
            .replacingOccurrences(of: "sha-256 F8:F7:38", with: "sha-256 11:22:33")
        await alice.0.request(["request": "configure"], jsep: JSEP(type: .offer, sdp: restarted))
        let newTransport = harness.media.lastStarted?.allocation.id ?? 0
        #expect(newTransport != alice.2)
        #expect(harness.media.closed(alice.2))
        #expect(harness.media.lastBindings(transport)?.map(\.source) == [
            SourceKey(publisher: newTransport, mid: "0"), SourceKey(publisher: newTransport, mid: "1"),
        ])
    }

    @Test func publisherICERestartKeepsTheTransport() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await twoPublishers(harness)
        let (_, transport, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1)]])
        let bindingsBefore = harness.media.lastBindings(transport)
        // Same certificate, new ICE credentials (createOffer({iceRestart:true})).
        let restarted = SDPFixtures.chromium
            .replacingOccurrences(of: "a=ice-ufrag:w55Q", with: "a=ice-ufrag:n3wU")
            .replacingOccurrences(of: "a=ice-pwd:uFg/02Bzfo53UhUgFZmg/RCJ", with: "a=ice-pwd:0123456789abcdefghijklmn")
        let (configured, jsep) = await alice.0.request(["request": "configure"], jsep: JSEP(type: .offer, sdp: restarted))
        #expect(configured["configured"] == "ok")
        let restarts = harness.media.calls.withLock { $0.restarts }
        #expect(restarts.map(\.allocation) == [alice.2])
        #expect(restarts.first?.remote == ICECredentials(ufrag: "n3wU", pwd: "0123456789abcdefghijklmn"))
        #expect(!harness.media.closed(alice.2))
        // The answer carries the new local credentials; subscribers are untouched.
        let answer = try SessionDescription.parse(try #require(jsep).sdp)
        let firstUfrag = harness.media.calls.withLock { $0.allocated.first { $0.id == alice.2 }?.localCredentials.ufrag }
        #expect(answer.media.first?.iceUfrag != firstUfrag)
        #expect(harness.media.lastBindings(transport) == bindingsBefore)
    }

    @Test func subscriberRenegotiationUpdatesTheRunningTransport() async throws {
        let harness = VideoRoomHarness()
        let (alice, bob) = try await twoPublishers(harness)
        let (client, transport, _) = try await subscribe(harness, streams: [["feed": .uint(alice.1)]])
        let startsBefore = harness.media.calls.withLock { $0.started.count }
        let (_, offer) = await client.request(["request": "subscribe", "streams": [["feed": .uint(bob.1)]]])
        await client.request(["request": "start"], jsep: try VideoRoomHarness.answer(to: try #require(offer)))
        #expect(harness.media.calls.withLock { $0.started.count } == startsBefore)
        #expect(harness.media.lastUpdated?.allocation.id == transport)
        #expect(harness.media.lastUpdated?.setup.streams.map(\.mid) == ["0", "1", "2", "3"])
        #expect(harness.media.lastBindings(transport)?.compactMap(\.source).count == 4)
    }
}
