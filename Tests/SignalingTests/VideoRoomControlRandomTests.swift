import SDPTestFixtures
import Testing
@testable import SFUMedia
@testable import Signaling

/// Seeded random request sequences through the whole plugin (fake media plane): whatever a
/// mix of moderators, participants, waiting joiners and strangers sends, every answer is a
/// success or a documented error, and a waiting joiner receives nothing of the room.
@Suite struct VideoRoomControlRandomTests {
    /// SplitMix64: a seeded generator, so that a failure replays.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Every error code a request of this mix may answer (README "Room control (extension)"
    /// and the Janus codes of the requests used).
    static let documentedCodes = Set([424, 425, 428, 429, 430, 431, 433, 434, 435, 436, 437]).union(520...526)

    static let extensionBodies: [@Sendable (UInt64?) -> JSONObject] = [
        { _ in ["request": "raise_hand"] },
        { id in id.map { ["request": "lower_hand", "id": .uint($0)] } ?? ["request": "lower_hand"] },
        { _ in ["request": "lower_all_hands"] },
        { _ in ["request": "list_waiting"] },
        { id in ["request": "admit", "id": .uint(id ?? 1)] },
        { _ in ["request": "admit", "all": true] },
        { id in ["request": "reject", "id": .uint(id ?? 1), "reason": "no"] },
        { _ in ["request": "set_waiting_room", "enabled": true] },
        { _ in ["request": "set_waiting_room", "enabled": false] },
        { id in ["request": "promote", "id": .uint(id ?? 1)] },
        { id in ["request": "demote", "id": .uint(id ?? 1)] },
        { id in ["request": "mute", "id": .uint(id ?? 1), "audio": true] },
        { id in ["request": "unmute", "id": .uint(id ?? 1)] },
        { _ in ["request": "mute_all"] },
        { _ in ["request": "unmute_all", "video": true] },
        { id in ["request": "remove_participant", "id": .uint(id ?? 1)] },
    ]

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomTrafficKeepsTheRules(seed: UInt64) async throws {
        var rng = SeededGenerator(state: seed)
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let room: UInt64 = 90
        await admin.request([
            "request": "create", "room": .uint(room), "secret": "s", "moderator_secret": "m",
            "waiting_room": .bool(seed % 2 == 1), "publishers": 20,
        ])
        var clients: [VideoRoomTestClient] = []
        var ids: [UInt64] = []
        for step in 0..<200 {
            let roll = Int.random(in: 0..<100, using: &rng)
            if clients.isEmpty || roll < 15 {
                let client = try await harness.client()
                clients.append(client)
                var join: JSONObject = ["request": "join", "ptype": "publisher", "room": .uint(room), "display": .string("p\(step)")]
                if Int.random(in: 0..<3, using: &rng) == 0 { join["moderator_secret"] = "m" }
                let (data, _) = await client.request(join)
                if let id = data["id"]?.uint64Value { ids.append(id) }
                check(data, "join")
                continue
            }
            let index = Int.random(in: 0..<clients.count, using: &rng)
            let client = clients[index]
            let target = ids.isEmpty || Int.random(in: 0..<5, using: &rng) == 0 ? nil : ids.randomElement(using: &rng)
            switch roll {
            case 15..<75:
                let body = Self.extensionBodies[Int.random(in: 0..<Self.extensionBodies.count, using: &rng)](target)
                check(await client.request(body).data, "\(body)")
            case 75..<82:
                check(await client.request(["request": "configure"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium)).data,
                      "publish")
            case 82..<88:
                let subscriber = try await harness.client()
                var join: JSONObject = ["request": "join", "ptype": "subscriber", "room": .uint(room),
                                        "streams": [["feed": .uint(target ?? 1)]]]
                if Bool.random(using: &rng) { join["private_id"] = .int(Int64.random(in: 1...Int64(UInt32.max), using: &rng)) }
                check(await subscriber.request(join).data, "subscribe")
            case 88..<93:
                check(await client.request(["request": "leave"]).data, "leave")
            case 93..<96:
                // The core routes nothing to a detached handle any more.
                await client.session.destroy()
                clients.remove(at: index)
            case 96..<98:
                check(await admin.request(["request": "kick", "room": .uint(room), "secret": "s", "id": .uint(target ?? 1)]).data,
                      "kick")
            default:
                // The room's host, from a handle outside the room, with a right or wrong proof.
                var body = Self.extensionBodies[Int.random(in: 1..<Self.extensionBodies.count, using: &rng)](target)
                body["room"] = .uint(room)
                let proofs: [(String, JSONValue)] = [("secret", "s"), ("moderator_secret", "m"), ("secret", "x")]
                if let (key, value) = proofs.randomElement(using: &rng) { body[key] = value }
                let answer = await admin.request(body).data
                check(answer, "host \(body)")
                if body["secret"] == "x" { #expect(answer.errorCode == 433) }
            }
            await checkWaitingHandlesHeardNothing(harness, clients)
        }
    }

    /// A success, an event the request legitimately answers, or a documented error.
    func check(_ data: JSONObject, _ what: String) {
        if let code = data["error_code"]?.int64Value {
            #expect(Self.documentedCodes.contains(Int(code)), "\(what) → \(data)")
        } else {
            #expect(data["videoroom"] != nil, "\(what) → \(data)")
        }
    }

    /// Every handle waiting now has heard only its own `waiting` and its refused requests.
    func checkWaitingHandlesHeardNothing(_ harness: VideoRoomHarness, _ clients: [VideoRoomTestClient]) async {
        let waiting = Set(await harness.plugin.registry.waitingHandles.keys)
        for client in clients where waiting.contains(client.handleID) {
            for event in client.events {
                #expect(event.jsep == nil)
                #expect(event.data["videoroom"] == "waiting" || event.data["error_code"] != nil, "\(event.data)")
            }
            #expect(client.hangups.isEmpty)
        }
    }
}
