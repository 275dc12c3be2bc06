import PropertyBased
import SDPTestFixtures
import Testing
import VideoRoomControl
@testable import SFUMedia
@testable import Signaling

/// Generated request sequences from several participants through the whole VideoRoom (fake
/// media plane), with the room's invariants checked after every step:
/// - no media route to a waiting participant, or to a participant kicked from a room that ties
///   subscriptions to private ids; every live transport belongs to someone in the room;
/// - every subscription m-line points at a live publisher stream, or is inactive;
/// - the hand queue and the lobby hold only present participants (and the lobby exactly the
///   handles waiting), the room-control members are exactly the room's participants.
@Suite struct VideoRoomCorePropertyTests {
    /// One generated step: an operation, the acting slot, a target slot and a flag.
    struct Step: Sendable, CustomStringConvertible {
        var op: Int
        var actor: Int
        var target: Int
        var flag: Int

        var description: String { "op\(op)(\(actor)→\(target),\(flag))" }
    }

    static let slots = 4
    /// Operations by weight: joins, publishing and subscribing are the common ones.
    static let operations: [Int] = [
        0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 4, 5, 5, 5, 5, 6, 6, 6, 7, 7, 8, 9, 10, 11, 11, 11, 12, 13, 14, 15, 16,
        17, 18, 19, 19, 20, 21, 21, 21, 22,
    ]
    static let operationCount = operations.count
    static let steps = zip(
        Gen.int(in: 0...(operationCount - 1)), Gen.int(in: 0...(slots - 1)), Gen.int(in: 0...(slots - 1)),
        Gen.int(in: 0...3)
    ).map { Step(op: operations[$0.0], actor: $0.1, target: $0.2, flag: $0.3) }.array(of: 1...50)

    /// waiting room, require_pvtid
    static let rooms = zip(Gen.bool, Gen.bool)

    @Test func invariantsHoldAfterEveryStep() async throws {
        await propertyCheck(count: 60, input: Self.rooms, Self.steps) { room, steps in
            var world = await World(waitingRoom: room.0, requirePvtID: room.1)
            for step in steps {
                await world.perform(step)
                await world.checkInvariants(after: step)
            }
        }
    }
}

/// The participants a sequence drives: one publisher-role handle per slot (re-made when it is
/// gone) and the subscriber handles each slot opened.
struct World {
    static let room: UInt64 = 77

    let harness = VideoRoomHarness()
    let admin: VideoRoomTestClient
    var publishers: [VideoRoomTestClient?]
    var subscribers: [[VideoRoomTestClient]]
    /// Participant ids (also of waiting joiners) and private ids, by slot, as the replies gave them.
    var ids: [UInt64?]
    var privateIDs: [UInt32?]
    /// Private ids of participants kicked out of a room checking private ids (their
    /// subscriptions must end).
    var kickedPrivateIDs: Set<UInt32> = []

    init(waitingRoom: Bool, requirePvtID: Bool) async {
        admin = try! await harness.client()
        await admin.request([
            "request": "create", "room": .uint(Self.room), "secret": "s", "moderator_secret": "m",
            "waiting_room": .bool(waitingRoom), "require_pvtid": .bool(requirePvtID), "publishers": 20,
        ])
        publishers = Array(repeating: nil, count: VideoRoomCorePropertyTests.slots)
        subscribers = Array(repeating: [], count: VideoRoomCorePropertyTests.slots)
        ids = Array(repeating: nil, count: VideoRoomCorePropertyTests.slots)
        privateIDs = Array(repeating: nil, count: VideoRoomCorePropertyTests.slots)
    }

    var registry: VideoRoomRegistry { harness.plugin.registry }

    // MARK: Steps

