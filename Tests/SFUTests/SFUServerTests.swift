import Logging
import Testing

@testable import SFU

/// `SFUServer` on loopback with its Janus listeners off: lifecycle, isolation of two servers in
/// one process, the room API's checks and errors, the Janus REST entry point for embedders.
@Suite(.timeLimit(.minutes(1))) struct SFUServerTests {
    @Test func twoServersInOneProcessShareNothing() async throws {
        let a = try SFUServer(options: embeddedOptions { $0.name = "a" })
        let b = try SFUServer(options: embeddedOptions { $0.name = "b" })
        var eventsA = a.events().makeAsyncIterator()
        var eventsB = b.events().makeAsyncIterator()
        let runningA = Task { try await a.run() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await b.run() }
            let addressesA = try await a.waitUntilReady()
            let addressesB = try await b.waitUntilReady()
            #expect(addressesA.media != addressesB.media)
            #expect(addressesA.httpPort == nil && addressesA.summary.hasPrefix("http=off ws=off media=127.0.0.1:"))

            try await a.createRoom(RoomOptions(id: 11))
            try await b.createRoom(RoomOptions(id: 22))
            #expect(try await a.listRooms().map(\.id) == [11])
            #expect(try await b.listRooms().map(\.id) == [22])
            #expect(try await b.roomExists(11) == false)
            #expect(await nextEvents(&eventsA, count: 1).map(\.room) == [11])
            #expect(await nextEvents(&eventsB, count: 1).map(\.room) == [22])

            // Stopping one leaves the other working.
            a.stop()
            try await runningA.value
            await #expect(throws: SFUError.notRunning) { try await a.createRoom(RoomOptions(id: 12)) }
            #expect(await eventsA.next() == nil)
            try await b.createRoom(RoomOptions(id: 33))
            #expect(try await b.listRooms().map(\.id) == [22, 33])
            let created = await nextEvents(&eventsB, count: 1)
            #expect(created == [SFUEvent(room: 33, kind: .roomCreated)])
            b.stop()
            try await group.waitForAll()
        }
    }

    @Test func roomAPIErrorsCarryJanusCodesAndReasons() async throws {
        let server = try SFUServer(options: embeddedOptions())
        try await whileRunning([server]) {
            await #expect(throws: SFUError.janus(code: 426, reason: "No such room (999)")) {
                try await server.destroyRoom(999)
            }
            var locked = RoomOptions(id: 5)
            locked.secret = "s"
            #expect(try await server.createRoom(locked) == 5)
            await #expect(throws: SFUError.janus(code: 427, reason: "Room 5 already exists")) {
                try await server.createRoom(RoomOptions(id: 5))
            }
            await #expect(throws: SFUError.janus(code: 428, reason: "No such user 12 in room 5")) {
                try await server.kick(participant: 12, room: 5, secret: "s")
            }
            await #expect(throws: SFUError.janus(code: 429, reason: "Missing mandatory element (secret)")) {
                try await server.destroyRoom(5)
            }
            await #expect(throws: SFUError.janus(code: 433, reason: "Unauthorized (wrong secret)")) {
                try await server.destroyRoom(5, secret: "nope")
            }
            var changes = RoomChanges()
            changes.description = "renamed"
            try await server.editRoom(5, changes, secret: "s")
            #expect(try await server.listRooms().map(\.description) == ["renamed"])
            try await server.destroyRoom(5, secret: "s")
            #expect(try await server.roomExists(5) == false)
            // The general entry point reaches any request, unknown ones answered like Janus.
            await #expect(throws: SFUError.janus(code: 423, reason: "Unknown request 'nonsense'")) {
                _ = try await server.videoRoomRequest(["request": "nonsense"])
            }
            let exists = try await server.videoRoomRequest(["request": "exists", "room": 5])
            #expect(exists == ["videoroom": "success", "room": 5, "exists": false])
        }
    }

    @Test func configuredSecretsApplyToJanusClientsWhileTheRoomAPIHasThem() async throws {
        let server = try SFUServer(options: embeddedOptions {
            $0.adminKey = "admin"
            $0.apiSecret = "api"
        })
        try await whileRunning([server]) {
            #expect(try await server.createRoom(RoomOptions(id: 8)) == 8)
            await #expect(throws: SFUError.janus(code: 429, reason: "Missing mandatory element (admin_key)")) {
                _ = try await server.videoRoomRequest(["request": "create", "room": 9])
            }
            await #expect(throws: SFUError.janus(code: 433, reason: "Unauthorized (wrong admin_key)")) {
                _ = try await server.videoRoomRequest(["request": "create", "room": 9, "admin_key": "x"])
            }
            var privateRoom = RoomOptions(id: 10)
            privateRoom.isPrivate = true
            try await server.createRoom(privateRoom)
            #expect(try await server.listRooms().map(\.id) == [8, 10])

            let refused = await EmbeddedJanusClient(server).post("/janus", ["janus": "create"])
            #expect(refused["error"]?["code"] == 403)
            var client = EmbeddedJanusClient(server, apiSecret: "api")
            try await client.createSession()
            let forbidden = await server.respond(to: JanusHTTPRequest(method: "GET", path: "/janus/\(client.session)"))
            #expect(forbidden.status == 403)
        }
    }

    @Test func janusRESTForEmbeddersAnswersLikeTheListener() async throws {
        let server = try SFUServer(options: embeddedOptions { $0.limits.longPollHold = .milliseconds(50) })
        try await whileRunning([server]) {
            let info = await server.respond(to: JanusHTTPRequest(method: "GET", path: "/janus/info"))
            #expect(info.status == 200 && info.json?["janus"] == "server_info")
            #expect(info.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
            let preflight = await server.respond(
                to: JanusHTTPRequest(
                    method: "OPTIONS", path: "/janus", headers: [(name: "Access-Control-Request-Method", value: "POST")]))
            #expect(preflight.status == 200 && preflight.body.isEmpty)
            #expect(preflight.headers.contains { $0.name == "Access-Control-Allow-Methods" && $0.value == "POST" })
            #expect(await server.respond(to: JanusHTTPRequest(method: "GET", path: "/elsewhere")).status == 404)
            let badJSON = await server.respond(to: JanusHTTPRequest(method: "POST", path: "/janus", body: Array("{".utf8)))
            #expect(badJSON.json?["error"]?["code"] == 454)

            var client = EmbeddedJanusClient(server)
            try await client.createSession()
            let handle = try await client.attachVideoRoom()
            let listed = await client.message(handle, ["request": "list"])
            #expect(listed["plugindata"]?["data"] == ["videoroom": "success", "list": []])
            let redirect = await server.respond(to: JanusHTTPRequest(method: "GET", path: "/janus/\(client.session)/\(handle)"))
            #expect(redirect.status == 302)
            #expect(redirect.headers.contains { $0.name == "Location" && $0.value == "/janus/\(client.session)" })
            // Nothing to deliver: the poll is held, then answered with a keepalive.
            #expect(await client.poll() == [["janus": "keepalive"]])
            #expect(await server.respond(to: JanusHTTPRequest(method: "GET", path: "/janus/424242")).status == 404)
        }
    }

    @Test func aKickThroughTheRoomAPIReachesTheJanusClientAndTheEventStream() async throws {
        let server = try SFUServer(options: embeddedOptions())
        var events = server.events().makeAsyncIterator()
        try await whileRunning([server]) {
            try await server.createRoom(RoomOptions(id: 77, description: "twin"))
            var client = EmbeddedJanusClient(server)
            try await client.createSession()
            let handle = try await client.attachVideoRoom()
            let ack = await client.message(handle, ["request": "join", "ptype": "publisher", "room": 77, "display": "ann"])
            #expect(ack["janus"] == "ack")
            let joined = try #require(await client.waitForPluginEvent { $0["videoroom"] == "joined" })
            let id = try #require(joined["id"]?.uint64Value)
            #expect(try await server.listParticipants(room: 77).map(\.id) == [id])
            #expect(try await server.listParticipants(room: 77).map(\.display) == ["ann"])

            try await server.kick(participant: id, room: 77)
            let kicked = await client.waitForPluginEvent { $0["leaving"] == "ok" }
            #expect(kicked == ["videoroom": "event", "room": 77, "leaving": "ok", "reason": "kicked"])
            #expect(try await server.listParticipants(room: 77).isEmpty)

            let seen = await nextEvents(&events, count: 3)
            #expect(seen.map(\.kind) == [.roomCreated, .participantJoined, .participantLeft(.kicked)])
            #expect(seen.dropFirst().allSatisfy { $0.room == 77 && $0.participant == id && $0.display == "ann" })
            #expect(seen.dropFirst().allSatisfy { $0.handle == handle && $0.peer == .publisher })
        }
    }

    @Test func runsInAServiceGroupAndStopsOnGracefulShutdown() async throws {
        let server = try SFUServer(options: embeddedOptions())
        var events = server.events().makeAsyncIterator()
        let group = ServiceGroup(
            services: [server], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await server.waitUntilReady()
            #expect(server.boundAddresses != nil)
            try await server.createRoom(RoomOptions(id: 1))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await nextEvents(&events, count: 5).map(\.kind) == [.roomCreated])
        #expect(server.boundAddresses == nil)
        await #expect(throws: SFUError.notRunning) { try await server.listRooms() }
        await #expect(throws: SFUError.notRunning) { try await server.waitUntilReady() }
        await #expect(throws: SFUError.alreadyStarted) { try await server.run() }
        #expect(await server.respond(to: JanusHTTPRequest(method: "GET", path: "/janus/info")).status == 503)
    }

    @Test func aServerThatCannotBindThrowsFromRunAndFailsItsWaiters() async throws {
        let first = try SFUServer(options: embeddedOptions { $0.http = SFUOptions.Endpoint(host: "127.0.0.1", port: 0) })
        try await whileRunning([first]) {
            let port = try #require(first.boundAddresses?.httpPort)
            let second = try SFUServer(options: embeddedOptions { $0.http = SFUOptions.Endpoint(host: "127.0.0.1", port: port) })
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await second.waitUntilReady() }
                await #expect(throws: (any Error).self) { try await second.run() }
                await #expect(throws: SFUError.notRunning) { try await group.next() }
            }
            // The first one is untouched.
            #expect(try await first.listRooms().isEmpty)
        }
    }
}
