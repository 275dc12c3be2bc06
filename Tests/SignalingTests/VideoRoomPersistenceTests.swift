import Foundation
import Testing
@testable import Signaling

/// `permanent: true` rooms survive a plugin restart through the rooms file.
@Suite struct VideoRoomPersistenceTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("videoroom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func permanentRoomsSurviveARestart() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rooms.json").path
        do {
            let harness = VideoRoomHarness { $0.roomsFile = path }
            let admin = try await harness.client()
            let (created, _) = await admin.request([
                "request": "create", "room": 700, "permanent": true, "description": "kept", "secret": "s",
                "pin": "p", "publishers": 9, "videocodec": "vp9,vp8", "audiolevel_event": true, "allowed": ["tok"],
            ])
            #expect(created == ["videoroom": "created", "room": 700, "permanent": true])
            await admin.request(["request": "create", "room": 701, "description": "temporary"])
            await admin.request(["request": "create", "room": 702, "permanent": true])
            let (edited, _) = await admin.request(
                ["request": "edit", "room": 700, "secret": "s", "new_description": "kept and edited", "permanent": true])
            #expect(edited["permanent"] == true)
            let (destroyed, _) = await admin.request(["request": "destroy", "room": 702, "permanent": true])
            #expect(destroyed["permanent"] == true)
        }
        // Only the file remains in the directory: temporary files were renamed over it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["rooms.json"])

        let restarted = VideoRoomHarness { $0.roomsFile = path }
        let admin = try await restarted.client()
        let (list, _) = await admin.request(["request": "list"])
        let rooms = list["list"]?.arrayValue ?? []
        #expect(rooms.map { $0["room"] } == [700, 1234])
        let kept = rooms.first
        #expect(kept?["description"] == "kept and edited")
        #expect(kept?["pin_required"] == true)
        #expect(kept?["max_publishers"] == 9)
        #expect(kept?["videocodec"] == "vp9,vp8")
        #expect(kept?["audiolevel_event"] == true)
        // The secret and ACL came back too.
        let (wrong, _) = await admin.request(["request": "edit", "room": 700, "secret": "x"])
        #expect(wrong.errorCode == 433)
        let joiner = try await restarted.client()
        let (refused, _) = await joiner.request(["request": "join", "ptype": "publisher", "room": 700, "pin": "p"])
        #expect(refused.errorText == "Unauthorized (not in the allowed list)")
    }

    @Test func unreadableFileStartsWithConfiguredRoomsOnly() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rooms.json").path
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        let harness = VideoRoomHarness { $0.roomsFile = path }
        let admin = try await harness.client()
        let (list, _) = await admin.request(["request": "list"])
        #expect(list["list"]?.arrayValue?.map { $0["room"] } == [1234])
    }
}
