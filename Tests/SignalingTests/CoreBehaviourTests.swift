import Testing
@testable import Signaling

@Suite struct CoreBehaviourTests {
    @Test func createAttachInfoPing() async {
        let (core, _) = makeCore()
        let created = await core.send(#"{"janus":"CREATE","transaction":"t1"}"#)
        #expect(created.janus == "success")
        #expect(created["transaction"] == "t1")
        #expect(created["session_id"] == nil)
        let sid = created["data"]?["id"]?.uint64Value ?? 0
        #expect(sid > 0 && sid < (1 << 53))
        let attached = await core.send(
            #"{"janus":"Attach","transaction":"t2","session_id":\#(sid),"plugin":"janus.plugin.test","opaque_id":"x"}"#)
        #expect(attached.janus == "success")
        #expect(attached["session_id"]?.uint64Value == sid)
        let hid = attached["data"]?["id"]?.uint64Value ?? 0
        #expect(hid > 0 && hid < (1 << 53))
        let keepalive = await core.send(#"{"janus":"keepalive","transaction":"t3","session_id":\#(sid)}"#)
        #expect(keepalive == ["janus": "ack", "session_id": .int(Int64(sid)), "transaction": "t3"])
        let ping = await core.send(#"{"janus":"ping","transaction":"p"}"#)
        #expect(ping == ["janus": "pong", "transaction": "p"])
        let info = await core.send(#"{"janus":"info","transaction":"i"}"#)
        #expect(info.janus == "server_info")
        #expect(info["name"] == "swift-sfu")
        #expect(info["plugins"]?["janus.plugin.test"]?["name"] == "Test plugin")
        #expect(info["session-timeout"] == 60)
        // What is true: data channels are answered but not relayed; no IPv6 ICE address here.
        #expect(info["data_channels"] == false)
        #expect(info["ipv6"] == false)
        let (v6, _) = makeCore { $0.ipv6 = true }
        #expect(await v6.send(#"{"janus":"info","transaction":"i"}"#)["ipv6"] == true)
    }

    @Test func syncAndAsyncMessages() async {
        let (core, plugin) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        let sync = await core.send(
            #"{"janus":"message","transaction":"m1","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"sync","x":1}}"#,
            connection: sink)
        #expect(sync.janus == "success")
        #expect(sync["sender"]?.uint64Value == hid)
        #expect(sync["plugindata"]?["plugin"] == "janus.plugin.test")
        #expect(sync["plugindata"]?["data"]?["echo"]?["x"] == 1)
        let async = await core.send(
            #"{"janus":"message","transaction":"m2","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"async"},"jsep":{"type":"OFFER","sdp":"v=0\r\n","trickle":true,"rid_order":"lmh"}}"#,
            connection: sink)
        #expect(async == ["janus": "ack", "session_id": .int(Int64(sid)), "transaction": "m2", "hint": "I'm taking my time!"])
        let events = await sink.wait(count: 1)
        #expect(events.count == 1)
        let event = events.first
        #expect(event?.janus == "event")
        #expect(event?["transaction"] == "m2")
        #expect(event?["sender"]?.uint64Value == hid)
        #expect(event?["plugindata"]?["data"]?["echo"]?["request"] == "async")
        #expect(event?["jsep"]?["type"] == "answer")
        let received = await plugin.session(hid)?.messages.last?.jsep
        #expect(received?.type == .offer)
        #expect(received?.trickle == true)
        #expect(received?.extra["rid_order"] == "lmh")
    }

    @Test func pluginEventsKeepTheirOrderAndShapes() async {
        let (core, _) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"events"}}"#,
            connection: sink)
        let events = await sink.wait(count: 6)
        #expect(events.map { $0.janus ?? "" } == ["event", "webrtcup", "media", "media", "slowlink", "event"])
        let s = JSONValue.int(Int64(sid))
        let h = JSONValue.int(Int64(hid))
        #expect(events.count == 6)
        guard events.count == 6 else { return }
        #expect(events[0]["transaction"] == nil)
        #expect(events[1] == ["janus": "webrtcup", "session_id": s, "sender": h])
        #expect(events[2] == ["janus": "media", "session_id": s, "sender": h, "mid": "0", "type": "audio", "receiving": true])
        #expect(events[3]["substream"] == 0)
        #expect(events[4] == ["janus": "slowlink", "session_id": s, "sender": h, "mid": "1", "media": "video", "uplink": true, "lost": 12])
        #expect(events[5]["plugindata"]?["data"]?["n"] == 2)
    }

    @Test func manyEventsInOrder() async {
        let (core, _) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"many","count":500}}"#,
            connection: sink)
        let events = await sink.wait(count: 500)
        #expect(events.compactMap { $0["plugindata"]?["data"]?["i"]?.int64Value } == Array(0..<500))
    }

    @Test func hangupThenDetach() async {
        let (core, plugin) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        let hangup = await core.send(#"{"janus":"hangup","transaction":"h","session_id":\#(sid),"handle_id":\#(hid)}"#, connection: sink)
        #expect(hangup == ["janus": "success", "session_id": .int(Int64(sid)), "transaction": "h"])
        #expect(await plugin.session(hid)?.hangups == ["Janus API"])
        let detach = await core.send(#"{"janus":"detach","transaction":"d","session_id":\#(sid),"handle_id":\#(hid)}"#, connection: sink)
        #expect(detach == ["janus": "success", "session_id": .int(Int64(sid)), "transaction": "d"])
        #expect(await plugin.session(hid)?.destroyed == true)
        let events = await sink.wait(count: 2)
        #expect(events.map { $0.janus ?? "" } == ["hangup", "detached"])
        #expect(events.first?["reason"] == "Janus API")
        #expect(events.last == ["janus": "detached", "session_id": .int(Int64(sid)), "sender": .int(Int64(hid))])
        let after = await core.send(#"{"janus":"message","transaction":"x","session_id":\#(sid),"handle_id":\#(hid),"body":{}}"#)
        #expect(after.errorCode == 459)
    }

    /// The `hangup` event is the plugin's to send (only when there was a PeerConnection, as in
    /// Janus); the core answers the request and calls the plugin but never adds one of its own.
    @Test func hangupEventComesOnlyFromThePlugin() async {
        let (core, plugin) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        let hangupRequest = #"{"janus":"hangup","transaction":"h","session_id":\#(sid),"handle_id":\#(hid)}"#
        // No PeerConnection: success, the plugin is told, and no event at all.
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"nopc"}}"#)
        let quiet = await core.handleWebSocketMessage(Array(hangupRequest.utf8), connection: sink)
        #expect(quiet == [["janus": "success", "session_id": .int(Int64(sid)), "transaction": "h"]])
        #expect(await plugin.session(hid)?.hangups == ["Janus API"])
        #expect(sink.messages == quiet)
        // With a PeerConnection: exactly one `hangup`, the plugin's.
        let fresh = RecordingSink()
        let (sid2, hid2) = await core.createAndAttach(connection: fresh)
        let replies = await core.handleWebSocketMessage(
            Array(#"{"janus":"hangup","transaction":"h2","session_id":\#(sid2),"handle_id":\#(hid2)}"#.utf8),
            connection: fresh)
        #expect(replies.first?.janus == "success")
        #expect(fresh.messages.map { $0.janus ?? "" } == ["success", "hangup"])
        #expect(fresh.messages.last == [
            "janus": "hangup", "session_id": .int(Int64(sid2)), "sender": .int(Int64(hid2)), "reason": "Janus API",
        ])
    }

    @Test func webSocketRepliesPrecedeTheirFollowUpEvents() async {
        let (core, plugin) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        let replies = await core.handleWebSocketMessage(
            Array(#"{"janus":"hangup","transaction":"h","session_id":\#(sid),"handle_id":\#(hid)}{"janus":"detach","transaction":"d","session_id":\#(sid),"handle_id":\#(hid)}"#.utf8),
            connection: sink)
        #expect(replies.map { $0.janus ?? "" } == ["success", "success"])
        #expect(sink.messages.map { $0.janus ?? "" } == ["success", "hangup", "success", "detached"])
        #expect(await plugin.session(hid)?.destroyed == true)
    }

    @Test func pluginInitiatedDetach() async {
        let (core, plugin) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"detachme"}}"#)
        let events = await sink.wait(count: 1)
        #expect(events.first?.janus == "detached")
        for _ in 0..<200 where await core.handleCount(sessionID: sid) != 0 { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(await core.handleCount(sessionID: sid) == 0)
        #expect(await plugin.session(hid)?.destroyed == true)
    }

    @Test func destroyReleasesHandles() async {
        let (core, plugin) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        let reply = await core.send(#"{"janus":"destroy","transaction":"d","session_id":\#(sid)}"#)
        #expect(reply == ["janus": "success", "session_id": .int(Int64(sid)), "transaction": "d"])
        #expect(await plugin.session(hid)?.destroyed == true)
        #expect(await core.sessionCount == 0)
        let again = await core.send(#"{"janus":"keepalive","transaction":"k","session_id":\#(sid)}"#)
        #expect(again.errorCode == 458)
    }

    @Test func trickleBeforeJsepIsForwarded() async {
        let (core, plugin) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        let single = await core.send(
            #"{"janus":"trickle","transaction":"t1","session_id":\#(sid),"handle_id":\#(hid),"candidate":{"candidate":"candidate:1 1 udp 2122260223 10.203.0.2 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#)
        #expect(single == ["janus": "ack", "session_id": .int(Int64(sid)), "transaction": "t1"])
        let many = await core.send(
            #"{"janus":"trickle","transaction":"t2","session_id":\#(sid),"handle_id":\#(hid),"candidates":[{"candidate":"candidate:2 1 udp 1 10.203.0.2 50001 typ host","sdpMid":"0"},{"bogus":1},{"completed":true}]}"#)
        #expect(many.janus == "ack")
        let done = await core.send(
            #"{"janus":"trickle","transaction":"t3","session_id":\#(sid),"handle_id":\#(hid),"candidate":null}"#)
        #expect(done.janus == "ack")
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{},"jsep":{"type":"offer","sdp":"v=0"}}"#)
        let session = plugin.session(hid)
        let trickles = await session?.trickles ?? []
        #expect(trickles.count == 3)
        guard trickles.count == 3 else { return }
        #expect(trickles[0].candidates.first?.sdpMLineIndex == 0)
        #expect(trickles[0].completed == false)
        #expect(trickles[1].candidates.count == 1)
        #expect(trickles[1].completed == true)
        #expect(trickles[2].candidates.isEmpty && trickles[2].completed)
        #expect(await session?.messages.count == 1)
    }

    @Test func longPollSingleObjectArrayAndKeepalive() async {
        let (core, _) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        // Nothing queued: held, then keepalive (object for maxev 1, array for maxev ≥ 2).
        let start = ContinuousClock.now
        let idle = await core.longPoll(sessionID: sid, maxEvents: 1, hold: .milliseconds(150))
        #expect(ContinuousClock.now - start >= .milliseconds(140))
        #expect(idle == ["janus": "keepalive"])
        let idleArray = await core.longPoll(sessionID: sid, maxEvents: 5, hold: .milliseconds(50))
        #expect(idleArray == [["janus": "keepalive"]])
        // Three queued events: maxev 2 takes two as an array, maxev 1 the next as an object.
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"many","count":3}}"#)
        let two = await core.longPoll(sessionID: sid, maxEvents: 2, hold: .milliseconds(50))
        #expect(two?.arrayValue?.count == 2)
        #expect(two?.arrayValue?.first?["plugindata"]?["data"]?["i"] == 0)
        let one = await core.longPoll(sessionID: sid, maxEvents: 1, hold: .milliseconds(50))
        #expect(one?["plugindata"]?["data"]?["i"] == 2)
        #expect(await core.longPoll(sessionID: 999, maxEvents: 1, hold: .milliseconds(10)) == nil)
    }

    /// The poll holds for an hour: only the event can end it (a poll that did not wake would
    /// hit the test's time limit instead of passing). No wall-clock assertion: the suite runs
    /// on loaded machines.
    @Test(.timeLimit(.minutes(1))) func longPollWakesOnEvent() async {
        let (core, _) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        async let polled = core.longPoll(sessionID: sid, maxEvents: 10, hold: .seconds(3600))
        try? await Task.sleep(for: .milliseconds(50))
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"async"}}"#)
        let result = await polled
        #expect(result?.arrayValue?.first?["transaction"] == "m")
    }

    /// Driven through `sweep(now:)` rather than the real watchdog: with timings of a few
    /// hundred milliseconds this test failed whenever the full suite starved the thread pool.
    @Test func sessionTimeoutSendsTimeoutAndDestroysHandles() async {
        let (core, plugin) = makeCore { $0.sessionTimeout = 3 }
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        let (other, _) = await core.createAndAttach()
        let now = ContinuousClock.now
        // The other session showed activity shortly before the sweep; the first one never did.
        _ = await core.send(#"{"janus":"keepalive","transaction":"k","session_id":\#(other)}"#)
        core.channels.withLock { $0[other] }?.touch(now + .seconds(9))
        await core.sweep(now: now + .seconds(10))
        #expect(sink.messages == [["janus": "timeout", "session_id": .int(Int64(sid))]])
        #expect(await plugin.session(hid)?.destroyed == true)
        let gone = await core.send(#"{"janus":"keepalive","transaction":"k","session_id":\#(sid)}"#)
        #expect(gone.errorCode == 458)
        let alive = await core.send(#"{"janus":"keepalive","transaction":"k","session_id":\#(other)}"#)
        #expect(alive.janus == "ack")
    }

    /// Janus counts a long poll's arrival as activity, not its hold: with a timeout shorter than
    /// the hold the session expires under the waiting poll, which delivers `timeout`.
    @Test func heldLongPollDoesNotKeepTheSessionAlive() async {
        let (core, plugin) = makeCore { $0.sessionTimeout = 3 }
        let (sid, hid) = await core.createAndAttach()
        let box = LongPollBox()
        guard case .waiting? = core.beginLongPoll(sessionID: sid, maxEvents: 1, deliver: { box.fulfil($0) }) else {
            Issue.record("the poll should wait")
            return
        }
        let polledAt = ContinuousClock.now
        await core.sweep(now: polledAt + .seconds(2))
        #expect(await core.sessionCount == 1)
        await core.sweep(now: polledAt + .seconds(4))
        #expect(await core.sessionCount == 0)
        let events = await box.wait()
        #expect(events == [["janus": "timeout", "session_id": .int(Int64(sid))]])
        #expect(await plugin.session(hid)?.destroyed == true)
        guard case .sessionNotFound? = core.beginLongPoll(sessionID: sid, maxEvents: 1, deliver: { _ in }) else {
            Issue.record("the session should be gone")
            return
        }
    }

    @Test func longPollArrivalCountsAsActivity() async {
        let (core, _) = makeCore { $0.sessionTimeout = 3 }
        let (sid, _) = await core.createAndAttach()
        // The session has been idle for a long time when the poll arrives…
        core.channels.withLock { $0[sid] }?.touch(.now - .seconds(10))
        let start = core.beginLongPoll(sessionID: sid, maxEvents: 1, deliver: { _ in })
        guard case .waiting(let ticket)? = start else {
            Issue.record("the poll should wait")
            return
        }
        let polledAt = ContinuousClock.now
        // …and the arrival restarts the timeout.
        await core.sweep(now: polledAt + .seconds(2))
        #expect(await core.sessionCount == 1)
        // A poll the client gave up on changes nothing: the timeout still runs from its arrival.
        #expect(ticket.cancel())
        await core.sweep(now: polledAt + .seconds(4))
        #expect(await core.sessionCount == 0)
    }

    /// The same with the real watchdog and `longPoll`'s own hold timer.
    @Test func sessionExpiresUnderAWaitingPollWithTheWatchdog() async {
        let (core, _) = makeCore {
            $0.sessionTimeout = 0.3
            $0.watchdogInterval = 0.05
        }
        await core.start()
        let (sid, _) = await core.createAndAttach()
        // No bound on the elapsed time (a starved thread pool delays the watchdog): getting
        // `timeout` rather than the keepalive at the end of the hold is the point.
        let polled = await core.longPoll(sessionID: sid, maxEvents: 1, hold: .seconds(20))
        #expect(polled == ["janus": "timeout", "session_id": .int(Int64(sid))])
        #expect(await core.sessionCount == 0)
        await core.shutdown()
    }

    @Test func connectionCloseDestroysItsSessionsOnly() async {
        let (core, plugin) = makeCore()
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        let (other, _) = await core.createAndAttach(connection: RecordingSink())
        await core.connectionClosed(sink)
        #expect(await plugin.session(hid)?.destroyed == true)
        let claim = await core.send(#"{"janus":"claim","transaction":"c","session_id":\#(sid)}"#)
        #expect(claim.errorCode == 458)
        let alive = await core.send(#"{"janus":"keepalive","transaction":"k","session_id":\#(other)}"#)
        #expect(alive.janus == "ack")
    }

    @Test func claimWithinReclaimWindow() async {
        let (core, _) = makeCore { $0.reclaimSessionTimeout = 10 }
        let first = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: first)
        await core.connectionClosed(first)
        // Events while orphaned are queued, then flushed to the claiming connection.
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"async"}}"#)
        let second = RecordingSink()
        let claim = await core.send(#"{"janus":"claim","transaction":"c","session_id":\#(sid)}"#, connection: second)
        #expect(claim == ["janus": "success", "session_id": .int(Int64(sid)), "transaction": "c"])
        let events = await second.wait(count: 1)
        #expect(events.first?["transaction"] == "m")
        #expect(first.messages.isEmpty)
    }

    @Test func eventQueueIsBoundedDroppingOldest() async {
        let (core, _) = makeCore { $0.eventQueueCapacity = 10 }
        let (sid, hid) = await core.createAndAttach()
        _ = await core.send(
            #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"many","count":25}}"#)
        let polled = await core.longPoll(sessionID: sid, maxEvents: 100, hold: .milliseconds(10))
        let indices = polled?.arrayValue?.compactMap { $0["plugindata"]?["data"]?["i"]?.int64Value }
        #expect(indices == Array(15..<25))
    }

    @Test func concurrentRequestsNeverCrash() async {
        let (core, _) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        let inputs = [
            "", "null", "[]", "{}", "{\"janus\":1}", "{\"janus\":\"message\",\"transaction\":\"x\"}",
            #"{"janus":"message","transaction":"x","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"slow"}}"#,
            #"{"janus":"detach","transaction":"x","session_id":\#(sid),"handle_id":\#(hid)}"#,
            #"{"janus":"destroy","transaction":"x","session_id":\#(sid)}"#,
            #"{"janus":"trickle","transaction":"x","session_id":\#(sid),"handle_id":\#(hid),"candidates":[1,"a",null,{}]}"#,
            #"{"janus":"create","transaction":"x","id":18446744073709551615}"#,
            #"{"janus":"keepalive","transaction":"x","session_id":-1,"handle_id":1.5}"#,
        ]
        await withTaskGroup(of: Void.self) { group in
            for input in inputs {
                group.addTask {
                    _ = await core.handleHTTP(body: Array(input.utf8), pathSessionID: nil, pathHandleID: nil)
                    _ = await core.handleWebSocketMessage(Array(input.utf8), connection: RecordingSink())
                }
            }
        }
        await core.shutdown()
    }
}

@Suite struct CoreRobustnessTests {
    /// Random envelopes (verbs, ids, field types) must always get exactly one well-formed reply.
    @Test func randomRequestsAlwaysGetAReply() async {
        let (core, _) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        var rng = SystemRandomNumberGenerator()
        let verbs: [JSONValue] = [
            "create", "attach", "message", "trickle", "keepalive", "detach", "hangup", "destroy", "info", "ping",
            "claim", "MESSAGE", "x", 1, nil, [], [:],
        ]
        let values: [JSONValue] = [
            nil, true, 0, -1, 1.5, "s", [], [:], .int(Int64(sid)), .int(Int64(hid)), ["type": "offer", "sdp": "v=0"],
            ["candidate": "c", "sdpMid": "0"], ["completed": true], [["candidate": "c", "sdpMLineIndex": 0]],
            "janus.plugin.test", .int(Int64.max), .int(Int64.min),
        ]
        let keys = ["session_id", "handle_id", "body", "jsep", "candidate", "candidates", "plugin", "opaque_id", "id", "apisecret", "loop_index"]
        for _ in 0..<1500 {
            var object: JSONObject = [:]
            if Int.random(in: 0..<10, using: &rng) > 0 { object["janus"] = verbs.randomElement(using: &rng) }
            if Int.random(in: 0..<10, using: &rng) > 0 { object["transaction"] = Bool.random(using: &rng) ? "t" : values.randomElement(using: &rng) }
            for key in keys where Int.random(in: 0..<3, using: &rng) == 0 {
                object[key] = values.randomElement(using: &rng)
            }
            let reply = await core.handle(request: .object(object), connection: Bool.random(using: &rng) ? RecordingSink() : nil)
            let kind = reply["janus"]?.stringValue ?? ""
            #expect(["success", "ack", "error", "server_info", "pong"].contains(kind))
            if kind == "error" {
                #expect(reply.errorCode != nil)
                #expect(reply.errorReason != nil)
            }
        }
        await core.shutdown()
    }
}
