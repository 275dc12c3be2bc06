import SDPTestFixtures
import Testing
import VideoRoomControl
@testable import SFUMedia
@testable import Signaling

/// Seeded random bodies for every request name, from handles in every role, with every key
/// the decoder reads set to values of random types: the plugin answers each with a success or
/// a Janus (or room-control) error code, and never crashes.
@Suite struct VideoRoomGarbageTests {
    static let keys = [
        "room", "id", "ptype", "feed", "mid", "sub_mid", "streams", "subscribe", "unsubscribe", "descriptions",
        "display", "secret", "pin", "token", "permanent", "publishers", "bitrate", "send", "keyframe", "mute",
        "action", "allowed", "admin_key", "audiocodec", "videocodec", "private_id", "all", "enabled", "audio", "video",
        "moderator_secret", "new_secret", "new_publishers", "new_waiting_room", "substream", "reason", "metadata",
        "offer_audio", "description", "waiting_room",
    ]

    static func value(_ rng: inout VideoRoomControlRandomTests.SeededGenerator, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -3...3, using: &rng))
        case 3: return .int(Int64.random(in: 1...1234, using: &rng))
        case 4: return .double(1.5)
        case 5: return .string(["", "publisher", "subscriber", "0", "1", "a", "add", "s"].randomElement(using: &rng)!)
        case 6 where depth < 2:
            return .array((0..<Int.random(in: 0..<3, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        case 7 where depth < 2:
            var object: JSONObject = [:]
            for _ in 0..<Int.random(in: 0..<4, using: &rng) {
                object[keys.randomElement(using: &rng)!] = value(&rng, depth: depth + 1)
            }
            return .object(object)
        default: return .int(1234)
        }
    }

    static let codes = Set(421...437).union([499]).union(520...527)

    @Test(arguments: [11, 12, 13] as [UInt64])
    func randomBodiesNeverCrash(seed: UInt64) async throws {
        var rng = VideoRoomControlRandomTests.SeededGenerator(state: seed)
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 55, "waiting_room": true, "secret": "s"])
        let (publisher, id) = try await harness.publisher(display: "p")
        await harness.publish(publisher)
        var clients = [admin, publisher]
        var errors = 0
        var answers = 0
        for _ in 0..<400 {
            if Int.random(in: 0..<10, using: &rng) == 0 { clients.append(try await harness.client()) }
            var body: JSONObject = [
                "request": .string(VideoRoomRequestName.allCases.randomElement(using: &rng)!.rawValue),
            ]
            for _ in 0..<Int.random(in: 0..<6, using: &rng) {
                body[Self.keys.randomElement(using: &rng)!] = Self.value(&rng)
            }
            // Sometimes a plausible target: the demo room, the waiting room, the publisher.
            if Bool.random(using: &rng) { body["room"] = [1234, 55].randomElement(using: &rng)! }
            if Bool.random(using: &rng) { body["feed"] = .uint(id) }
            let jsep: JSEP? = switch Int.random(in: 0..<6, using: &rng) {
            case 0: JSEP(type: .offer, sdp: SDPFixtures.chromium)
            case 1: JSEP(type: .answer, sdp: "v=0\r\n")
            case 2: JSEP(type: .offer, sdp: "garbage")
            default: nil
            }
            let client = clients.randomElement(using: &rng)!
            let (data, _) = await client.request(body, jsep: jsep)
            if data.errorCode != nil { errors += 1 } else if !data.isEmpty { answers += 1 }
            if let code = data.errorCode {
                #expect(Self.codes.contains(code), "\(body) → \(data)")
            } else if !data.isEmpty {
                #expect(data["videoroom"] != nil || data["core_error"] != nil, "\(body) → \(data)")
            }
        }
        // Garbage is mostly refused, but not only (some bodies are valid requests).
        #expect(errors > answers && answers > 0)
        // The plugin still answers.
        #expect(await admin.request(["request": "list"]).data["videoroom"] == "success")
    }
}
