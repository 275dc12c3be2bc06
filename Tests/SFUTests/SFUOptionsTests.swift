import Testing

@testable import SFU

@Suite struct SFUOptionsTests {
    @Test func defaultsAreALoopbackServerWithJanusPorts() throws {
        let options = SFUOptions()
        #expect(options.http == SFUOptions.Endpoint(host: "127.0.0.1", port: 8088))
        #expect(options.webSocket == SFUOptions.Endpoint(host: "127.0.0.1", port: 8188))
        #expect(options.iceAddresses == ["127.0.0.1"])
        #expect(options.mediaPorts == 20000...20100)
        #expect(options.sessionTimeout == .seconds(60))
        #expect(options.rooms.map(\.room) == [1234])
        #expect(options.certificate == .generated)
        try options.validate()
    }

    @Test func optionsReachTheComponentConfigurations() {
        var options = SFUOptions()
        options.http = nil
        options.webSocket = SFUOptions.Endpoint(host: "::1", port: 0)
        options.sessionTimeout = .milliseconds(2500)
        options.limits.longPollHold = .seconds(5)
        options.limits.maxRequestBodySize = 4096
        options.apiSecret = "api"
        options.mediaPorts = 30000...30003
        options.mediaWorkers = 2
        options.advertisedAddresses = ["127.0.0.1": "198.51.100.7"]
        let janus = options.janusConfiguration
        #expect(janus.httpPort == nil)
        #expect(janus.wsHost == "::1" && janus.wsPort == 0)
        #expect(janus.sessionTimeout == 2.5)
        #expect(janus.longPollHold == 5)
        #expect(janus.maxRequestBodySize == 4096)
        #expect(janus.apiSecret == "api")
        let media = options.mediaConfiguration
        #expect(media.lowPort == 30000 && media.highPort == 30003 && media.workerCount == 2)
        #expect(media.advertisedAddresses == ["127.0.0.1": "198.51.100.7"])
    }

    @Test(arguments: [
        ("127.0.0.1:8088", "127.0.0.1", 8088),
        ("[::1]:0", "::1", 0),
        ("localhost:65535", "localhost", 65535),
    ])
    func endpointsParseAndPrintBack(text: String, host: String, port: Int) throws {
        let endpoint = try #require(SFUOptions.Endpoint(text))
        #expect(endpoint.host == host && endpoint.port == port)
        #expect(SFUOptions.Endpoint(endpoint.description) == endpoint)
    }

    @Test(arguments: ["8088", ":8088", "host:", "host:65536", "host:-1", "[]:80"])
    func malformedEndpointsAreRefused(text: String) {
        #expect(SFUOptions.Endpoint(text) == nil)
    }

    @Test func unworkableOptionsAreNamed() {
        var badPath = SFUOptions()
        badPath.basePath = "janus"
        var noAddress = SFUOptions()
        noAddress.iceAddresses = []
        var halfEphemeral = SFUOptions()
        halfEphemeral.mediaPorts = 0...10
        var negativeTimeout = SFUOptions()
        negativeTimeout.sessionTimeout = .seconds(-1)
        var noBuffer = SFUOptions()
        noBuffer.eventBufferSize = 0
        for (options, word) in [
            (badPath, "basePath"), (noAddress, "iceAddresses"), (halfEphemeral, "mediaPorts"),
            (negativeTimeout, "sessionTimeout"), (noBuffer, "eventBufferSize"),
        ] {
            #expect {
                try options.validate()
            } throws: { error in
                guard case SFUError.invalidOptions(let reason) = error else { return false }
                return reason.contains(word)
            }
            #expect(throws: SFUError.self) { try SFUServer(options: options) }
        }
    }

    @Test func roomOptionsBecomeTheCreateKeys() {
        var room = RoomOptions(id: 42, description: "twin")
        room.secret = "s"
        room.pin = "p"
        room.isPrivate = true
        room.maxPublishers = 4
        room.videoCodecs = ["vp8", "h264"]
        room.audioLevelEvents = true
        room.allowedTokens = ["a"]
        room.extra = ["bitrate_cap": true, "description": "override"]
        #expect(
            room.createBody == [
                "request": "create", "room": 42, "description": "override", "secret": "s", "pin": "p",
                "is_private": true, "publishers": 4, "videocodec": "vp8,h264", "audiolevel_event": true,
                "allowed": ["a"], "bitrate_cap": true,
            ])
        #expect(RoomOptions().createBody == ["request": "create"])
    }
}
