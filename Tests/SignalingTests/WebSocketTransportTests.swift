import NIOCore
import NIOWebSocket
import Testing
@testable import Signaling

@Suite(.timeLimit(.minutes(1))) struct WebSocketTransportTests {
    @Test func fullFlowAndErrorsWhileAnotherSessionKeepsWorking() async throws {
        let (server, plugin) = try await makeServer()
        let port = try #require(server.boundWSPort)
        try await withWebSocket(port: port) { other in
            // A second connection with a live session, checked again at the end.
            let (otherCreated, _) = try await other.request(#"{"janus":"create","transaction":"oc"}"#, transaction: "oc")
            let otherSID = try #require(otherCreated?["data"]?["id"]?.uint64Value)

            try await withWebSocket(port: port) { ws in
                let (created, _) = try await ws.request(#"{"janus":"create","transaction":"c"}"#, transaction: "c")
                let sid = try #require(created?["data"]?["id"]?.uint64Value)
                let (attached, _) = try await ws.request(
                    #"{"janus":"attach","transaction":"a","session_id":\#(sid),"plugin":"janus.plugin.test"}"#, transaction: "a")
                let hid = try #require(attached?["data"]?["id"]?.uint64Value)
                // Async message: ack and event both arrive on the socket (either order).
                try await ws.send(
                    #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"async"},"jsep":{"type":"offer","sdp":"v=0"}}"#)
                var got: [String] = []
                for _ in 0..<2 { got.append(try await ws.receive()?["janus"]?.stringValue ?? "?") }
                #expect(got.sorted() == ["ack", "event"])
                // Errors.
                try await ws.send("{not json")
                #expect(try await ws.receive()?.errorCode == 454)
                try await ws.send("[1,2,3]")
                #expect(try await ws.receive()?.errorCode == 456)
                try await ws.send("42")
                #expect(try await ws.receive()?.errorCode == 454)
                try await ws.send(#"{"janus":"create"}"#)
                #expect(try await ws.receive()?.errorCode == 456)
                try await ws.send(#"{"transaction":"x"}"#)
                #expect(try await ws.receive()?.errorCode == 456)
                let (unknownVerb, _) = try await ws.request(
                    #"{"janus":"bogus","transaction":"u","session_id":\#(sid)}"#, transaction: "u")
                #expect(unknownVerb?.errorCode == 453)
                let (unknownSession, _) = try await ws.request(
                    #"{"janus":"keepalive","transaction":"s","session_id":1}"#, transaction: "s")
                #expect(unknownSession?.errorCode == 458)
                let (unknownHandle, _) = try await ws.request(
                    #"{"janus":"message","transaction":"h","session_id":\#(sid),"handle_id":1,"body":{}}"#, transaction: "h")
                #expect(unknownHandle?.errorCode == 459)
                let (unknownPlugin, _) = try await ws.request(
                    #"{"janus":"attach","transaction":"p","session_id":\#(sid),"plugin":"janus.plugin.nope"}"#, transaction: "p")
                #expect(unknownPlugin?.errorCode == 460)
                let (noIDs, _) = try await ws.request(#"{"janus":"message","transaction":"n","body":{}}"#, transaction: "n")
                #expect(noIDs?.errorCode == 457)
                // Two requests concatenated in one message, answered in order.
                try await ws.send(
                    #"{"janus":"keepalive","transaction":"k1","session_id":\#(sid)}{"janus":"ping","transaction":"k2"}"#)
                #expect(try await ws.receive()?["transaction"] == "k1")
                #expect(try await ws.receive()?["transaction"] == "k2")
                // Fragmented message reassembled.
                let text = Array(#"{"janus":"keepalive","transaction":"frag","session_id":\#(sid)}"#.utf8)
                try await ws.sendFrame(opcode: .text, bytes: Array(text[..<10]), fin: false)
                try await ws.sendFrame(opcode: .continuation, bytes: Array(text[10...]), fin: true)
                #expect(try await ws.receive()?["transaction"] == "frag")
                // Ping answered with pong.
                try await ws.sendFrame(opcode: .ping, bytes: Array("hi".utf8))
                var pong: WebSocketFrame?
                while let frame = try await ws.nextFrame() {
                    if frame.opcode == .pong { pong = frame; break }
                }
                #expect(pong.map { String(buffer: $0.data) } == "hi")
                // Detach: success and detached event.
                let (detached, others) = try await ws.request(
                    #"{"janus":"detach","transaction":"d","session_id":\#(sid),"handle_id":\#(hid)}"#, transaction: "d")
                #expect(detached?["janus"] == "success")
                #expect(others.isEmpty)
                #expect(try await ws.receive()?["janus"] == "detached")
                // Close: the session goes with the socket.
                try await ws.sendFrame(opcode: .connectionClose, bytes: [0x03, 0xE8])
                _ = sid
            }
            // The closed socket's session is gone; the other one still answers.
            for _ in 0..<100 where await server.core.sessionCount > 1 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await server.core.sessionCount == 1)
            let (alive, _) = try await other.request(
                #"{"janus":"keepalive","transaction":"ok","session_id":\#(otherSID)}"#, transaction: "ok")
            #expect(alive?["janus"] == "ack")
        }
        _ = plugin
        await server.shutdown()
    }

    @Test func eventsArePushedInOrder() async throws {
        let (server, _) = try await makeServer()
        let port = try #require(server.boundWSPort)
        try await withWebSocket(port: port) { ws in
            let (created, _) = try await ws.request(#"{"janus":"create","transaction":"c"}"#, transaction: "c")
            let sid = try #require(created?["data"]?["id"]?.uint64Value)
            let (attached, _) = try await ws.request(
                #"{"janus":"attach","transaction":"a","session_id":\#(sid),"plugin":"janus.plugin.test"}"#, transaction: "a")
            let hid = try #require(attached?["data"]?["id"]?.uint64Value)
            try await ws.send(
                #"{"janus":"message","transaction":"m","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"many","count":200}}"#)
            var indices: [Int64] = []
            while indices.count < 200, let message = try await ws.receive() {
                if let i = message["plugindata"]?["data"]?["i"]?.int64Value { indices.append(i) }
            }
            #expect(indices == Array(0..<200))
        }
        await server.shutdown()
    }

    @Test func subprotocolIsMandatory() async throws {
        let (server, _) = try await makeServer()
        let port = try #require(server.boundWSPort)
        let none = try await withWebSocket(port: port, subprotocol: nil) { _ in }
        #expect(none == false)
        let wrong = try await withWebSocket(port: port, subprotocol: "janus-admin-protocol") { _ in }
        #expect(wrong == false)
        let right = try await withWebSocket(port: port) { ws in
            let (pong, _) = try await ws.request(#"{"janus":"ping","transaction":"p"}"#, transaction: "p")
            #expect(pong?["janus"] == "pong")
        }
        #expect(right)
        await server.shutdown()
    }

    @Test func oversizedMessageClosesWith1009() async throws {
        let (server, _) = try await makeServer { $0.maxWebSocketMessageSize = 4096 }
        let port = try #require(server.boundWSPort)
        try await withWebSocket(port: port) { ws in
            let chunk = [UInt8](repeating: 0x20, count: 3000)
            try await ws.sendFrame(opcode: .text, bytes: chunk, fin: false)
            try await ws.sendFrame(opcode: .continuation, bytes: chunk, fin: true)
            var closeCode: WebSocketErrorCode?
            while let frame = try? await ws.nextFrame() {
                if frame.opcode == .connectionClose {
                    var data = frame.data
                    closeCode = data.readWebSocketErrorCode()
                    break
                }
            }
            #expect(closeCode == .messageTooLarge)
        }
        await server.shutdown()
    }
}

@Suite(.timeLimit(.minutes(1))) struct ConcurrencyTests {
    /// Many clients at once on both transports: every one gets its own replies and events.
    @Test func manyClientsInParallel() async throws {
        let (server, _) = try await makeServer()
        let wsPort = try #require(server.boundWSPort)
        let httpPort = try #require(server.boundHTTPPort)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0..<20 {
                group.addTask {
                    var ok = false
                    try await withWebSocket(port: wsPort) { ws in
                        let (created, _) = try await ws.request(#"{"janus":"create","transaction":"c\#(n)"}"#, transaction: "c\(n)")
                        let sid = created?["data"]?["id"]?.uint64Value ?? 0
                        let (attached, _) = try await ws.request(
                            #"{"janus":"attach","transaction":"a","session_id":\#(sid),"plugin":"janus.plugin.test"}"#, transaction: "a")
                        let hid = attached?["data"]?["id"]?.uint64Value ?? 0
                        try await ws.send(
                            #"{"janus":"message","transaction":"m\#(n)","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"async","n":\#(n)}}"#)
                        var event: JSONValue?
                        while let message = try await ws.receive() {
                            if message["janus"] == "event" { event = message; break }
                        }
                        ok = event?["plugindata"]?["data"]?["echo"]?["n"] == .int(Int64(n)) && event?["sender"]?.uint64Value == hid
                    }
                    return ok
                }
                group.addTask {
                    let created = try await janusPOST(port: httpPort, #"{"janus":"create","transaction":"h\#(n)"}"#)
                    let sid = created["data"]?["id"]?.uint64Value ?? 0
                    let attached = try await janusPOST(
                        port: httpPort, path: "/janus/\(sid)", #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.test"}"#)
                    let hid = attached["data"]?["id"]?.uint64Value ?? 0
                    _ = try await janusPOST(
                        port: httpPort, path: "/janus/\(sid)/\(hid)", #"{"janus":"message","transaction":"m","body":{"request":"async","n":\#(n)}}"#)
                    let poll = try await httpRequest(port: httpPort, method: .GET, path: "/janus/\(sid)?maxev=5")
                    return poll.json?.arrayValue?.first?["plugindata"]?["data"]?["echo"]?["n"] == .int(Int64(n))
                }
            }
            var results: [Bool] = []
            for try await result in group { results.append(result) }
            #expect(results.count == 40)
            #expect(results.allSatisfy { $0 })
        }
        await server.shutdown()
    }

    @Test func longPollNeedsTheAPISecretWhenConfigured() async throws {
        let (server, _) = try await makeServer { $0.apiSecret = "k" }
        let port = try #require(server.boundHTTPPort)
        let created = try await janusPOST(port: port, #"{"janus":"create","transaction":"c","apisecret":"k"}"#)
        let sid = try #require(created["data"]?["id"]?.uint64Value)
        let denied = try await httpRequest(port: port, method: .GET, path: "/janus/\(sid)")
        #expect(denied.status == 403)
        await server.shutdown()
    }
}
