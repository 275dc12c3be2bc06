import Testing

@testable import SFU

/// Token authentication from the library: tokens from the options and `addToken`, Janus clients
/// refused without one, the room API unaffected (it speaks with the embedder's authority).
@Suite struct SFUServerTokenTests {
    @Test func tokensFromOptionsAndTheLibraryGateJanusClients() async throws {
        let server = try SFUServer(options: embeddedOptions {
            $0.tokenAuth = true
            $0.tokens = ["preset"]
        })
        try await whileRunning([server]) {
            #expect(try await server.createRoom(RoomOptions(id: 8)) == 8)
            let refused = await EmbeddedJanusClient(server).post("/janus", ["janus": "create"])
            #expect(refused["error"]?["code"] == 403)
            let preset = await EmbeddedJanusClient(server).post("/janus", ["janus": "create", "token": "preset"])
            #expect(preset["janus"] == "success")
            #expect(try await server.addToken("echo-only", plugins: ["janus.plugin.echotest"]) == ["janus.plugin.echotest"])
            let listed = try await server.tokens()
            #expect(listed.map(\.token) == ["preset", "echo-only"])
            #expect(listed.first?.plugins.sorted() == ["janus.plugin.echotest", "janus.plugin.videoroom"])
            try await server.removeToken("preset")
            let removed = await EmbeddedJanusClient(server).post("/janus", ["janus": "create", "token": "preset"])
            #expect(removed["error"]?["code"] == 403)
        }
    }

    @Test func tokensWithoutTokenAuthAreAConfigurationError() {
        #expect(throws: SFUError.self) { try SFUServer(options: embeddedOptions { $0.tokens = ["x"] }) }
    }
}
