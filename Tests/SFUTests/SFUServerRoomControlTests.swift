import Testing

@testable import SFU

/// The room-control wrappers (`SFUServer+RoomControl`): the owner drives the lobby, roles,
/// hands and mutes of a room it is not in, seen by a Janus client speaking REST.
@Suite struct SFUServerRoomControlTests {
    /// A Janus client whose `join` landed in room `room`'s lobby; returns it and its id.
    func waitingClient(_ server: SFUServer, room: UInt64, display: String) async throws
        -> (EmbeddedJanusClient, UInt64, UInt64)
    {
        var client = EmbeddedJanusClient(server)
        try await client.createSession()
        let handle = try await client.attachVideoRoom()
        _ = await client.message(
            handle, ["request": "join", "ptype": "publisher", "room": .uint(room), "display": .string(display)])
        let waiting = try #require(await client.waitForPluginEvent { $0["videoroom"] == "waiting" })
        return (client, handle, try #require(waiting["id"]?.uint64Value))
    }

    @Test func theOwnerAdmitsMutesAndRemovesWithoutJoining() async throws {
        let server = try SFUServer(options: embeddedOptions())
        try await whileRunning([server]) {
            var room = RoomOptions(id: 60, description: "lobby")
            room.secret = "s"
            room.moderatorSecret = "m"
            room.waitingRoom = true
            room.waitingTimeout = 600
            try await server.createRoom(room)
            #expect(try await server.listRooms().first?.raw["waiting_room"] == true)
            let (ann, annHandle, annID) = try await waitingClient(server, room: 60, display: "ann")
            #expect(try await server.waitingList(room: 60, secret: "s") == [RoomPerson(id: annID, display: "ann")])
            await #expect(throws: SFUError.janus(code: 433, reason: "Unauthorized (wrong secret)")) {
                try await server.admit(participant: annID, room: 60, secret: "x")
            }
            await #expect(throws: SFUError.janus(code: 429, reason: "Missing mandatory element (secret)")) {
                try await server.admitAll(room: 60)
            }
            await #expect(throws: SFUError.janus(code: 426, reason: "No such room (61)")) {
                try await server.admitAll(room: 61, secret: "s")
            }

            try await server.admit(participant: annID, room: 60, secret: "s")
            #expect(await ann.waitForPluginEvent { $0["videoroom"] == "joined" }?["id"] == .uint(annID))
            #expect(try await server.listParticipants(room: 60).map(\.id) == [annID])
            #expect(try await server.waitingList(room: 60, secret: "s").isEmpty)
            await #expect(throws: SFUError.janus(code: 523, reason: "Participant \(annID) is not waiting in room 60")) {
                try await server.admit(participant: annID, room: 60, secret: "s")
            }

            try await server.promote(participant: annID, room: 60, secret: "s")
            #expect(await ann.waitForPluginEvent { $0["videoroom"] == "role" }?["role"] == "moderator")
            try await server.demote(participant: annID, room: 60, secret: "s")
            #expect(await ann.waitForPluginEvent { $0["role"] == "participant" } != nil)
            try await server.mute(participant: annID, room: 60, video: false, secret: "s")
            #expect(await ann.waitForPluginEvent { $0["videoroom"] == "muted" }
                == ["videoroom": "muted", "room": 60, "id": .uint(annID), "audio": true, "video": false])
            try await server.unmuteAll(room: 60, secret: "s")
            #expect(await ann.waitForPluginEvent { $0["videoroom"] == "muted" && $0["audio"] == false } != nil)
            await #expect(throws: SFUError.janus(code: 525, reason: "Hand of \(annID) not raised")) {
                try await server.lowerHand(participant: annID, room: 60, secret: "s")
            }
            _ = await ann.message(annHandle, ["request": "raise_hand"])
            #expect(try await server.lowerHand(participant: annID, room: 60, secret: "s").isEmpty)

            try await server.removeParticipant(annID, room: 60, secret: "s")
            #expect(await ann.waitForPluginEvent { $0["reason"] == "kicked" } != nil)
            #expect(try await server.listParticipants(room: 60).isEmpty)
        }
    }

    @Test func roomControlHappeningsReachTheEventStream() async throws {
        let server = try SFUServer(options: embeddedOptions())
        var events = server.events().makeAsyncIterator()
        try await whileRunning([server]) {
            var room = RoomOptions(id: 62)
            room.waitingRoom = true
            try await server.createRoom(room)
            let (ann, annHandle, annID) = try await waitingClient(server, room: 62, display: "ann")
            try await server.admit(participant: annID, room: 62)
            _ = await ann.waitForPluginEvent { $0["videoroom"] == "joined" }
            _ = await ann.message(annHandle, ["request": "raise_hand"])
            try await server.lowerAllHands(room: 62)
            try await server.promote(participant: annID, room: 62)
            try await server.mute(participant: annID, room: 62, audio: false)
            let (_, _, bobID) = try await waitingClient(server, room: 62, display: "bob")
            try await server.reject(participant: bobID, room: 62)

            let seen = await nextEvents(&events, count: 10)
            #expect(seen.map(\.kind) == [
                .roomCreated, .lobbyArrived, .lobbyLeft(.admitted), .participantJoined, .handsChanged([annID]),
                .handsChanged([]), .roleChanged(.moderator), .muted(audio: false, video: true), .lobbyArrived,
                .lobbyLeft(.rejected),
            ])
            #expect(seen.dropFirst().prefix(7).allSatisfy { $0.participant == annID || $0.participant == nil })
            #expect(seen[1].display == "ann" && seen[1].handle == annHandle)
            #expect(seen.suffix(2).allSatisfy { $0.participant == bobID && $0.display == "bob" })
            #expect(seen.map(\.kind.name).contains("lobby_arrived"))
            #expect(seen[9].json["reason"] == "rejected")
        }
    }

    @Test func theOwnerTurnsJoinersAwayAndSwitchesTheWaitingRoom() async throws {
        let server = try SFUServer(options: embeddedOptions())
        try await whileRunning([server]) {
            var room = RoomOptions(id: 61)
            room.waitingRoom = true
            try await server.createRoom(room)
            let (bob, _, bobID) = try await waitingClient(server, room: 61, display: "bob")
            try await server.rejectAll(room: 61, reason: "closed today")
            #expect(await bob.waitForPluginEvent { $0["videoroom"] == "rejected" }
                == ["videoroom": "rejected", "room": 61, "id": .uint(bobID), "reason": "rejected", "message": "closed today"])
            let (cid, _, _) = try await waitingClient(server, room: 61, display: "cid")
            try await server.setWaitingRoom(room: 61, enabled: false)
            #expect(await cid.waitForPluginEvent { $0["videoroom"] == "joined" } != nil)
            var changes = RoomChanges()
            changes.waitingRoom = true
            changes.moderatorSecret = "m"
            try await server.editRoom(61, changes)
            let (_, _, danID) = try await waitingClient(server, room: 61, display: "dan")
            // The new moderator secret now guards the room's host requests.
            await #expect(throws: SFUError.janus(code: 429, reason: "Missing mandatory element (secret)")) {
                try await server.reject(participant: danID, room: 61)
            }
        }
    }
}