    mutating func perform(_ step: VideoRoomCorePropertyTests.Step) async {
        let slot = step.actor
        let target = ids[step.target]
        switch step.op {
        case 0, 1: await join(slot, moderator: step.flag == 0)
        case 2: await publish(slot)
        case 3: await publishers[slot]?.request(["request": "unpublish"])
        case 4: await publishers[slot]?.request(["request": "leave"])
        case 5: await subscribe(slot, to: await publishing(preferring: target), withPrivateID: step.flag != 3)
        case 6: await start(slot)
        case 7:
            let change: JSONObject = step.flag % 2 == 0
                ? ["request": "unsubscribe", "streams": [["feed": .uint(target ?? 1)]]]
                : ["request": "update", "subscribe": [["feed": .uint(target ?? 1)]]]
            await subscribers[slot].last?.request(change)
        case 8: await subscribers[slot].last?.request(["request": "leave"])
        case 9: await kick(target)
        case 10: await control(slot, step.flag, ["request": "remove_participant", "id": .uint(target ?? 1)], kicks: target)
        case 11: await control(slot, step.flag, step.flag == 0 ? ["request": "admit", "all": true] : ["request": "admit", "id": .uint(target ?? 1)])
        case 12: await control(slot, step.flag, ["request": "reject", "id": .uint(target ?? 1)])
        case 13: await publishers[slot]?.request(["request": "raise_hand"])
        case 14: await control(slot, step.flag, ["request": "lower_hand", "id": .uint(target ?? 1)])
        case 15: await control(slot, step.flag, ["request": "set_waiting_room", "enabled": .bool(step.flag % 2 == 0)])
        case 16: await control(slot, step.flag, ["request": step.flag % 2 == 0 ? "mute" : "unmute", "id": .uint(target ?? 1)])
        case 17: await detach(slot, subscriber: step.flag % 2 == 1)
        case 18: await failTransport(slot, subscriber: step.flag % 2 == 1)
        case 19:
            // Re-point the subscription's first m-line of a kind to another publisher's stream.
            let feed = await publishing(preferring: target) ?? 1
            let mid = step.flag % 2 == 0 ? "0" : "1"
            await subscribers[slot].last?.request(
                ["request": "switch", "streams": [["feed": .uint(feed), "mid": .string(mid), "sub_mid": .string(mid)]]])
        case 20:
            await admin.request([
                "request": "moderate", "room": .uint(Self.room), "secret": "s", "id": .uint(target ?? 1), "mid": "1",
                "mute": .bool(step.flag % 2 == 0),
            ])
        case 21:
            // A publisher re-offers, from another peer (certificate: a new PeerConnection its
            // subscribers follow) or the same one (a renegotiation).
            let feed = await publishing(preferring: target)
            await publish(ids.firstIndex { $0 != nil && $0 == feed } ?? slot,
                          offer: step.flag % 2 == 0 ? SDPFixtures.aiortc : SDPFixtures.chromium)
        default:
            await admin.request([
                "request": "edit", "room": .uint(Self.room), "secret": "s", "new_require_pvtid": .bool(step.flag % 2 == 0),
                "new_bitrate": .int(Int64(64_000 * (step.flag + 1))),
            ])
        }
    }

    /// A fresh handle joins (a slot whose handle left or was kicked gets a new one).
    mutating func join(_ slot: Int, moderator: Bool) async {
        if let handle = publishers[slot], await registry.roles[handle.handleID] != .gone,
            await registry.roles[handle.handleID] != nil
        {
            return
        }
        guard let client = try? await harness.client() else { return }
        var body: JSONObject = ["request": "join", "ptype": "publisher", "room": .uint(Self.room), "display": .string("s\(slot)")]
        if moderator { body["moderator_secret"] = "m" }
        let (data, _) = await client.request(body)
        publishers[slot] = client
        ids[slot] = data["id"]?.uint64Value
        privateIDs[slot] = data["private_id"]?.int64Value.map { UInt32(truncatingIfNeeded: $0) }
    }

