import DTLS
import Testing

@testable import SFU

/// The support bundle: every section there, and no configured secret, room secret or pin,
/// token or private key anywhere in it (log lines included).
@Suite(.timeLimit(.minutes(1))) struct SFUSupportBundleTests {
    @Test func noSecretAppearsAnywhere() async throws {
        let identity = try DTLSCertificate.generateSelfSigned(commonName: "bundle-test")
        let ring = LogRing(capacity: 50)
        let server = try SFUServer(options: embeddedOptions {
            $0.apiSecret = "api-SECRET-1"
            $0.adminSecret = "admin-SECRET-2"
            $0.adminKey = "key-SECRET-3"
            $0.tokenAuth = true
            $0.tokens = ["tok-SECRET-4"]
            $0.certificate = .pem(certificate: identity.pemCertificate, privateKey: identity.pemPrivateKey)
            $0.iceAddresses = ["127.0.0.1"]
            $0.logRing = ring
            $0.logLevelControl = LogLevelControl(.debug)
        })
        try await whileRunning([server]) {
            var room = RoomOptions(id: 4242)
            room.description = "family"
            room.secret = "room-SECRET-5"
            room.pin = "pin-SECRET-6"
            room.moderatorSecret = "mod-SECRET-7"
            room.allowedTokens = ["acl-SECRET-8"]
            room.isPrivate = true
            try await server.createRoom(room)
            try await server.addToken("tok-SECRET-9")
            var client = EmbeddedJanusClient(server, apiSecret: "api-SECRET-1")
            try await client.createSession()
            _ = try await client.attachVideoRoom()
            // A log line that would leak if the bundle did not scrub its strings.
            ring.append("debug test: joined room with pin pin-SECRET-6 and token tok-SECRET-9")

            let bundle = try await server.supportBundle()
            let text = JSONSerializer.string(.object(bundle))
            let keyLines = identity.pemPrivateKey.split(separator: "\n").filter { !$0.hasPrefix("-----") }
            let secrets = [
                "api-SECRET-1", "admin-SECRET-2", "key-SECRET-3", "tok-SECRET-4", "room-SECRET-5", "pin-SECRET-6",
                "mod-SECRET-7", "acl-SECRET-8", "tok-SECRET-9",
            ] + keyLines.map(String.init)
            for secret in secrets { #expect(!text.contains(secret), "\(secret) leaked") }
            #expect(!text.contains("SECRET"))

            #expect(Set(bundle.keys) == [
                "format", "version", "host", "configuration", "uptime_seconds", "counters", "rooms", "sessions",
                "peerconnections", "log",
            ])
            #expect(bundle["configuration"]?["apiSecret"] == "<redacted>")
            #expect(bundle["configuration"]?["certificate"]?["privateKey"] == "<redacted>")
            #expect(bundle["configuration"]?["iceAddresses"] == ["127.0.0.x"])
            #expect(bundle["host"]?["cores"]?.int64Value ?? 0 >= 1)
            // The private room is listed (the bundle asks with the admin key), without its secrets.
            #expect(bundle["rooms"]?.arrayValue?.contains { $0["room"]?.uint64Value == 4242 } == true)
            #expect(bundle["sessions"]?.arrayValue?.count == 2)  // the client's and the room API's
            #expect(bundle["log"]?.arrayValue?.last == "debug test: joined room with pin <redacted> and token <redacted>")
        }
    }

    @Test func addressesAreMasked() {
        #expect(SFUSupportBundle.mask("203.0.113.77") == "203.0.113.x")
        #expect(SFUSupportBundle.mask("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2:x:x:x:x")
    }
}
