import Testing
@testable import Signaling

/// One test per Janus error code the core produces (janus-api.md §6), with Janus's texts.
@Suite struct CoreErrorTests {
    @Test func e403WrongOrMissingAPISecret() async {
        let (core, _) = makeCore { $0.apiSecret = "s3cret" }
        let missing = await core.send(#"{"janus":"create","transaction":"t"}"#)
        #expect(missing.errorCode == 403)
        #expect(missing.errorReason == "Unauthorized request (wrong or missing secret/token)")
        let wrong = await core.send(#"{"janus":"create","transaction":"t","apisecret":"nope"}"#)
        #expect(wrong.errorCode == 403)
        let ok = await core.send(#"{"janus":"create","transaction":"t","apisecret":"s3cret"}"#)
        #expect(ok.janus == "success")
        let info = await core.send(#"{"janus":"info","transaction":"t"}"#)
        #expect(info.janus == "server_info")
        #expect(info["api_secret"] == true)
    }

    @Test func e453UnknownVerbAndInfoWithSession() async {
        let (core, _) = makeCore()
        let (sid, _) = await core.createAndAttach()
        let unknown = await core.send(#"{"janus":"frobnicate","transaction":"t","session_id":\#(sid)}"#)
        #expect(unknown.errorCode == 453)
        #expect(unknown.errorReason == "Unknown request 'frobnicate'")
        #expect(unknown["session_id"]?.uint64Value == sid)
        #expect(unknown["transaction"] == "t")
        let info = await core.send(#"{"janus":"info","transaction":"t","session_id":\#(sid)}"#)
        #expect(info.errorCode == 453)
        let ping = await core.send(#"{"janus":"ping","transaction":"t","session_id":\#(sid)}"#)
        #expect(ping.errorCode == 453)
    }

    @Test func e454InvalidJSONOverHTTPAndWebSocket() async {
        let (core, _) = makeCore()
        let http = await core.handleHTTP(body: Array("{\"janus\":".utf8), pathSessionID: nil, pathHandleID: nil)
        #expect(http.errorCode == 454)
        #expect(http.errorReason?.hasPrefix("JSON error: on line 1:") == true)
        #expect(http["transaction"] == nil)
        let ws = await core.handleWebSocketMessage(Array("nope".utf8), connection: RecordingSink())
        #expect(ws.count == 1)
        #expect(ws.first?.errorCode == 454)
        #expect(ws.first?.errorReason?.hasPrefix("Invalid Janus API request - <string>(1,") == true)
        // A JSON array over WebSocket is validated like an empty object, as Janus does.
        let array = await core.handleWebSocketMessage(Array("[1,2]".utf8), connection: RecordingSink())
        #expect(array.first?.errorCode == 456)
        #expect(array.first?.errorReason == "Missing mandatory element (transaction)")
    }

    /// A top-level scalar is a parse error in Janus (jansson without `JSON_DECODE_ANY`): 454 on
    /// both transports, without a transaction.
    @Test func e454TopLevelScalarOverHTTPAndWebSocket() async {
        let (core, _) = makeCore()
        for (text, token) in [("42", "42"), ("null", "null"), (#""x""#, #""x""#), ("true", "true"), (" 7 ", "7")] {
            let http = await core.handleHTTP(body: Array(text.utf8), pathSessionID: nil, pathHandleID: nil)
            #expect(http.errorCode == 454, "\(text)")
            #expect(http.errorReason == "JSON error: on line 1: '[' or '{' expected near '\(token)'")
            #expect(http["transaction"] == nil)
            let ws = await core.handleWebSocketMessage(Array(text.utf8), connection: RecordingSink())
            #expect(ws.count == 1)
            #expect(ws.first?.errorCode == 454, "\(text)")
            #expect(ws.first?.errorReason?.hasPrefix("Invalid Janus API request - <string>(1,") == true)
            #expect(ws.first?.errorReason?.hasSuffix("'[' or '{' expected near '\(token)'") == true)
        }
    }

    /// Janus parses a whole WebSocket message before running any of it: when a part fails, only
    /// the 454 goes back (position counted from the end of the last good value) and the valid
    /// requests before it do not run.
    @Test func e454WebSocketMessageWithABadPartRunsNothing() async {
        let (core, _) = makeCore()
        let cases: [(String, String)] = [
            (#"{"janus":"ping","transaction":"p"} 42"#, "(1,3): '[' or '{' expected near '42'"),
            (#"{"janus":"ping","transaction":"p"}{"janus":"ping","transaction":"q"} xx"#, "(1,3): '[' or '{' expected near 'xx'"),
            (#"{"janus":"ping","transaction":"p"}null{"janus":"ping","transaction":"q"}"#, "(1,4): '[' or '{' expected near 'null'"),
            (#"{"janus":"create","transaction":"c"}{"janus":"#, "(1,9): unexpected token near end of file"),
            ("", "(1,0): '[' or '{' expected near end of file"),
            ("   ", "(1,3): '[' or '{' expected near end of file"),
        ]
        for (text, position) in cases {
            let sink = RecordingSink()
            let replies = await core.handleWebSocketMessage(Array(text.utf8), connection: sink)
            #expect(replies == [[
                "janus": "error",
                "error": ["code": 454, "reason": .string("Invalid Janus API request - <string>" + position)],
            ]])
            #expect(sink.messages == replies)
        }
        #expect(await core.sessionCount == 0)
        // Arrays are not parse errors: every part runs.
        let sink = RecordingSink()
        let replies = await core.handleWebSocketMessage(
            Array(#"{"janus":"ping","transaction":"p"}[1]"#.utf8), connection: sink)
        #expect(replies.map { $0.janus ?? "" } == ["pong", "error"])
        #expect(replies.last?.errorCode == 456)
    }

    /// Janus reads ids with `json_integer_value`: a non-integer id is 0 (so the request is
    /// routed as if it had none) and a negative one wraps to an unknown session.
    @Test func idsOfTheWrongTypeAreReadAsJanusDoes() async {
        let (core, _) = makeCore()
        let asString = await core.send(#"{"janus":"keepalive","transaction":"t","session_id":"77"}"#)
        #expect(asString == ["janus": "error", "transaction": "t", "error": ["code": 457, "reason": "Unhandled request 'keepalive' at this path"]])
        let asReal = await core.send(#"{"janus":"keepalive","transaction":"t","session_id":3.0}"#)
        #expect(asReal.errorCode == 457)
        let asNull = await core.send(#"{"janus":"ping","transaction":"t","session_id":null}"#)
        #expect(asNull == ["janus": "pong", "transaction": "t"])
        let negative = await core.send(#"{"janus":"keepalive","transaction":"t","session_id":-3}"#)
        #expect(negative == [
            "janus": "error", "session_id": -3, "transaction": "t",
            "error": ["code": 458, "reason": "No such session 18446744073709551613"],
        ])
        let handleAsString = await core.send(#"{"janus":"keepalive","transaction":"t","session_id":77,"handle_id":"1"}"#)
        #expect(handleAsString == [
            "janus": "error", "session_id": 77, "transaction": "t", "error": ["code": 459, "reason": "Handle not found"],
        ])
        let handleWithoutSession = await core.send(#"{"janus":"message","transaction":"t","session_id":"x","handle_id":5,"body":{}}"#)
        #expect(handleWithoutSession.errorCode == 458)
        #expect(handleWithoutSession.errorReason == "Session not found")
    }

    /// Parse errors read as Janus's (jansson's) do, e.g. "… near '}'".
    @Test func e454ReasonsQuoteTheTokenLikeJanus() async {
        let (core, _) = makeCore()
        let comma = await core.handleHTTP(body: Array(#"{"janus":"ping","transaction":"a",}"#.utf8), pathSessionID: nil, pathHandleID: nil)
        #expect(comma.errorReason == "JSON error: on line 1: string or '}' expected near '}'")
        let two = await core.handleHTTP(body: Array(#"{"janus":"ping","transaction":"a"} xx"#.utf8), pathSessionID: nil, pathHandleID: nil)
        #expect(two.errorReason == "JSON error: on line 1: end of file expected near 'xx'")
        let ws = await core.handleWebSocketMessage(Array("{not json".utf8), connection: RecordingSink())
        #expect(ws.first?.errorReason == "Invalid Janus API request - <string>(1,4): string or '}' expected near 'not'")
    }

    /// Arrays parse: HTTP refuses them as 455, WebSocket validates them like an empty object
    /// (456 transaction) — also an array holding a valid request, which must not run.
    @Test func topLevelArraysPerTransport() async {
        let (core, _) = makeCore()
        for text in ["[1,2]", #"[{"janus":"create","transaction":"x"}]"#, "[]"] {
            let http = await core.handleHTTP(body: Array(text.utf8), pathSessionID: nil, pathHandleID: nil)
            #expect(http == ["janus": "error", "error": ["code": 455, "reason": "JSON error: not an object"]])
            let ws = await core.handleWebSocketMessage(Array(text.utf8), connection: RecordingSink())
            #expect(ws == [["janus": "error", "error": ["code": 456, "reason": "Missing mandatory element (transaction)"]]])
        }
        #expect(await core.sessionCount == 0)
    }

    @Test func e454TrickleWithBothCandidateAndCandidates() async {
        let (core, _) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        let reply = await core.send(
            #"{"janus":"trickle","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"candidate":{"completed":true},"candidates":[]}"#)
        #expect(reply.errorCode == 454)
        #expect(reply.errorReason == "Can't have both candidate and candidates")
    }

    @Test func e455NotAnObjectAndJsepNotAnObject() async {
        let (core, _) = makeCore()
        let array = await core.handleHTTP(body: Array("[1,2]".utf8), pathSessionID: nil, pathHandleID: nil)
        #expect(array.errorCode == 455)
        #expect(array.errorReason == "JSON error: not an object")
        let (sid, hid) = await core.createAndAttach()
        let jsep = await core.send(
            #"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":{},"jsep":"v=0"}"#)
        #expect(jsep.errorCode == 455)
        #expect(jsep.errorReason == "Invalid jsep object")
    }

    @Test func e456MissingMandatoryElements() async {
        let (core, _) = makeCore()
        let noTransaction = await core.send(#"{"janus":"create"}"#)
        #expect(noTransaction.errorCode == 456)
        #expect(noTransaction.errorReason == "Missing mandatory element (transaction)")
        let noJanus = await core.send(#"{"transaction":"t"}"#)
        #expect(noJanus.errorCode == 456)
        #expect(noJanus.errorReason == "Missing mandatory element (janus)")
        #expect(noJanus["transaction"] == nil)
        let (sid, hid) = await core.createAndAttach()
        let noPlugin = await core.send(#"{"janus":"attach","transaction":"t","session_id":\#(sid)}"#)
        #expect(noPlugin.errorReason == "Missing mandatory element (plugin)")
        let noBody = await core.send(#"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid)}"#)
        #expect(noBody.errorCode == 456)
        #expect(noBody.errorReason == "Missing mandatory element (body)")
        let noSDP = await core.send(
            #"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":{},"jsep":{"type":"offer"}}"#)
        #expect(noSDP.errorCode == 456)
        #expect(noSDP.errorReason == "JSEP error: missing mandatory element (sdp)")
        let noType = await core.send(
            #"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":{},"jsep":{"sdp":"v=0"}}"#)
        #expect(noType.errorReason == "JSEP error: missing mandatory element (type)")
        let noCandidate = await core.send(#"{"janus":"trickle","transaction":"t","session_id":\#(sid),"handle_id":\#(hid)}"#)
        #expect(noCandidate.errorCode == 456)
        #expect(noCandidate.errorReason == "Missing mandatory element (candidate|candidates)")
        let noMid = await core.send(
            #"{"janus":"trickle","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"candidate":{"candidate":"candidate:1 1 udp 1 10.203.0.2 1 typ host"}}"#)
        #expect(noMid.errorCode == 456)
        #expect(noMid.errorReason == "Trickle error: missing mandatory element (sdpMid or sdpMLineIndex)")
        let noCandidateString = await core.send(
            #"{"janus":"trickle","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"candidate":{"sdpMid":"0"}}"#)
        #expect(noCandidateString.errorReason == "Trickle error: missing mandatory element (candidate)")
    }

    @Test func e457PathRules() async {
        let (core, _) = makeCore()
        let attachAtRoot = await core.send(#"{"janus":"attach","transaction":"t","plugin":"janus.plugin.test"}"#)
        #expect(attachAtRoot.errorCode == 457)
        #expect(attachAtRoot.errorReason == "Unhandled request 'attach' at this path")
        let keepaliveAtRoot = await core.send(#"{"janus":"keepalive","transaction":"t"}"#)
        #expect(keepaliveAtRoot.errorCode == 457)
        let (sid, hid) = await core.createAndAttach()
        let messageAtSession = await core.send(#"{"janus":"message","transaction":"t","session_id":\#(sid),"body":{}}"#)
        #expect(messageAtSession.errorCode == 457)
        #expect(messageAtSession.errorReason == "Unhandled request 'message' at this path")
        for verb in ["trickle", "detach", "hangup"] {
            let reply = await core.send(#"{"janus":"\#(verb)","transaction":"t","session_id":\#(sid)}"#)
            #expect(reply.errorCode == 457, "\(verb)")
        }
        for verb in ["attach", "destroy"] {
            let reply = await core.send(
                #"{"janus":"\#(verb)","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"plugin":"janus.plugin.test"}"#)
            #expect(reply.errorCode == 457, "\(verb)")
        }
        // HTTP: ids in the body contradicting the URL.
        let conflictS = await core.handleHTTP(
            body: Array(#"{"janus":"keepalive","transaction":"t","session_id":1}"#.utf8), pathSessionID: sid, pathHandleID: nil)
        #expect(conflictS.errorCode == 457)
        #expect(conflictS.errorReason == "Conflicting session ID (payload and path)")
        let conflictH = await core.handleHTTP(
            body: Array(#"{"janus":"hangup","transaction":"t","handle_id":1}"#.utf8), pathSessionID: sid, pathHandleID: hid)
        #expect(conflictH.errorReason == "Conflicting handle ID (payload and path)")
    }

    @Test func e458NoSuchSession() async {
        let (core, _) = makeCore()
        let reply = await core.send(#"{"janus":"keepalive","transaction":"t","session_id":123}"#)
        #expect(reply.errorCode == 458)
        #expect(reply.errorReason == "No such session 123")
        #expect(reply["session_id"] == 123)
        let handleOnly = await core.send(#"{"janus":"message","transaction":"t","handle_id":5,"body":{}}"#)
        #expect(handleOnly.errorCode == 458)
    }

    @Test func e459NoSuchHandle() async {
        let (core, _) = makeCore()
        let (sid, _) = await core.createAndAttach()
        let reply = await core.send(#"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":77,"body":{}}"#)
        #expect(reply.errorCode == 459)
        #expect(reply.errorReason == "No such handle 77 in session \(sid)")
    }

    @Test func e460NoSuchPlugin() async {
        let (core, _) = makeCore()
        let (sid, _) = await core.createAndAttach()
        let reply = await core.send(#"{"janus":"attach","transaction":"t","session_id":\#(sid),"plugin":"janus.plugin.nope"}"#)
        #expect(reply.errorCode == 460)
        #expect(reply.errorReason == "No such plugin 'janus.plugin.nope'")
    }

    @Test func e461PluginRefusedHandle() async {
        let (core, _) = makeCore()
        let (sid, _) = await core.createAndAttach()
        let reply = await core.send(
            #"{"janus":"attach","transaction":"t","session_id":\#(sid),"plugin":"janus.plugin.test","opaque_id":"refuse"}"#)
        #expect(reply.errorCode == 461)
        #expect(reply.errorReason?.hasPrefix("Couldn't attach to plugin: error") == true)
        #expect(await core.handleCount(sessionID: sid) == 1)
    }

    @Test func e464UnknownJSEPType() async {
        let (core, _) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        let reply = await core.send(
            #"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":{},"jsep":{"type":"pranswer","sdp":"v=0"}}"#)
        #expect(reply.errorCode == 464)
        #expect(reply.errorReason == "JSEP error: unknown message type 'pranswer'")
    }

    @Test func e465InvalidSDP() async {
        let (core, plugin) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        let reply = await core.send(
            #"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":{},"jsep":{"type":"offer","sdp":"o=- 1 1 IN IP4 0.0.0.0"}}"#)
        #expect(reply.errorCode == 465)
        #expect(reply.errorReason == "Invalid SDP (doesn't start with v=)")
        #expect(await plugin.session(hid)?.messages.isEmpty == true)
    }

    @Test func e467WrongTypes() async {
        let (core, _) = makeCore()
        let transaction = await core.send(#"{"janus":"create","transaction":5}"#)
        #expect(transaction.errorCode == 467)
        #expect(transaction.errorReason == "Invalid element type (transaction should be a string)")
        let verb = await core.send(#"{"janus":true,"transaction":"t"}"#)
        #expect(verb.errorReason == "Invalid element type (janus should be a string)")
        let negativeID = await core.send(#"{"janus":"create","transaction":"t","id":-4}"#)
        #expect(negativeID.errorReason == "Invalid element type (id should be a positive integer)")
        let (sid, hid) = await core.createAndAttach()
        let body = await core.send(#"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":[1]}"#)
        #expect(body.errorCode == 467)
        #expect(body.errorReason == "Invalid element type (body should be an object)")
        let plugin = await core.send(#"{"janus":"attach","transaction":"t","session_id":\#(sid),"plugin":1}"#)
        #expect(plugin.errorReason == "Invalid element type (plugin should be a string)")
        let sdp = await core.send(
            #"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":{},"jsep":{"type":"offer","sdp":1}}"#)
        #expect(sdp.errorReason == "JSEP error: invalid element type (sdp should be a string)")
        let candidates = await core.send(
            #"{"janus":"trickle","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"candidates":{}}"#)
        #expect(candidates.errorCode == 467)
        #expect(candidates.errorReason == "candidates is not an array")
        let mline = await core.send(
            #"{"janus":"trickle","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"candidate":{"candidate":"c","sdpMLineIndex":-1}}"#)
        #expect(mline.errorReason == "Trickle error: invalid element type (sdpMLineIndex should be a positive integer)")
        // Not a type error in Janus: a string session_id reads as 0 (see idsOfTheWrongTypeAreReadAsJanusDoes).
        let stringSession = await core.send(#"{"janus":"keepalive","transaction":"t","session_id":"\#(sid)"}"#)
        #expect(stringSession.errorCode == 457)
    }

    @Test func e468SessionIDInUse() async {
        let (core, _) = makeCore()
        let first = await core.send(#"{"janus":"create","transaction":"t","id":4242}"#)
        #expect(first["data"]?["id"] == 4242)
        let second = await core.send(#"{"janus":"create","transaction":"t","id":4242}"#)
        #expect(second.errorCode == 468)
        #expect(second.errorReason == "Session ID already in use")
        #expect(second["session_id"] == 4242)
        #expect(second["transaction"] == "t")
    }

    @Test func pluginErrorResultIsPassedThrough() async {
        let (core, _) = makeCore()
        let (sid, hid) = await core.createAndAttach()
        let reply = await core.send(
            #"{"janus":"message","transaction":"t","session_id":\#(sid),"handle_id":\#(hid),"body":{"request":"error"}}"#)
        #expect(reply.janus == "error")
        #expect(reply.errorCode == 469)
        #expect(reply["session_id"]?.uint64Value == sid)
    }

    @Test func e472NotAcceptingSessions() async {
        let (core, _) = makeCore()
        await core.setAcceptingNewSessions(false)
        let reply = await core.send(#"{"janus":"create","transaction":"t"}"#)
        #expect(reply.errorCode == 472)
        #expect(reply.errorReason == "Currently not accepting new sessions")
    }
}
