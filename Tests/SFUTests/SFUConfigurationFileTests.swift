import Foundation
import Testing

@testable import SFU

/// The sidecar's JSON config file: embedded defaults, round trip, and its translation to options.
@Suite struct SFUConfigurationFileTests {
    static func decode(_ json: String) throws -> SFUConfigurationFile {
        try JSONDecoder().decode(SFUConfigurationFile.self, from: Data(json.utf8))
    }

    @Test func anEmptyFileIsTheEmbeddedDefaults() throws {
        #expect(try Self.decode("{}") == SFUConfigurationFile())
        let defaults = SFUConfigurationFile()
        #expect(defaults.http == "127.0.0.1:8088" && defaults.ws == "127.0.0.1:8188")
        #expect(defaults.mediaPorts == "20000-20100" && defaults.sessionTimeout == 60 && defaults.logLevel == "info")
    }

    @Test func printedConfigurationReadsBackTheSame() throws {
        var configuration = SFUConfigurationFile()
        configuration.http = "off"
        configuration.iceAddresses = ["127.0.0.1", "::1"]
        configuration.natMapping = ["127.0.0.1": "203.0.113.9"]
        configuration.mediaPorts = "30000-30010"
        configuration.workers = 3
        configuration.roomPlacement = "together"
        configuration.udpGSO = false
        configuration.sessionTimeout = 12.5
        configuration.certificateFile = "/etc/sfu/cert.pem"
        configuration.privateKeyFile = "/etc/sfu/key.pem"
        configuration.adminKey = "k"
        configuration.roomsFile = "/var/lib/sfu/rooms.json"
        #expect(try Self.decode(configuration.json()) == configuration)
        #expect(configuration.json().contains("\"mediaPorts\" : \"30000-30010\""))
    }

    @Test func limitsReachTheOptions() throws {
        let configuration = try Self.decode(
            #"{"maxWebSocketQueuedBytes": 1048576, "eventQueueCapacity": 50, "maxRequestsPerSecond": 0, "maxConnections": 10, "maxSessions": 4, "maxHandlesPerSession": 2, "maxRooms": 3, "maxParticipantsPerRoom": 7}"#)
        #expect(try Self.decode(configuration.json()) == configuration)
        let limits = try configuration.options().limits
        #expect(limits.maxWebSocketQueuedBytes == 1 << 20 && limits.eventQueueCapacity == 50)
        #expect(limits.maxRequestsPerSecond == 0 && limits.maxConnections == 10 && limits.maxSessions == 4)
        #expect(limits.maxHandlesPerSession == 2 && limits.maxRooms == 3 && limits.maxParticipantsPerRoom == 7)
        let janus = try configuration.options().janusConfiguration
        #expect(janus.maxWebSocketQueuedBytes == 1 << 20 && janus.maxSessions == 4 && janus.maxConnections == 10)
        // The defaults: 8 MiB a WebSocket, limits on everything.
        let defaults = SFUOptions.Limits()
        #expect(defaults.maxWebSocketQueuedBytes == 8 << 20 && defaults.maxRequestsPerSecond == 1000)
        #expect(throws: SFUError.self) { try Self.decode(#"{"maxSessions": -1}"#).options() }
    }

    @Test func partialFilesKeepTheOtherDefaults() throws {
        let configuration = try Self.decode(#"{"ws": "off", "workers": 2, "adminKey": "k"}"#)
        #expect(configuration.ws == "off" && configuration.workers == 2 && configuration.adminKey == "k")
        #expect(configuration.http == "127.0.0.1:8088" && configuration.basePath == "/janus")
    }

    @Test func placementAndGSOReachTheMediaPlane() throws {
        let options = try Self.decode(#"{"roomPlacement": "together", "udpGSO": false}"#).options()
        #expect(options.roomPlacement == .together && !options.udpGSO)
        let defaults = try Self.decode("{}").options()
        #expect(defaults.roomPlacement == .spread && defaults.udpGSO)
    }

    @Test func webClientIsBuiltinOffOrADirectory() throws {
        #expect(SFUConfigurationFile().webClient == "builtin")
        #expect(try Self.decode("{}").options(builtinWebClient: "/tmp").webClientDirectory == "/tmp")
        #expect(try Self.decode("{}").options(builtinWebClient: nil).webClientDirectory == nil)
        #expect(try Self.decode(#"{"webClient": "off"}"#).options(builtinWebClient: "/tmp").webClientDirectory == nil)
        #expect(try Self.decode(#"{"webClient": "/"}"#).options().webClientDirectory == "/")
        #expect(throws: SFUError.self) { try Self.decode(#"{"webClient": "/no/such/dir"}"#).options() }
        #expect(throws: SFUError.self) { try Self.decode(#"{"webClient": ""}"#).options() }
    }

    @Test func wrongTypesAreDecodingErrors() {
        #expect(throws: DecodingError.self) { try Self.decode(#"{"workers": "two"}"#) }
    }

    @Test func theFileBecomesOptions() throws {
        let configuration = try Self.decode(
            #"{"http": "[::1]:9000", "ws": "off", "mediaPorts": "30000-30003", "sessionTimeout": 2.5,"#
                + #" "certificateFile": "c.pem", "privateKeyFile": "k.pem", "natMapping": {"127.0.0.1": "203.0.113.9"}}"#)
        let options = try configuration.options(detectedAddresses: { ["10.9.8.7"] })
        #expect(options.http == SFUOptions.Endpoint(host: "::1", port: 9000))
        #expect(options.webSocket == nil)
        #expect(options.mediaPorts == 30000...30003)
        #expect(options.sessionTimeout == .milliseconds(2500))
        #expect(options.iceAddresses == ["10.9.8.7"])
        #expect(options.advertisedAddresses == ["127.0.0.1": "203.0.113.9"])
        #expect(options.certificate == .files(certificate: "c.pem", privateKey: "k.pem"))
        var named = configuration
        named.iceAddresses = ["127.0.0.1"]
        #expect(try named.options(detectedAddresses: { ["unused"] }).iceAddresses == ["127.0.0.1"])
    }

    @Test(arguments: [
        (#"{"mediaPorts": "9-1"}"#, "media ports"),
        (#"{"http": "nowhere"}"#, "--http"),
        (#"{"logLevel": "loud"}"#, "log level"),
        (#"{"workers": -1}"#, "workers"),
        (#"{"roomPlacement": "anywhere"}"#, "roomPlacement"),
        (#"{"sessionTimeout": -3}"#, "session timeout"),
        (#"{"basePath": "janus"}"#, "basePath"),
        (#"{"certificateFile": "c.pem"}"#, "privateKeyFile"),
    ])
    func badValuesAreNamed(json: String, word: String) throws {
        let configuration = try Self.decode(json)
        #expect {
            _ = try configuration.options()
        } throws: { error in
            guard case SFUError.invalidOptions(let reason) = error else { return false }
            return reason.contains(word)
        }
    }
}
