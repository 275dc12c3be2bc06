import SDPTestFixtures
import Foundation
import Logging
import Testing
@testable import SFUMedia
@testable import Signaling

/// The plugin behind the real Janus core: envelopes as janus.js sees them.
@Suite struct VideoRoomWireTests {
    @Test func syncSuccessAsyncAckAndEventThroughTheCore() async throws {
        let media = FakeRoomMediaPlane()
        let core = JanusCore(
            configuration: JanusCoreConfiguration(),
            plugins: [VideoRoomPlugin(media: media, configuration: VideoRoomConfiguration(), logger: testLogger())],
            logger: testLogger())
        let sink = RecordingSink()
        let created = await core.send(#"{"janus":"create","transaction":"c"}"#, connection: sink)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let attached = await core.send(
            #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.videoroom","session_id":\#(sid)}"#,
            connection: sink)
        let hid = try #require(attached["data"]?["id"]?.uint64Value)
        let info = await core.send(#"{"janus":"info","transaction":"i"}"#)
        #expect(info["plugins"]?["janus.plugin.videoroom"]?["name"] == "swift-sfu VideoRoom plugin")

        let list = await core.send(
            #"{"janus":"message","transaction":"l","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"list"}}"#,
            connection: sink)
        #expect(list.janus == "success")
        #expect(list["plugindata"]?["plugin"] == "janus.plugin.videoroom")
        #expect(list["plugindata"]?["data"]?["videoroom"] == "success")

        let unknown = await core.send(
            #"{"janus":"message","transaction":"u","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"nope"}}"#,
            connection: sink)
        #expect(unknown.janus == "success")
        #expect(unknown["plugindata"]?["data"] == ["videoroom": "event", "error_code": 423, "error": "Unknown request 'nope'"])

        let join = await core.send(
            #"{"janus":"message","transaction":"j","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"join","ptype":"publisher","room":1234,"display":"web"}}"#,
            connection: sink)
        #expect(join.janus == "ack")
        let events = await sink.wait(count: 1)
        let joined = try #require(events.first { $0["transaction"] == "j" })
        #expect(joined.janus == "event")
        #expect(joined["sender"]?.uint64Value == hid)
        #expect(joined["plugindata"]?["data"]?["videoroom"] == "joined")

        // An async error: event with the request's transaction.
        let bad = await core.send(
            #"{"janus":"message","transaction":"b","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"unpublish"}}"#,
            connection: sink)
        #expect(bad.janus == "ack")
        let all = await sink.wait(count: 2)
        let error = try #require(all.first { $0["transaction"] == "b" })
        #expect(error["plugindata"]?["data"]?["error_code"] == 435)
    }

    @Test func simulcastPublisherWithDataChannel() async throws {
        let harness = VideoRoomHarness()
        let (alice, aliceID) = try await harness.publisher(display: "alice")
        let (configured, jsep) = await alice.request(
            ["request": "configure"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromiumSimulcast))
        let streams = configured["streams"]?.arrayValue ?? []
        #expect(streams.map { $0["type"] } == ["audio", "video", "data"])
        #expect(streams[1]["simulcast"] == true)
        let answer = try SessionDescription.parse(try #require(jsep).sdp)
        #expect(answer.media[1].simulcast != nil)
        #expect(answer.media[2].sctpPort == 5000)
        harness.media.emit(harness.media.lastStarted?.allocation.id ?? 0, .connected)
        _ = await eventually { alice.webrtcUps > 0 }
        // Subscribing to the whole feed takes its audio and video; data is not relayed.
        let subscriber = try await harness.client()
        let (attached, offer) = await subscriber.request(
            ["request": "join", "ptype": "subscriber", "room": 1234, "streams": [["feed": .uint(aliceID)]]])
        #expect(attached["streams"]?.arrayValue?.map { $0["type"] } == ["audio", "video"])
        #expect(try SessionDescription.parse(try #require(offer).sdp).media.count == 2)
        let (dataMid, _) = await subscriber.request(["request": "subscribe", "streams": [["feed": .uint(aliceID), "mid": "2"]]])
        #expect(dataMid.errorCode == 428)
    }

    @Test func editReachesRunningPublishers() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 80, "secret": "s", "bitrate": 300000])
        let (alice, _) = try await harness.publisher(room: 80, display: "alice")
        let transport = await harness.publish(alice)
        await admin.request(["request": "edit", "room": 80, "secret": "s", "new_bitrate": 600000, "new_fir_freq": 3])
        let settings = harness.media.calls.withLock { $0.configured.last { $0.allocation == transport }?.settings }
        #expect(settings?.bitrate == 600000)
        #expect(settings?.keyframeInterval == 3)
    }

    @Test func plainJoinWithAnOfferPublishes() async throws {
        let harness = VideoRoomHarness()
        let client = try await harness.client()
        let (joined, jsep) = await client.request(
            ["request": "join", "ptype": "publisher", "room": 1234],
            jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(joined["videoroom"] == "joined")
        #expect(joined["streams"]?.arrayValue?.count == 2)
        #expect(jsep?.type == .answer)
    }
}
