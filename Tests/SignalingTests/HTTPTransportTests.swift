import NIOHTTP1
import Testing
@testable import Signaling

@Suite struct HTTPRouteTests {
    @Test func parsesJanusPaths() {
        #expect(JanusHTTPRoute.parse(uri: "/janus", basePath: "/janus")?.target == .root)
        #expect(JanusHTTPRoute.parse(uri: "/janus/", basePath: "/janus")?.target == .root)
        #expect(JanusHTTPRoute.parse(uri: "/janus/info", basePath: "/janus")?.target == .info)
        #expect(JanusHTTPRoute.parse(uri: "/janus/ping", basePath: "/janus/")?.target == .ping)
        #expect(JanusHTTPRoute.parse(uri: "/janus/12?rid=1&maxev=10", basePath: "/janus")?.target == .session(12))
        #expect(JanusHTTPRoute.parse(uri: "/janus/12?rid=1&maxev=10", basePath: "/janus")?.maxEvents == 10)
        #expect(JanusHTTPRoute.parse(uri: "/janus/12?maxev=0", basePath: "/janus")?.maxEvents == 1)
        #expect(JanusHTTPRoute.parse(uri: "/janus/12?maxev=x", basePath: "/janus")?.maxEvents == 1)
        #expect(JanusHTTPRoute.parse(uri: "/janus/12/34", basePath: "/janus")?.target == .handle(12, 34))
        #expect(JanusHTTPRoute.parse(uri: "/janus/12/34/5", basePath: "/janus") == nil)
        #expect(JanusHTTPRoute.parse(uri: "/janus/abc", basePath: "/janus")?.target == .session(0))
        #expect(JanusHTTPRoute.parse(uri: "/janusx", basePath: "/janus") == nil)
        #expect(JanusHTTPRoute.parse(uri: "/other", basePath: "/janus") == nil)
        #expect(JanusHTTPRoute.parse(uri: "/sfu/api/7", basePath: "/sfu/api")?.target == .session(7))
        #expect(JanusHTTPRoute.parse(uri: "/7?apisecret=a%20b", basePath: "/")?.query["apisecret"] == "a b")
    }
}

extension HTTPRouteTests {
    /// Janus's HTTP transport reads id segments with `strtoull` and treats 0 as "no id".
    @Test func idSegmentsAreReadLikeStrtoull() {
        func route(_ uri: String) -> JanusHTTPRoute? { JanusHTTPRoute.parse(uri: uri, basePath: "/janus") }
        #expect(route("/janus/abc")?.pathSessionID == nil)
        #expect(route("/janus/0")?.pathSessionID == nil)
        #expect(route("/janus/12abc")?.target == .session(12))
        #expect(route("/janus/12abc")?.pathSessionID == 12)
        #expect(route("/janus/12/x")?.target == .handle(12, 0))
        #expect(route("/janus/12/x")?.pathSessionID == 12)
        #expect(route("/janus/12/x")?.pathHandleID == nil)
        #expect(route("/janus/abc/34")?.pathSessionID == nil)
        #expect(route("/janus/abc/34")?.pathHandleID == 34)
        #expect(route("/janus/99999999999999999999999")?.target == .session(.max))
        #expect(route("/janus/info")?.pathSessionID == nil)
    }

