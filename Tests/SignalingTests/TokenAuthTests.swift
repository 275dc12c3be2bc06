import Testing
@testable import Signaling

/// Janus stored-token authentication (`token_auth`, janus.c `janus_request_check_secret`,
/// auth.c): the core's checks, and both transports on the wire.
@Suite struct TokenAuthTests {
    private static let unauthorized = "Unauthorized request (wrong or missing secret/token)"

    @Test func requestsNeedAStoredToken() async throws {
        let (core, _) = makeCore { $0.tokenAuth = true }
        try core.addToken("good")
        let missing = await core.send(#"{"janus":"create","transaction":"t"}"#)
        #expect(missing.errorCode == 403)
        #expect(missing.errorReason == Self.unauthorized)
        let wrong = await core.send(#"{"janus":"create","transaction":"t","token":"bad"}"#)
        #expect(wrong.errorCode == 403)
        let created = await core.send(#"{"janus":"create","transaction":"t","token":"good"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        // Session-level requests are checked too, and info/ping are not.
        let keepalive = await core.send(#"{"janus":"keepalive","transaction":"k","session_id":\#(sid)}"#)
        #expect(keepalive.errorCode == 403)
        #expect(keepalive["session_id"]?.uint64Value == sid)
        let info = await core.send(#"{"janus":"info","transaction":"i"}"#)
        #expect(info["auth_token"] == true)
        #expect(info["api_secret"] == false)
        // A removed token stops working at once.
        try core.removeToken("good")
        let after = await core.send(#"{"janus":"keepalive","transaction":"k","session_id":\#(sid),"token":"good"}"#)
        #expect(after.errorCode == 403)
    }

    @Test func eitherTheSecretOrATokenIsEnough() async throws {
        let (core, _) = makeCore {
            $0.tokenAuth = true
            $0.apiSecret = "s"
        }
        try core.addToken("t1")
        #expect(await core.send(#"{"janus":"create","transaction":"t","apisecret":"s"}"#).janus == "success")
        #expect(await core.send(#"{"janus":"create","transaction":"t","token":"t1"}"#).janus == "success")
        #expect(await core.send(#"{"janus":"create","transaction":"t","token":"s"}"#).errorCode == 403)
        #expect(await core.send(#"{"janus":"create","transaction":"t","apisecret":"t1"}"#).errorCode == 403)
        let info = await core.send(#"{"janus":"info","transaction":"i"}"#)
        #expect(info["auth_token"] == true)
        #expect(info["api_secret"] == true)
    }

    @Test func attachChecksTheTokensPlugins() async throws {
        let (core, _) = makeCore { $0.tokenAuth = true }
        try core.addToken("all")
        try core.addToken("none", plugins: ["janus.plugin.nope"])  // unknown plugins are skipped
        #expect(core.tokens.plugins(of: "all") == ["janus.plugin.test"])
        #expect(core.tokens.plugins(of: "none") == [])
        #expect(try core.listTokens().map(\.token) == ["all"])  // Janus lists tokens with plugins only
        let created = await core.send(#"{"janus":"create","transaction":"t","token":"none"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let refused = await core.send(
            #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.test","session_id":\#(sid),"token":"none"}"#)
        #expect(refused.errorCode == 405)
        #expect(refused.errorReason == "Provided token can't access plugin 'janus.plugin.test'")
        let attached = await core.send(
            #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.test","session_id":\#(sid),"token":"all"}"#)
        #expect(attached.janus == "success")
        #expect(throws: JanusError.self) { try core.allowToken("ghost", plugins: ["janus.plugin.test"], allow: true) }
        #expect(try core.allowToken("none", plugins: ["janus.plugin.test"], allow: true) == ["janus.plugin.test"])
        #expect(try core.allowToken("none", plugins: ["janus.plugin.test"], allow: false) == [])
    }

    @Test func tokenManagementNeedsTokenAuth() async throws {
        let (core, _) = makeCore()
        #expect(throws: JanusError(JanusError.unknown, "Stored-Token based authentication disabled")) {
            try core.addToken("x")
        }
        // Without token auth a token in a request is ignored, as in Janus.
        #expect(await core.send(#"{"janus":"create","transaction":"t","token":"whatever"}"#).janus == "success")
    }

    @Test func trustedRequestsSkipTheCheck() async {
        let (core, _) = makeCore { $0.tokenAuth = true }
        let created = await core.handleTrusted(request: json(#"{"janus":"create","transaction":"t"}"#))
        #expect(created.janus == "success")
    }

    @Test func bothTransportsAnswer403WithoutAValidToken() async throws {
        let (server, _) = try await makeServer {
            $0.tokenAuth = true
            $0.longPollHold = 0.1
        }
        try server.core.addToken("tok")
        let httpPort = try #require(server.boundHTTPPort)
        let wsPort = try #require(server.boundWSPort)
        let denied = try await janusPOST(port: httpPort, #"{"janus":"create","transaction":"c"}"#)
        #expect(denied.errorCode == 403)
        #expect(denied.errorReason == Self.unauthorized)
        let created = try await janusPOST(port: httpPort, #"{"janus":"create","transaction":"c","token":"tok"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        #expect(try await httpRequest(port: httpPort, method: .GET, path: "/janus/\(sid)?token=bad").status == 403)
        #expect(try await httpRequest(port: httpPort, method: .GET, path: "/janus/\(sid)?maxev=1").status == 403)
        let polled = try await httpRequest(port: httpPort, method: .GET, path: "/janus/\(sid)?token=tok&maxev=5")
        #expect(polled.status == 200)
        try await withWebSocket(port: wsPort) { ws in
            let (refused, _) = try await ws.request(#"{"janus":"create","transaction":"w1","token":"bad"}"#, transaction: "w1")
            #expect(refused?.errorCode == 403)
            #expect(refused?.errorReason == Self.unauthorized)
            let (accepted, _) = try await ws.request(#"{"janus":"create","transaction":"w2","token":"tok"}"#, transaction: "w2")
            #expect(accepted?.janus == "success")
        }
        await server.shutdown()
    }
}
