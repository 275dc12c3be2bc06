import Testing
@testable import Signaling

@Suite struct EchoTestRequestTests {
    @Test func readsJanusEchoTestKeys() throws {
        let request = try EchoTestRequest(body: ["audio": true, "video": false, "bitrate": 256000, "keyframe": true])
        #expect(request.audio == true)
        #expect(request.video == false)
        #expect(request.bitrate == 256000)
        #expect(request.keyframe == true)
    }

    @Test func emptyBodyChangesNothing() throws {
        #expect(try EchoTestRequest(body: [:]) == EchoTestRequest(audio: nil, video: nil, bitrate: nil, keyframe: nil))
    }

    @Test(arguments: [
        ("audio", JSONValue.string("yes")), ("video", .int(1)), ("keyframe", .null), ("bitrate", .string("1")),
        ("bitrate", .int(-5)), ("bitrate", .double(1.5)),
    ])
    func rejectsWrongTypesWithJanusCode413(key: String, value: JSONValue) {
        #expect(throws: EchoTestRequest.Failure.self) { try EchoTestRequest(body: [key: value]) }
        do {
            _ = try EchoTestRequest(body: [key: value])
        } catch {
            #expect(error.code == 413)
            #expect(error.reason.contains(key))
        }
    }
}