    /// What those paths then mean to the core: a handle without a session is 458, a session
    /// path with no handle id is a session request, no ids at all is a root request.
    @Test func pathsWithoutValidIdsReachTheCoreAsJanusRoutesThem() async {
        let (core, _) = makeCore()
        let keepalive = Array(#"{"janus":"keepalive","transaction":"k"}"#.utf8)
        let handleOnly = await core.handleHTTP(body: keepalive, pathSessionID: nil, pathHandleID: 34)
        #expect(handleOnly == ["janus": "error", "transaction": "k", "error": ["code": 458, "reason": "Session not found"]])
        let root = await core.handleHTTP(body: keepalive, pathSessionID: nil, pathHandleID: nil)
        #expect(root.errorCode == 457)
        let (sid, _) = await core.createAndAttach()
        let session = await core.handleHTTP(body: keepalive, pathSessionID: sid, pathHandleID: nil)
        #expect(session == ["janus": "ack", "session_id": .int(Int64(sid)), "transaction": "k"])
    }
}

@Suite(.timeLimit(.minutes(1))) struct HTTPTransportTests {
    @Test func createAttachMessageLongPollDestroy() async throws {
        let (server, plugin) = try await makeServer { $0.longPollHold = 0.3 }
        let port = try #require(server.boundHTTPPort)
        let created = try await janusPOST(port: port, #"{"janus":"create","transaction":"c1"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let attached = try await janusPOST(
            port: port, path: "/janus/\(sid)", #"{"janus":"attach","transaction":"a1","plugin":"janus.plugin.test"}"#)
        #expect(attached["session_id"]?.uint64Value == sid)
        let hid = try #require(attached["data"]?["id"]?.uint64Value)
        let sync = try await janusPOST(
            port: port, path: "/janus/\(sid)/\(hid)", #"{"janus":"message","transaction":"m1","body":{"request":"sync"}}"#)
        #expect(sync["plugindata"]?["data"]?["echo"]?["request"] == "sync")
        let ack = try await janusPOST(
            port: port, path: "/janus/\(sid)/\(hid)",
            #"{"janus":"message","transaction":"m2","body":{"request":"async"},"jsep":{"type":"offer","sdp":"v=0\r\n"}}"#)
        #expect(ack["janus"] == "ack")
        #expect(ack["hint"] == "I'm taking my time!")
        // Long poll with maxev=10: an array holding the event.
        let polled = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)?rid=1&maxev=10")
        #expect(polled.status == 200)
        let events = try #require(polled.json?.arrayValue)
        #expect(events.first?["transaction"] == "m2")
        #expect(events.first?["jsep"]?["type"] == "answer")
        // Idle long poll: held, then keepalive (object for maxev=1).
        let idle = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)?rid=2")
        #expect(idle.json == ["janus": "keepalive"])
        let idleArray = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)?rid=3&maxev=5")
        #expect(idleArray.json == [["janus": "keepalive"]])
        // Trickle, hangup, detach over HTTP.
        let trickle = try await janusPOST(
            port: port, path: "/janus/\(sid)/\(hid)",
            #"{"janus":"trickle","transaction":"t1","candidate":{"completed":true}}"#)
        #expect(trickle["janus"] == "ack")
        #expect(await plugin.session(hid)?.trickles.count == 1)
        // Hangup and detach: success in the POST reply, the events on the long poll.
        let hangup = try await janusPOST(port: port, path: "/janus/\(sid)/\(hid)", #"{"janus":"hangup","transaction":"h1"}"#)
        #expect(hangup == ["janus": "success", "session_id": .int(Int64(sid)), "transaction": "h1"])
        let detach = try await janusPOST(port: port, path: "/janus/\(sid)/\(hid)", #"{"janus":"detach","transaction":"d0"}"#)
        #expect(detach == ["janus": "success", "session_id": .int(Int64(sid)), "transaction": "d0"])
        var kinds: [String] = []
        while kinds.count < 2 {
            let poll = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)?maxev=10")
            kinds += (poll.json?.arrayValue ?? []).compactMap { $0["janus"]?.stringValue }.filter { $0 != "keepalive" }
        }
        #expect(kinds == ["hangup", "detached"])
        #expect(await plugin.session(hid)?.destroyed == true)
        // sendBeacon-style destroy: text/plain body.
        let destroy = try await httpRequest(
            port: port, method: .POST, path: "/janus/\(sid)", body: #"{"janus":"destroy","transaction":"d1"}"#,
            headers: [("Content-Type", "text/plain;charset=UTF-8")])
        #expect(destroy.json == ["janus": "success", "session_id": .int(Int64(sid)), "transaction": "d1"])
        #expect(await plugin.session(hid)?.destroyed == true)
        let gone = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)?rid=4")
        #expect(gone.status == 404)
        #expect(gone.body.isEmpty)
        await server.shutdown()
    }

    @Test func longPollWakesWhenEventArrives() async throws {
        let (server, _) = try await makeServer()
        let port = try #require(server.boundHTTPPort)
        let created = try await janusPOST(port: port, #"{"janus":"create","transaction":"c"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let attached = try await janusPOST(
            port: port, path: "/janus/\(sid)", #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.test"}"#)
        let hid = try #require(attached["data"]?["id"]?.uint64Value)
        async let poll = httpRequest(port: port, method: .GET, path: "/janus/\(sid)?maxev=1")
        try await Task.sleep(for: .milliseconds(100))
        _ = try await janusPOST(
            port: port, path: "/janus/\(sid)/\(hid)", #"{"janus":"message","transaction":"m","body":{"request":"async"}}"#)
        let result = try await poll
        #expect(result.json?["janus"] == "event")
        #expect(result.json?["sender"]?.uint64Value == hid)
        await server.shutdown()
    }

    @Test func infoPingOptionsRedirectAndErrors() async throws {
        let (server, _) = try await makeServer()
        let port = try #require(server.boundHTTPPort)
        let info = try await httpRequest(port: port, method: .GET, path: "/janus/info")
        #expect(info.json?["janus"] == "server_info")
        #expect(info.json?["plugins"]?["janus.plugin.test"] != nil)
        #expect(info.json?["transports"]?["janus.transport.http"] != nil)
        let ping = try await httpRequest(port: port, method: .GET, path: "/janus/ping")
        #expect(ping.json?["janus"] == "pong")
        let postInfo = try await httpRequest(port: port, method: .POST, path: "/janus/info", body: "{}")
        #expect(postInfo.status == 400)
        let options = try await httpRequest(
            port: port, method: .OPTIONS, path: "/janus/123",
            headers: [("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type")])
        #expect(options.status == 200)
        #expect(options.body.isEmpty)
        #expect(options.headers.first(name: "Access-Control-Allow-Origin") == "*")
        #expect(options.headers.first(name: "Access-Control-Allow-Methods") == "POST")
        #expect(options.headers.first(name: "Access-Control-Allow-Headers") == "content-type")
        #expect(options.headers.first(name: "Access-Control-Max-Age") == "86400")
        let created = try await janusPOST(port: port, #"{"janus":"create","transaction":"c"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let redirect = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)/42")
        #expect(redirect.status == 302)
        #expect(redirect.headers.first(name: "Location") == "/janus/\(sid)")
        let redirectNonNumeric = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)/abc")
        #expect(redirectNonNumeric.status == 302)
        // Non-numeric id segments read as "no id", as in Janus.
        let rootViaPath = try await janusPOST(port: port, path: "/janus/abc", #"{"janus":"keepalive","transaction":"k"}"#)
        #expect(rootViaPath.errorCode == 457)
        let sessionViaPath = try await janusPOST(port: port, path: "/janus/\(sid)/abc", #"{"janus":"keepalive","transaction":"k"}"#)
        #expect(sessionViaPath.janus == "ack")
        let noPoll = try await httpRequest(port: port, method: .GET, path: "/janus/abc")
        #expect(noPoll.status == 404)
        let put = try await httpRequest(port: port, method: .PUT, path: "/janus", body: "{}")
        #expect(put.status == 200)
        #expect(put.json?.errorCode == 450)
        #expect(put.json?.errorReason == "Unsupported method PUT")
        let notFound = try await httpRequest(port: port, method: .GET, path: "/elsewhere")
        #expect(notFound.status == 404)
        let malformed = try await janusPOST(port: port, "{nope")
        #expect(malformed.errorCode == 454)
        let array = try await janusPOST(port: port, "[]")
        #expect(array.errorCode == 455)
        let scalar = try await janusPOST(port: port, "42")
        #expect(scalar.errorCode == 454)
        let conflict = try await janusPOST(
            port: port, path: "/janus/\(sid)", #"{"janus":"keepalive","transaction":"k","session_id":5}"#)
        #expect(conflict.errorCode == 457)
        let unknownSession = try await janusPOST(port: port, path: "/janus/77", #"{"janus":"keepalive","transaction":"k"}"#)
        #expect(unknownSession.errorCode == 458)
        let big = "{\"janus\":\"create\",\"transaction\":\"" + String(repeating: "x", count: 2 << 20) + "\"}"
        let tooBig = try await janusPOST(port: port, big)
        #expect(tooBig.errorCode == 450)
        #expect(tooBig.errorReason?.contains("too large") == true)
        await server.shutdown()
    }

    @Test func customBasePathAndTwoServersInOneProcess() async throws {
        let (a, _) = try await makeServer { $0.basePath = "/sfu" }
        let (b, _) = try await makeServer()
        let portA = try #require(a.boundHTTPPort)
        let portB = try #require(b.boundHTTPPort)
        #expect(portA != portB)
        let created = try await janusPOST(port: portA, path: "/sfu", #"{"janus":"create","transaction":"c"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let onB = try await janusPOST(port: portB, path: "/janus/\(sid)", #"{"janus":"keepalive","transaction":"k"}"#)
        #expect(onB.errorCode == 458)
        let onA = try await janusPOST(port: portA, path: "/sfu/\(sid)", #"{"janus":"keepalive","transaction":"k"}"#)
        #expect(onA["janus"] == "ack")
        await a.shutdown()
        let stillB = try await httpRequest(port: portB, method: .GET, path: "/janus/ping")
        #expect(stillB.json?["janus"] == "pong")
        await b.shutdown()
    }
}
