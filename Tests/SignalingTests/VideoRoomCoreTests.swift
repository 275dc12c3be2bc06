import DTLS
import ICE
import RTP
import SFUBase
import Testing
import VideoRoomControl
@testable import SFUMedia
@testable import Signaling

/// A `Room` driven directly, without the registry or a media plane: inputs and time in,
/// answers and effects out.
@Suite struct VideoRoomCoreTests {
    /// Allocations with made-up credentials; no media plane behind them.
    struct CountingAllocator: TransportAllocator {
        let fingerprint = DTLSFingerprint(sdpValue: "sha-256 " + (0..<32).map { _ in "AB" }.joined(separator: ":"))!

        func allocateTransport(room: RoomKey) -> TransportAllocation {
            TransportAllocation(
                id: UInt64.random(in: 1...1_000_000), workerIndex: 0, localCredentials: .random(),
                candidates: [LocalCandidateAddress(address: "127.0.0.1", port: 40000)], fingerprint: fingerprint)
        }

        func restartICE(_ allocation: TransportAllocation, remote: ICECredentials) -> TransportAllocation? { nil }
    }

    static func caller(_ handleID: UInt64, _ transaction: String = "tx") -> RoomCaller {
        RoomCaller(
            handleID: handleID, context: PluginHandleContext(sessionID: 1, handleID: handleID, opaqueID: nil) { _ in },
            transaction: transaction)
    }

    static func join(_ room: VideoRoomID, id: UInt64, display: String) throws -> PublisherJoin {
        guard case .publisher(let join) = try JoinRequest(VideoRoomFields(
            ["ptype": "publisher", "room": .id(room), "id": .uint(id), "display": .string(display)]))
        else { throw VideoRoomError(VideoRoomError.unknown, "not a publisher join") }
        return join
    }

    /// The `plugindata.data` of every event the effects send to `handleID` (by id or context).
    static func events(_ effects: [RoomEffect], to handleID: UInt64) -> [JSONObject] {
        effects.compactMap { effect -> JSONObject? in
            switch effect {
            case .toHandle(handleID, .event(_, let data, _)): return data
            case .toContext(let context, .event(_, let data, _)) where context.handleID == handleID: return data
            default: return nil
            }
        }
    }

    static func roles(_ effects: [RoomEffect]) -> [UInt64: HandleRole?] {
        var roles: [UInt64: HandleRole?] = [:]
        for case .role(let handle, let role) in effects { roles[handle] = role }
        return roles
    }

    let at = MonotonicInstant(nanoseconds: 1_000_000_000)
    let allocator = CountingAllocator()

    @Test func aKickIsDecidedByTheRoomAlone() throws {
        var room = Room(settings: VideoRoomSettings(room: 5), permanent: false)
        let alice = Self.caller(1)
        let bob = Self.caller(2)
        _ = room.handle(.joinPublisher(try Self.join(5, id: 10, display: "alice"), jsep: nil, lobby: false),
                        from: alice, at: at, using: allocator)
        let (joined, effects) = room.handle(
            .joinPublisher(try Self.join(5, id: 20, display: "bob"), jsep: nil, lobby: false), from: bob, at: at,
            using: allocator)
        #expect(throws: Never.self) { try joined.get() }
        #expect(Self.events(effects, to: 2).first?["videoroom"] == "joined")
        #expect(Self.roles(effects)[2] == .publisher(room: 5, id: 20))
        #expect(Set(room.control.memberIDs) == [10, 20])

        let (reply, kick) = room.handle(.kick(room: 5, participant: 20, secret: nil), hasStore: false, at: at,
                                        using: allocator)
        guard case .success(.success) = reply else {
            Issue.record("kick answered \(reply)")
            return
        }
        #expect(Self.events(kick, to: 2).first == ["videoroom": "event", "room": 5, "leaving": "ok", "reason": "kicked"])
        #expect(Self.events(kick, to: 1) == [["videoroom": "event", "room": 5, "kicked": 20]])
        #expect(Self.roles(kick)[2] == .gone)
        #expect(room.participants.keys.sorted() == [10] && room.control.memberIDs == [10])
        #expect(kick.contains { if case .observe(let event) = $0 { event.kind == .participantLeft(.kicked) } else { false } })
        // Nothing was sent to the media plane: bob never published.
        #expect(!kick.contains { if case .media = $0 { true } else { false } })
    }

    /// The lobby's timeout runs on the time the room is given, not on a clock of its own.
    @Test func aWaitingJoinerTimesOutOnTheGivenTime() throws {
        var settings = VideoRoomSettings(room: 6)
        settings.waitingRoom = true
        settings.waitingTimeout = 30
        var room = Room(settings: settings, permanent: false)
        let joiner = Self.caller(3, "join-tx")
        let (_, waiting) = room.handle(
            .joinPublisher(try Self.join(6, id: 30, display: "carol"), jsep: nil, lobby: true), from: joiner, at: at,
            using: allocator)
        #expect(Self.roles(waiting)[3] == .waiting(room: 6))
        #expect(Self.events(waiting, to: 3).first?["videoroom"] == "waiting")
        #expect(waiting.contains {
            if case .wake(.lobbyExpiry, let milliseconds) = $0 { milliseconds == 30_010 } else { false }
        })
        #expect(room.control.waitingList == [30])

        // Too early (a timer can fire a little before its deadline): nothing happens but another
        // wake-up at the deadline.
        let (_, early) = room.handle(.timer(.lobbyExpiry), from: nil, at: at.adding(milliseconds: 29_000),
                                     using: allocator)
        #expect(early.count == 1 && early.contains {
            if case .wake(.lobbyExpiry, let milliseconds) = $0 { milliseconds == 1_010 } else { false }
        })
        #expect(room.control.waitingList == [30])
        // Past the deadline: turned away, told why, its handle done.
        let (_, expired) = room.handle(.timer(.lobbyExpiry), from: nil, at: at.adding(milliseconds: 30_001),
                                       using: allocator)
        #expect(Self.events(expired, to: 3).first?["reason"] == "timeout")
        #expect(Self.roles(expired)[3] == .gone)
        #expect(room.control.waitingList.isEmpty && room.lobby.isEmpty)
    }

    /// The host admits a joiner: it gets its `joined` (on its join's transaction) and a role.
    @Test func theHostAdmitsAJoiner() throws {
        var settings = VideoRoomSettings(room: 7)
        settings.waitingRoom = true
        var room = Room(settings: settings, permanent: false)
        _ = room.handle(.joinPublisher(try Self.join(7, id: 40, display: "dave"), jsep: nil, lobby: true),
                        from: Self.caller(4, "join-tx"), at: at, using: allocator)
        let (reply, admitted) = room.handle(.admit(.one(40)), by: .host, at: at, using: allocator)
        #expect(throws: Never.self) { try reply.get() }
        #expect(Self.roles(admitted)[4] == .publisher(room: 7, id: 40))
        let joined = admitted.contains {
            if case .toHandle(4, .event("join-tx", let data, _)) = $0 { data["videoroom"] == "joined" } else { false }
        }
        #expect(joined)
        #expect(room.participants[40]?.display == "dave" && room.lobby.isEmpty)
    }
}
