import DTLS
import ICE
import Testing

@testable import MediaCore
@testable import SFUMedia

/// A peer whose DTLS certificate does not match the fingerprint of its SDP: the server refuses
/// the keys, reports the failure (Janus hangup "DTLS error") and other PeerConnections carry on.
@Suite(.serialized) struct EngineDTLSFailureTests {
    @Test(arguments: [DTLSRole.client, DTLSRole.server])
    func fingerprintMismatchFailsOnlyThatTransport(serverRole: DTLSRole) async throws {
        let engine = try EngineTest.makeEngine()
        defer { engine.shutdown() }
        let healthy = try ConnectedPeer(
            engine: engine, streams: EngineEchoTests.streams, echo: true)
        #expect(await healthy.waitConnected())

        let stranger = try DTLSCertificate.generateSelfSigned(commonName: "not-the-peer")
        let impostor = try ConnectedPeer(
            engine: engine, streams: EngineEchoTests.streams, echo: true,
            serverRole: serverRole, expectedPeerFingerprint: stranger.fingerprint)
        #expect(await EngineTest.eventually(timeout: 10) { impostor.events.failed })
        #expect(!impostor.events.connected, "no keys for a certificate the SDP did not announce")
        #expect(impostor.events.all.contains(.failed(reason: .dtlsError)))

        // The healthy PeerConnection still echoes.
        var audio = SyntheticStream(ssrc: EngineEchoTests.audioSSRC, payloadType: 111, isVideo: false)
        var video = SyntheticStream(ssrc: EngineEchoTests.videoSSRC, payloadType: 96, isVideo: true)
        await EngineEchoTests.pump(healthy, audio: &audio, video: &video, count: 20, keyframeFirst: true)
        #expect(await EngineTest.eventually { !healthy.received(ssrc: EngineEchoTests.echoAudioSSRC).isEmpty })
        #expect(!healthy.events.failed)
        healthy.driver.stop()
        impostor.driver.stop()
    }
}