    mutating func publish(_ preferred: Int, offer: String = SDPFixtures.chromium) async {
        // The slot's handle, or else the first that is in the room (publishing is what most
        // invariants are about).
        var slot = preferred
        if await !isParticipant(publishers[slot]) {
            for other in publishers.indices where await isParticipant(publishers[other]) {
                slot = other
                break
            }
        }
        guard let client = publishers[slot] else { return }
        // A waiting joiner admitted meanwhile got `joined` with its private id.
        if privateIDs[slot] == nil, let joined = client.events.last(where: { $0.data["videoroom"] == "joined" }) {
            privateIDs[slot] = joined.data["private_id"]?.int64Value.map { UInt32(truncatingIfNeeded: $0) }
        }
        let (_, jsep) = await client.request(["request": "configure"], jsep: JSEP(type: .offer, sdp: offer))
        guard jsep != nil, let allocation = harness.media.lastStarted?.allocation.id else { return }
        harness.media.emit(allocation, .connected)
        _ = await eventually(timeout: .seconds(1)) { client.webrtcUps > 0 }
    }

    func isParticipant(_ client: VideoRoomTestClient?) async -> Bool {
        guard let client else { return false }
        if case .publisher? = await registry.roles[client.handleID] { return true }
        return false
    }

    /// `preferred` when it publishes, else some publishing participant (nil: none).
    func publishing(preferring preferred: UInt64?) async -> UInt64? {
        guard let room = await registry.rooms[.number(Self.room)] else { return preferred }
        let active = room.participants.values.filter(\.isActivePublisher).compactMap(\.id.number).sorted()
        if let preferred, active.contains(preferred) { return preferred }
        return active.first ?? preferred
    }

    mutating func subscribe(_ slot: Int, to feed: UInt64?, withPrivateID: Bool) async {
        guard let client = try? await harness.client() else { return }
        var body: JSONObject = ["request": "join", "ptype": "subscriber", "room": .uint(Self.room),
                                "streams": [["feed": .uint(feed ?? 1)]]]
        // The slot's own private id, else another participant's (a valid proof either way).
        let room = await registry.rooms[.number(Self.room)]
        let present = Set(room?.participants.values.map(\.privateID) ?? [])
        let privateID = privateIDs[slot].flatMap { present.contains($0) ? $0 : nil } ?? present.sorted().first
        if withPrivateID, let privateID { body["private_id"] = .int(Int64(privateID)) }
        await client.request(body)
        subscribers[slot].append(client)
    }

    /// Answers the subscriber's last offer with `start`.
    func start(_ slot: Int) async {
        guard let client = subscribers[slot].last,
            let offer = client.events.last(where: { $0.jsep?.type == .offer })?.jsep,
            let answer = try? VideoRoomHarness.answer(to: offer)
        else { return }
        await client.request(["request": "start"], jsep: answer)
    }

    mutating func kick(_ target: UInt64?) async {
        let (data, _) = await admin.request(
            ["request": "kick", "room": .uint(Self.room), "secret": "s", "id": .uint(target ?? 1)])
        if data["videoroom"] == "success", let target { await noteKicked(target) }
    }

    /// A room-control request from the slot's handle (flags 0–1) or from the host (2–3).
    mutating func control(_ slot: Int, _ flag: Int, _ body: JSONObject, kicks target: UInt64? = nil) async {
        var request = body
        let client: VideoRoomTestClient?
        if flag >= 2 {
            request["room"] = .uint(Self.room)
            request["secret"] = "s"
            client = admin
        } else {
            client = publishers[slot]
        }
        guard let client else { return }
        let (data, _) = await client.request(request)
        if data["videoroom"] == "success", let target { await noteKicked(target) }
    }

    /// A kick ends the kicked user's subscriptions only while the room checks private ids
    /// (`require_pvtid` or a waiting room), as in Janus; later subscriptions need a present one.
    mutating func noteKicked(_ id: UInt64) async {
        guard let slot = ids.firstIndex(of: id), let privateID = privateIDs[slot],
            let settings = await registry.rooms[.number(Self.room)]?.settings,
            settings.requirePvtID || settings.waitingRoom
        else { return }
        kickedPrivateIDs.insert(privateID)
    }

    mutating func detach(_ slot: Int, subscriber: Bool) async {
        if subscriber {
            guard let client = subscribers[slot].popLast() else { return }
            await client.session.destroy()
        } else {
            guard let client = publishers[slot] else { return }
            await client.session.destroy()
            publishers[slot] = nil
        }
    }

