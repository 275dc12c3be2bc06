import NIOCore
import NIOPosix
import NIOWebSocket
import Testing
@testable import Signaling

/// The deployment limits on the wire (HTTP and WebSocket listeners of a real `JanusAPIServer`),
/// each with the error it answers.
@Suite(.timeLimit(.minutes(1))) struct LimitsTests {
    @Test func sessionsBeyondTheLimitAnswer472() async throws {
        let (server, _) = try await makeServer { $0.maxSessions = 2 }
        let port = try #require(server.boundHTTPPort)
        for i in 0..<2 {
            let created = try await janusPOST(port: port, #"{"janus":"create","transaction":"c\#(i)"}"#)
            #expect(created["janus"] == "success")
        }
        let refused = try await janusPOST(port: port, #"{"janus":"create","transaction":"c3"}"#)
        #expect(refused.errorCode == 472)
        #expect(refused["error"]?["reason"] == "Maximum number of sessions (2) reached")
        #expect(server.core.limitStatistics.snapshot[.sessions] == 1)
        await server.shutdown()
    }

    @Test func handlesBeyondTheLimitAnswer461() async throws {
        let (server, _) = try await makeServer { $0.maxHandlesPerSession = 2 }
        let port = try #require(server.boundHTTPPort)
        let created = try await janusPOST(port: port, #"{"janus":"create","transaction":"c"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let attach = #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.test"}"#
        for _ in 0..<2 { #expect(try await janusPOST(port: port, path: "/janus/\(sid)", attach)["janus"] == "success") }
        let refused = try await janusPOST(port: port, path: "/janus/\(sid)", attach)
        #expect(refused.errorCode == 461)
        #expect(server.core.limitStatistics.snapshot[.handlesPerSession] == 1)
        // Another session has its own allowance.
        let other = try await janusPOST(port: port, #"{"janus":"create","transaction":"c2"}"#)
        let otherSID = try #require(other["data"]?["id"]?.uint64Value)
        #expect(try await janusPOST(port: port, path: "/janus/\(otherSID)", attach)["janus"] == "success")
        await server.shutdown()
    }

    @Test func requestsOverTheRateAnswer490OnTheirConnectionOnly() async throws {
        let (server, _) = try await makeServer { $0.maxRequestsPerSecond = 5 }
        let port = try #require(server.boundWSPort)
        try await withWebSocket(port: port) { ws in
            // 40 pings in one message: the burst (10) passes, the rest is refused unrun.
            let batch = (0..<40).map { #"{"janus":"ping","transaction":"p\#($0)"}"# }.joined()
            try await ws.send(batch)
            var pongs = 0
            var refused = 0
            for _ in 0..<40 {
                let reply = try #require(try await ws.receive())
                if reply["janus"] == "pong" { pongs += 1 }
                if reply.errorCode == 490 { refused += 1 }
            }
            #expect(pongs >= 10 && pongs <= 12)
            #expect(pongs + refused == 40)
            // A fresh connection has its own budget.
            try await withWebSocket(port: port) { fresh in
                let (pong, _) = try await fresh.request(#"{"janus":"ping","transaction":"f"}"#, transaction: "f")
                #expect(pong?["janus"] == "pong")
            }
        }
        #expect((server.core.limitStatistics.snapshot[.requestRate] ?? 0) >= 28)
        await server.shutdown()
    }

    @Test func connectionsBeyondTheLimitAreClosedAtOnce() async throws {
        let (server, _) = try await makeServer { $0.maxConnections = 2 }
        let port = try #require(server.boundWSPort)
        try await withWebSocket(port: port) { first in
            try await withWebSocket(port: port) { second in
                // The third is closed before its upgrade is answered.
                let upgraded = try? await withWebSocket(port: port) { _ in }
                #expect(upgraded != true)
                #expect(server.core.limitStatistics.snapshot[.connections] == 1)
                let (pong, _) = try await second.request(#"{"janus":"ping","transaction":"s"}"#, transaction: "s")
                #expect(pong?["janus"] == "pong")
            }
            // One closed: there is room again.
            var reopened = false
            for _ in 0..<50 where !reopened {
                reopened = (try? await withWebSocket(port: port) { _ in }) == true
                if !reopened { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(reopened)
            let (pong, _) = try await first.request(#"{"janus":"ping","transaction":"f"}"#, transaction: "f")
            #expect(pong?["janus"] == "pong")
        }
        await server.shutdown()
    }

    @Test func aWebSocketThatDoesNotReadIsClosedWith1008() async throws {
        try await expectClosedWith1008 { $0.maxWebSocketQueuedBytes = 64 << 10 }
    }

    @Test func aWebSocketWhoseSocketStaysUnwritableIsClosedWith1008() async throws {
        // No byte limit: only the stall timeout can act.
        try await expectClosedWith1008 {
            $0.maxWebSocketQueuedBytes = 0
            $0.webSocketStallTimeout = 0.5
        }
    }

    /// ~6 MB of events at once (more than the socket buffers hold) to a client that does not read
    /// until the server gave up on it; it then gets what was queued and a close frame with 1008,
    /// and its session goes with the connection.
    private func expectClosedWith1008(_ configure: (inout JanusServerConfiguration) -> Void) async throws {
        let (server, _) = try await makeServer(configure)
        let port = try #require(server.boundWSPort)
        try await withWebSocket(port: port) { ws in
            let (sid, hid) = try await ws.createAndAttach()
            try await ws.send(
                #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"many","count":60000}}"#)
            let closed = await eventually(timeout: .seconds(10)) {
                server.core.limitStatistics.snapshot[.webSocketQueue] == 1
            }
            #expect(closed)
            var closeCode: WebSocketErrorCode?
            while let frame = try await ws.nextFrame() {
                if frame.opcode == .connectionClose {
                    var data = frame.data
                    closeCode = data.readWebSocketErrorCode()
                    break
                }
            }
            #expect(closeCode == .policyViolation)
        }
        #expect(await eventually { await server.core.sessionCount == 0 })
        await server.shutdown()
    }

    @Test func aLongPollSessionThatIsNotPolledKeepsOnlyTheNewestEvents() async throws {
        let (server, _) = try await makeServer { $0.eventQueueCapacity = 10 }
        let port = try #require(server.boundHTTPPort)
        let (sid, hid) = try await janusCreateAndAttach(port: port)
        let ack = try await janusPOST(
            port: port, path: "/janus/\(sid)/\(hid)",
            #"{"janus":"message","transaction":"m","body":{"request":"many","count":100}}"#)
        #expect(ack["janus"] == "ack")
        let poll = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)?maxev=100")
        let events = poll.json?.arrayValue ?? []
        #expect(events.count == 10)
        #expect(events.first?["plugindata"]?["data"]?["i"] == 90)
        #expect(events.last?["plugindata"]?["data"]?["i"] == 99)
        #expect(server.core.limitStatistics.snapshot[.eventQueue] == 90)
        // The session is alive: it answers.
        let keepalive = try await janusPOST(port: port, path: "/janus/\(sid)", #"{"janus":"keepalive","transaction":"k"}"#)
        #expect(keepalive["janus"] == "ack")
        await server.shutdown()
    }

    @Test func tokenBucketRefillsAtItsRateUpToTheBurst() {
        var bucket = TokenBucket(rate: 10, burst: 20)
        let start = ContinuousClock.now
        let first = (0..<100).filter { _ in bucket.take(now: start) }.count
        #expect(first == 20)
        let later = start + .milliseconds(500)
        let refilled = (0..<100).filter { _ in bucket.take(now: later) }.count
        #expect(refilled == 5)
        let muchLater = later + .seconds(60)
        #expect((0..<100).filter { _ in bucket.take(now: muchLater) }.count == 20)
    }
}
