import DTLS
import ICE
import RTP
import SDPTestFixtures
import Testing
import WebRTCPeer

@testable import SFU

/// The typed events of one real publisher (the Swift client peer from `WebRTCPeer`, speaking
/// ICE, DTLS and SRTP to the server over loopback) come in the order things happen on the wire.
@Suite(.timeLimit(.minutes(1))) struct SFUEventOrderTests {
    /// aiortc's captured offer with our peer's ICE credentials and certificate fingerprint.
    static func offer(credentials: ICECredentials, fingerprint: DTLSFingerprint) -> String {
        SDPFixtures.aiortc
            .replacingOccurrences(of: "a=ice-ufrag:92nJ", with: "a=ice-ufrag:\(credentials.ufrag)")
            .replacingOccurrences(of: "a=ice-pwd:PILr0OyDx6SmeAeDuyfR0T", with: "a=ice-pwd:\(credentials.pwd)")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("a=fingerprint:sha-384") && !$0.hasPrefix("a=fingerprint:sha-512") }
            .map { $0.hasPrefix("a=fingerprint:sha-256") ? "a=fingerprint:\(fingerprint.sdpValue)" : String($0) }
            .joined(separator: "\n")
    }

    /// The value of the first `a=<name>:` line.
    static func attribute(_ name: String, in sdp: String) -> String? {
        sdp.split(whereSeparator: \.isNewline).first { $0.hasPrefix("a=\(name):") }
            .map { String($0.dropFirst(name.count + 3)) }
    }

    @Test func aPublisherJoinsPublishesSendsAndLeavesInOrder() async throws {
        let server = try SFUServer(options: embeddedOptions())
        var events = server.events().makeAsyncIterator()
        try await whileRunning([server]) {
            try await server.createRoom(RoomOptions(id: 5, description: "order"))
            var client = EmbeddedJanusClient(server)
            try await client.createSession()
            let handle = try await client.attachVideoRoom()
            _ = await client.message(handle, ["request": "join", "ptype": "publisher", "room": 5, "display": "swift"])
            let joined = try #require(await client.waitForPluginEvent { $0["videoroom"] == "joined" })
            let id = try #require(joined["id"]?.uint64Value)

            let certificate = try DTLSCertificate.generateSelfSigned(commonName: "sfu-test-peer")
            let credentials = ICECredentials.random()
            let offer = Self.offer(credentials: credentials, fingerprint: certificate.fingerprint)
            _ = await client.post(
                "/janus/\(client.session)/\(handle)",
                ["janus": "message", "body": ["request": "publish"], "jsep": ["type": "offer", "sdp": .string(offer)]])
            var answer: String?
            for _ in 0..<20 where answer == nil {
                for event in await client.poll() where event["jsep"]?["type"] == "answer" {
                    answer = event["jsep"]?["sdp"]?.stringValue
                }
            }
            let sdp = try #require(answer)
            let ufrag = try #require(Self.attribute("ice-ufrag", in: sdp))
            let pwd = try #require(Self.attribute("ice-pwd", in: sdp))
            let remote = ICECredentials(ufrag: ufrag, pwd: pwd)
            let fingerprint = try #require(Self.attribute("fingerprint", in: sdp).flatMap(DTLSFingerprint.init(sdpValue:)))
            let candidate = try #require(Self.attribute("candidate", in: sdp)).split(separator: " ")
            let port = try #require(UInt16(candidate[5]))
            let address = try #require(TransportAddress(String(candidate[4]), port: port))
            let serverIsClient = Self.attribute("setup", in: sdp) == "active"
            let driver = try ClientPeerDriver(
                configuration: ClientPeerConfiguration(
                    localCredentials: credentials, remoteCredentials: remote, remoteFingerprint: fingerprint,
                    dtlsRole: serverIsClient ? .server : .client, certificate: certificate),
                remote: address)
            driver.start()
            defer { driver.stop() }
            #expect(await driver.wait(timeout: 10) { $0.connected })
            // Opus on mid "0" (the offer's payload type 96, its SSRC and its mid extension id 1).
            for sequence in UInt16(1)...50 {
                var packet = RTPPacketBuilder(
                    payloadType: 96, sequenceNumber: sequence, timestamp: UInt32(sequence) * 960, ssrc: 1_584_459_785,
                    payload: [0xFC, 0xFF, 0xFE])
                packet.extensions = [(id: 1, value: Array("0".utf8))]
                _ = driver.withPeer { $0.sendRTP(packet) }
                try await Task.sleep(for: .milliseconds(10))
            }
            _ = await client.message(handle, ["request": "leave"])
            var kinds: [SFUEvent.Kind] = []
            while !kinds.contains(.participantLeft(.left)), let event = await events.next() {
                if event.participant == id || event.participant == nil { kinds.append(event.kind) }
            }
            // This test sends from a task: on a loaded machine a pause in its own sending can
            // outlast the 1 s no-media timer, a real mediaDown/mediaUp flap of the test's sender,
            // not an ordering fault; such pairs are folded before the order is checked.
            var folded: [SFUEvent.Kind] = []
            for kind in kinds {
                if case .mediaUp(let mid, let media) = kind, case .mediaDown(mid, media)? = folded.last {
                    folded.removeLast()
                } else {
                    folded.append(kind)
                }
            }
            kinds = folded
            let streams: [VideoRoomEvent.Stream] = [
                .init(mid: "0", kind: .audio, codec: "opus", description: nil),
                .init(mid: "1", kind: .video, codec: "vp8", description: nil),
            ]
            #expect(
                kinds == [
                    .roomCreated, .participantJoined, .webrtcUp, .publishingStarted(streams: streams),
                    .mediaUp(mid: "0", kind: .audio), .publishingStopped, .participantLeft(.left),
                ])
        }
    }
}
