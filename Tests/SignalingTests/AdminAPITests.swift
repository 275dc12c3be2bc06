import NIOPosix
import Testing
@testable import Signaling

/// The Janus Admin API (janus.c `janus_process_incoming_admin_request`): shapes, secrets and
/// error codes on the core, then both transports on the wire.
@Suite struct AdminAPITests {
    private func makeAdmin(
        secret: String? = "adm", configure: (inout JanusCoreConfiguration) -> Void = { _ in }
    ) -> (JanusAdminAPI, JanusCore, TestPlugin) {
        let (core, plugin) = makeCore(configure)
        var hooks = JanusAdminAPI.Hooks()
        let level = Locked(4)
        hooks.logLevel = (get: { level.withLock { $0 } }, set: { value in level.withLock { $0 = value } })
        return (JanusAdminAPI(core: core, secret: secret, hooks: hooks), core, plugin)
    }

    @Test func infoAndPingNeedNoSecretEverythingElseDoes() async {
        let (admin, _, _) = makeAdmin()
        #expect(await admin.handle(["janus": "info", "transaction": "i"])["janus"] == "server_info")
        #expect(await admin.handle(["janus": "ping", "transaction": "p"]) == ["janus": "pong", "transaction": "p"])
        let denied = await admin.handle(["janus": "list_sessions", "transaction": "l"])
        #expect(denied == [
            "janus": "error", "transaction": "l",
            "error": ["code": 403, "reason": "Unauthorized request (wrong or missing secret/token)"],
        ])
        let wrong = await admin.handle(["janus": "list_sessions", "transaction": "l", "admin_secret": "x"])
        #expect(wrong.errorCode == 403)
        let listed = await admin.handle(["janus": "list_sessions", "transaction": "l", "admin_secret": "adm"])
        #expect(listed == ["janus": "success", "transaction": "l", "sessions": []])
    }

    @Test func sessionsHandlesAndHandleInfo() async throws {
        let (admin, core, _) = makeAdmin(secret: nil)
        let (sid, hid) = await core.createAndAttach()
        let sessions = await admin.handle(["janus": "list_sessions", "transaction": "t"])
        #expect(sessions["sessions"] == [.uint(sid)])
        let handles = await admin.handle(["janus": "list_handles", "transaction": "t", "session_id": .uint(sid)])
        #expect(handles == ["janus": "success", "session_id": .uint(sid), "transaction": "t", "handles": [.uint(hid)]])
        let info = await admin.handle([
            "janus": "handle_info", "transaction": "t", "session_id": .uint(sid), "handle_id": .uint(hid),
        ])
        #expect(info["janus"] == "success")
        #expect(info["handle_id"]?.uint64Value == hid)
        let fields = try #require(info["info"]?.objectValue)
        #expect(fields["session_id"]?.uint64Value == sid)
        #expect(fields["handle_id"]?.uint64Value == hid)
        #expect(fields["plugin"] == "janus.plugin.test")
        #expect(fields["session_transport"] == "janus.transport.http")
        #expect(fields["webrtc"] == nil)  // the test plugin has no PeerConnection
        let created = try #require(fields["created"]?.int64Value)
        let now = try #require(fields["current_time"]?.int64Value)
        #expect(created <= now && now - created < 10_000_000)
        let missing = await admin.handle([
            "janus": "handle_info", "transaction": "t", "session_id": .uint(sid), "handle_id": 5,
        ])
        #expect(missing.errorCode == 459)
        #expect(missing.errorReason == "No such handle 5 in session \(sid)")
        let noSession = await admin.handle(["janus": "list_handles", "transaction": "t", "session_id": 9])
        #expect(noSession.errorCode == 458)
        #expect(noSession.errorReason == "No such session 9")
    }

    @Test func hangupDetachAndDestroyActOnTheCore() async throws {
        let (admin, core, plugin) = makeAdmin(secret: nil)
        let sink = RecordingSink()
        let (sid, hid) = await core.createAndAttach(connection: sink)
        let base: JSONObject = ["transaction": "t", "session_id": .uint(sid), "handle_id": .uint(hid)]
        var hangup = base
        hangup["janus"] = "hangup_webrtc"
        #expect(await admin.handle(hangup)["janus"] == "success")
        #expect(await plugin.session(hid)?.hangups == ["Admin API"])
        var detach = base
        detach["janus"] = "detach_handle"
        #expect(await admin.handle(detach)["janus"] == "success")
        #expect(await core.handleCount(sessionID: sid) == 0)
        #expect(await plugin.session(hid)?.destroyed == true)
        let destroyed = await admin.handle(["janus": "destroy_session", "transaction": "t", "session_id": .uint(sid)])
        #expect(destroyed == ["janus": "success", "session_id": .uint(sid), "transaction": "t"])
        #expect(await core.sessionCount == 0)
    }

    @Test func unsupportedAndUnknownRequestsAnswerAsJanus() async {
        let (admin, core, _) = makeAdmin(secret: nil)
        let pcap = await admin.handle(["janus": "loops_info", "transaction": "t"])
        #expect(pcap.errorCode == 453)
        #expect(pcap.errorReason == "Unknown request 'loops_info'")
        let unknown = await admin.handle(["janus": "frobnicate", "transaction": "t"])
        #expect(unknown.errorCode == 457)
        #expect(unknown.errorReason == "Unhandled request 'frobnicate' at this path")
        let (sid, _) = await core.createAndAttach()
        let atSession = await admin.handle(["janus": "handle_info", "transaction": "t", "session_id": .uint(sid)])
        #expect(atSession.errorCode == 457)
        let envelope = await admin.handle(["janus": "info"])
        #expect(envelope.errorCode == 456)
        #expect(envelope["transaction"] == nil)
    }

    @Test func logLevelAndStatus() async {
        let (admin, _, _) = makeAdmin(secret: nil) { $0.tokenAuth = true }
        let set = await admin.handle(["janus": "set_log_level", "transaction": "t", "level": 7])
        #expect(set == ["janus": "success", "transaction": "t", "level": 7])
        let bad = await admin.handle(["janus": "set_log_level", "transaction": "t", "level": 9])
        #expect(bad.errorCode == 467)
        let missing = await admin.handle(["janus": "set_log_level", "transaction": "t"])
        #expect(missing.errorCode == 456)
        let status = await admin.handle(["janus": "get_status", "transaction": "t"])
        #expect(status["status"]?["log_level"] == 7)
        #expect(status["status"]?["token_auth"] == true)
        #expect(status["status"]?["session_timeout"] == 60)
    }

    @Test func tokenRequestsAsJanus() async {
        let (admin, _, _) = makeAdmin(secret: nil) { $0.tokenAuth = true }
        let added = await admin.handle(["janus": "add_token", "transaction": "t", "token": "abc"])
        #expect(added == ["janus": "success", "transaction": "t", "data": ["plugins": ["janus.plugin.test"]]])
        let listed = await admin.handle(["janus": "list_tokens", "transaction": "t"])
        #expect(listed["data"] == ["tokens": [["token": "abc", "allowed_plugins": ["janus.plugin.test"]]]])
        #expect(await admin.handle(["janus": "remove_token", "transaction": "t", "token": "abc"])["janus"] == "success")
        let again = await admin.handle(["janus": "remove_token", "transaction": "t", "token": "abc"])
        #expect(again.errorCode == 490)
        #expect(again.errorReason == "Error removing token")
        let (off, _, _) = makeAdmin(secret: nil)
        let disabled = await off.handle(["janus": "list_tokens", "transaction": "t"])
        #expect(disabled.errorCode == 490)
        #expect(disabled.errorReason == "Stored-Token based authentication disabled")
    }

    @Test func overHTTPAndWebSocket() async throws {
        let (admin, core, _) = makeAdmin()
        let listener = SideListener(
            routes: [admin.httpRoute], webSocket: .init(subprotocol: "janus-admin-protocol", processor: admin),
            core: core, logger: testLogger(), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let port = try await listener.start(host: "127.0.0.1", port: 0)
        let (sid, hid) = await core.createAndAttach()
        let info = try await janusPOST(
            port: port, path: "/admin/\(sid)/\(hid)", #"{"janus":"handle_info","transaction":"h","admin_secret":"adm"}"#)
        #expect(info["info"]?["handle_id"]?.uint64Value == hid)
        let got = try await httpRequest(port: port, method: .GET, path: "/admin/info")
        #expect(got.json?["janus"] == "server_info")
        #expect(try await httpRequest(port: port, method: .GET, path: "/janus/info").status == 404)
        let upgraded = try await withWebSocket(port: port, subprotocol: "janus-admin-protocol") { ws in
            let (denied, _) = try await ws.request(#"{"janus":"list_sessions","transaction":"w"}"#, transaction: "w")
            #expect(denied?.errorCode == 403)
            let (listed, _) = try await ws.request(
                #"{"janus":"list_sessions","transaction":"x","admin_secret":"adm"}"#, transaction: "x")
            #expect(listed?["sessions"] == [.uint(sid)])
        }
        #expect(upgraded)
        // An upgrade offering only the Janus API's subprotocol is not upgraded (refused or closed).
        let refused = try? await httpRequest(
            port: port, method: .GET, path: "/",
            headers: [
                ("Upgrade", "websocket"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Protocol", "janus-protocol"),
            ])
        #expect(refused?.status != 101)
        await listener.shutdown()
    }
}
