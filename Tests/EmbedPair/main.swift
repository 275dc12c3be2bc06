import Foundation
import SFU

// sfu-embed-pair: two `SFUServer` instances in one process, for tests/e2e/test_embedding.py.
//
//     sfu-embed-pair --ice-address ADDR [--room ID]
//
// Both servers bind their Janus HTTP/WebSocket listeners and media sockets on ephemeral ports
// of the given address; server N creates room ID+N through the room API. Output, one line
// each: `ready N http=… ws=… media=… room=R` per server once ready;
// `event N {json}` for every event of server N; `stopped N` when server N's run() returned.
// Input: `stop N` stops server N; end of input stops both.

func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

var iceAddress = "127.0.0.1"
var roomID: UInt64 = 1000
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch (flag, arguments.popFirst()) {
    case ("--ice-address", let value?): iceAddress = value
    case ("--room", let value?): roomID = UInt64(value) ?? roomID
    default:
        FileHandle.standardError.write(Data("usage: sfu-embed-pair --ice-address ADDR [--room ID]\n".utf8))
        exit(64)
    }
}

var servers: [SFUServer] = []
for index in 1...2 {
    var options = SFUOptions()
    options.name = "server\(index)"
    options.http = SFUOptions.Endpoint(host: iceAddress, port: 0)
    options.webSocket = SFUOptions.Endpoint(host: iceAddress, port: 0)
    options.iceAddresses = [iceAddress]
    options.mediaPorts = 0...0
    options.mediaWorkers = 1
    options.sessionTimeout = .seconds(30)
    options.rooms = []
    servers.append(try SFUServer(options: options))
}
let pair = servers
let sharedRoomID = roomID

let commands = AsyncStream<String> { continuation in
    let reader = Thread {
        while let line = readLine() { continuation.yield(line.trimmingCharacters(in: .whitespaces)) }
        continuation.finish()
    }
    reader.start()
}

await withTaskGroup(of: Void.self) { group in
    for (offset, server) in pair.enumerated() {
        let number = offset + 1
        let events = server.events()
        group.addTask {
            for await event in events { emit("event \(number) \(JSONSerializer.string(event.json))") }
        }
        group.addTask {
            do {
                try await server.run()
            } catch {
                emit("failed \(number) \(error)")
            }
            emit("stopped \(number)")
        }
        group.addTask {
            do {
                let addresses = try await server.waitUntilReady()
                var room = RoomOptions(id: sharedRoomID + UInt64(number), description: "server \(number) room")
                room.maxPublishers = 6
                let id = try await server.createRoom(room)
                emit("ready \(number) \(addresses.summary) room=\(id)")
            } catch {
                emit("failed \(number) \(error)")
            }
        }
    }
    group.addTask {
        for await command in commands {
            let words = command.split(separator: " ")
            if words.count == 2, words[0] == "stop", let number = Int(words[1]), (1...pair.count).contains(number) {
                pair[number - 1].stop()
            }
        }
        for server in pair { server.stop() }
    }
}