    /// The media plane reports the PeerConnection failed (or the core hangs it up).
    func failTransport(_ slot: Int, subscriber: Bool) async {
        guard let client = subscriber ? subscribers[slot].last : publishers[slot] else { return }
        await client.session.hangup(reason: "DTLS alert")
    }

    // MARK: Invariants

    func checkInvariants(after step: VideoRoomCorePropertyTests.Step) async {
        let registry = registry
        let (room, waiting, roles) = await registry.snapshot(room: Self.room)
        guard let room else {
            Issue.record("room gone after \(step)")
            return
        }
        let calls = harness.media.calls.withLock { $0 }
        let closed = Set(calls.closed)
        checkRoomControl(room, waiting: waiting, roles: roles, step: step)
        checkSubscriptions(room, step: step)
        checkTransports(room, calls: calls, closed: closed, step: step)
    }

    /// Hands and lobby hold only present participants; members are the participants.
    func checkRoomControl(
        _ room: Room, waiting: [UInt64: WaitingJoin], roles: [UInt64: HandleRole], step: VideoRoomCorePropertyTests.Step
    ) {
        let present = Set(room.participants.keys)
        #expect(Set(room.control.memberIDs) == present, "members ≠ participants after \(step)")
        #expect(Set(room.control.handQueue).isSubset(of: present), "a hand of someone absent after \(step)")
        let lobby = Set(waiting.values.filter { $0.room == .number(Self.room) }.map(\.id))
        #expect(Set(room.control.waitingList) == lobby, "lobby ≠ waiting handles after \(step)")
        #expect(lobby.isDisjoint(with: present), "a waiting joiner is also a participant after \(step)")
        for handle in waiting.keys {
            #expect(roles[handle] == .waiting(room: .number(Self.room)), "a waiting handle is not waiting after \(step)")
        }
    }

    /// Every subscription m-line points at a live publisher stream, or is inactive.
    func checkSubscriptions(_ room: Room, step: VideoRoomCorePropertyTests.Step) {
        for subscriber in room.subscribers.values {
            for stream in subscriber.streams where stream.active {
                let source = stream.feedID.flatMap { room.participants[$0]?.media }?.stream(mid: stream.feedMid ?? "")
                #expect(source != nil, "m-line \(stream.mid) points at a gone source after \(step)")
            }
        }
    }

    /// Live transports belong to the room's publishers and subscribers; every live binding
    /// routes from a present publisher's live transport, to nobody kicked.
    func checkTransports(
        _ room: Room, calls: FakeRoomMediaPlane.Calls, closed: Set<UInt64>, step: VideoRoomCorePropertyTests.Step
    ) {
        let publisherTransports = Set(room.participants.values.compactMap { $0.media?.allocation.id })
        let subscriberTransports = Set(room.subscribers.values.map(\.allocation.id))
        let live = Set(calls.allocated.map(\.id)).subtracting(closed)
        #expect(live == publisherTransports.union(subscriberTransports), "a leaked or closed transport after \(step)")
        for allocation in subscriberTransports {
            guard let bindings = calls.bindings.last(where: { $0.allocation == allocation })?.bindings else { continue }
            for binding in bindings {
                guard let source = binding.source else { continue }
                #expect(publisherTransports.contains(source.publisher) && !closed.contains(source.publisher),
                        "m-line \(binding.mid) routes from a gone publisher after \(step)")
            }
        }
        guard room.settings.requirePvtID || room.settings.waitingRoom else { return }
        for subscriber in room.subscribers.values {
            guard let privateID = subscriber.privateID else { continue }
            #expect(!kickedPrivateIDs.contains(privateID), "a kicked participant still receives after \(step)")
        }
    }
}

extension VideoRoomRegistry {
    /// One consistent read of a room, the lobby and the roles (for the invariants).
    func snapshot(room: UInt64) -> (Room?, [UInt64: WaitingJoin], [UInt64: HandleRole]) {
        (rooms[.number(room)], waitingHandles, roles)
    }
}
