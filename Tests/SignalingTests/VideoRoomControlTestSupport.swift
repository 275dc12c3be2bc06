import Testing
@testable import Signaling

extension VideoRoomHarness {
    /// A joiner that lands in `room`'s lobby; returns its handle and the id it was given.
    func waitingJoiner(room: UInt64, display: String) async throws -> (VideoRoomTestClient, UInt64) {
        let client = try await client()
        let (data, _) = await client.request(
            ["request": "join", "ptype": "publisher", "room": .uint(room), "display": .string(display)])
        #expect(data["videoroom"] == "waiting", "\(data)")
        return (client, data["id"]?.uint64Value ?? 0)
    }
}
