import DTLS
import Foundation
import ICE
import RTP
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// MediaEngine end to end with the Swift client peer: a transport consuming its own producers (the EchoTest).
@Suite(.serialized) struct EngineEchoTests {
    static let audioSSRC: UInt32 = 0x1111_0001
    static let videoSSRC: UInt32 = 0x1111_0002
    static let echoAudioSSRC: UInt32 = 0xE0E0_0001
    static let echoVideoSSRC: UInt32 = 0xE0E0_0002

    static var streams: [StreamSetup] {
        [
            StreamSetup(mid: "0", kind: .audio, payloadType: 111, clockRate: 48_000, remoteSSRCs: [audioSSRC],
                        localSSRC: echoAudioSSRC, receives: true, sends: true, codecName: "opus"),
            StreamSetup(mid: "1", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [videoSSRC],
                        localSSRC: echoVideoSSRC, receives: true, sends: true, codecName: "VP8"),
        ]
    }

    /// Sends `count` audio and video packets, `interval` apart.
    static func pump(_ peer: ConnectedPeer, audio: inout SyntheticStream, video: inout SyntheticStream, count: Int,
                     keyframeFirst: Bool = false, interval: Double = 0.005) async {
        for index in 0..<count {
            let audioPacket = audio.next()
            let videoPacket = video.next(keyframe: keyframeFirst && index == 0)
            peer.driver.withPeer { peer in
                peer.sendRTP(audioPacket)
                peer.sendRTP(videoPacket)
            }
            try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
        }
    }

    @Test(arguments: [DTLSRole.client, DTLSRole.server])
    func echoesWithLocalSSRCsAndContinuousSequenceNumbers(serverRole: DTLSRole) async throws {
        let engine = try EngineTest.makeEngine()
        defer { engine.shutdown() }
        let peer = try ConnectedPeer(
            engine: engine, streams: Self.streams, echo: true, serverRole: serverRole)
        defer { peer.driver.stop() }
        #expect(await peer.waitConnected())

        var audio = SyntheticStream(ssrc: Self.audioSSRC, payloadType: 111, isVideo: false)
        var video = SyntheticStream(ssrc: Self.videoSSRC, payloadType: 96, isVideo: true, firstSequenceNumber: 65_500)
        await Self.pump(peer, audio: &audio, video: &video, count: 60, keyframeFirst: true)
        #expect(await peer.driver.wait(timeout: 5) { record in
            record.rtp.filter { $0.ssrc == Self.echoAudioSSRC }.count == 60
                && record.rtp.filter { $0.ssrc == Self.echoVideoSSRC }.count == 60
        })
        let echoedAudio = peer.received(ssrc: Self.echoAudioSSRC)
        let echoedVideo = peer.received(ssrc: Self.echoVideoSSRC)
        #expect(echoedAudio.hasContinuousSequenceNumbers)
        #expect(echoedVideo.hasContinuousSequenceNumbers)  // across the 16-bit wrap
        #expect(echoedVideo.allSatisfy { $0.payloadType == 96 })
        #expect(echoedVideo.first.map { SyntheticStream.isKeyframe($0.payload) } == true)
        #expect(peer.received.allSatisfy { $0.ssrc == Self.echoAudioSSRC || $0.ssrc == Self.echoVideoSSRC })
        #expect(await EngineTest.eventually {
            peer.events.all.contains(.mediaReceiving(mid: "0", kind: .audio, receiving: true))
                && peer.events.all.contains(.mediaReceiving(mid: "1", kind: .video, receiving: true))
        })
        // Video m-line started: the server asked the peer for a keyframe.
        #expect(await peer.driver.wait(timeout: 2) { $0.pictureLossIndications(mediaSSRC: Self.videoSSRC) >= 1 })
        #expect(!peer.events.failed)
    }

    @Test func videoOffAndOnResumesWithPLIAndNoSequenceGap() async throws {
        let engine = try EngineTest.makeEngine()
        defer { engine.shutdown() }
        let peer = try ConnectedPeer(engine: engine, streams: Self.streams, echo: true)
        defer { peer.driver.stop() }
        #expect(await peer.waitConnected())
        var audio = SyntheticStream(ssrc: Self.audioSSRC, payloadType: 111, isVideo: false)
        var video = SyntheticStream(ssrc: Self.videoSSRC, payloadType: 96, isVideo: true)
        await Self.pump(peer, audio: &audio, video: &video, count: 20, keyframeFirst: true)
        #expect(await peer.driver.wait(timeout: 5) { $0.rtp.filter { $0.ssrc == Self.echoVideoSSRC }.count == 20 })

        engine.bindSubscriber(peer.allocation, bindings: SubscriberBinding.echo(of: peer.allocation, setup: peer.setup, video: false))
        await EngineTest.settle(0.4)  // also outlasts the keyframe-request throttle
        let lastVideo = peer.received(ssrc: Self.echoVideoSSRC).last
        let plisBefore = peer.driver.snapshot.pictureLossIndications(mediaSSRC: Self.videoSSRC)
        await Self.pump(peer, audio: &audio, video: &video, count: 20)
        #expect(await peer.driver.wait(timeout: 5) { $0.rtp.filter { $0.ssrc == Self.echoAudioSSRC }.count == 40 })
        await EngineTest.settle()
        #expect(peer.received(ssrc: Self.echoVideoSSRC).count == 20, "video is off: nothing echoed")

        engine.bindSubscriber(peer.allocation, bindings: SubscriberBinding.echo(of: peer.allocation, setup: peer.setup))
        #expect(await peer.driver.wait(timeout: 5) { $0.pictureLossIndications(mediaSSRC: Self.videoSSRC) > plisBefore })
        await Self.pump(peer, audio: &audio, video: &video, count: 20, keyframeFirst: true)
        #expect(await peer.driver.wait(timeout: 5) { $0.rtp.filter { $0.ssrc == Self.echoVideoSSRC }.count == 40 })
        let resumed = peer.received(ssrc: Self.echoVideoSSRC).dropFirst(20)
        #expect(resumed.first?.sequenceNumber == lastVideo.map { $0.sequenceNumber &+ 1 })
        #expect(Array(resumed).hasContinuousSequenceNumbers)
    }

    @Test func consentChecksKeepTheTransportAliveAndItsLossFailsIt() async throws {
        let engine = try EngineTest.makeEngine(consentTimeout: 1.5)
        defer { engine.shutdown() }
        let peer = try ConnectedPeer(
            engine: engine, streams: Self.streams, echo: true, consentIntervalMilliseconds: 300)
        #expect(await peer.waitConnected())
        await EngineTest.settle(2.5)  // longer than the consent timeout
        #expect(!peer.events.failed, "consent checks keep it alive")
        #expect(peer.driver.snapshot.failure == nil)
        peer.driver.stop()  // the peer vanishes without a word
        #expect(await EngineTest.eventually(timeout: 5) { peer.events.all.contains(.failed(reason: .iceFailed)) })
        #expect(await EngineTest.eventually { engine.statistics.transports == 0 })
    }

    @Test func answersANACKForAnEchoedPacketWithTheSamePayload() async throws {
        let engine = try EngineTest.makeEngine()
        defer { engine.shutdown() }
        let peer = try ConnectedPeer(engine: engine, streams: Self.streams, echo: true)
        defer { peer.driver.stop() }
        #expect(await peer.waitConnected())
        var audio = SyntheticStream(ssrc: Self.audioSSRC, payloadType: 111, isVideo: false)
        var video = SyntheticStream(ssrc: Self.videoSSRC, payloadType: 96, isVideo: true)
        await Self.pump(peer, audio: &audio, video: &video, count: 10, keyframeFirst: true)
        #expect(await peer.driver.wait(timeout: 5) { $0.rtp.filter { $0.ssrc == Self.echoVideoSSRC }.count == 10 })
        let base = peer.received(ssrc: Self.echoVideoSSRC).last?.sequenceNumber ?? 0
        // Lose the echoes of the 5th and 6th next video packets on their way to the peer.
        let lost: Set<UInt16> = [base &+ 5, base &+ 6]
        let dropOnce = DropSet(lost)
        peer.driver.withPeer { peer in
            peer.dropIncoming = { info in
                if case .rtp(let ssrc, let sequenceNumber, _) = info, ssrc == Self.echoVideoSSRC {
                    return dropOnce.take(sequenceNumber)
                }
                return false
            }
        }
        await Self.pump(peer, audio: &audio, video: &video, count: 10)
        #expect(await peer.driver.wait(timeout: 5) { $0.rtp.filter { $0.ssrc == Self.echoVideoSSRC }.count == 18 })
        #expect(peer.driver.snapshot.statistics.droppedIncoming == 2)
        peer.driver.withPeer { $0.sendNACK(senderSSRC: Self.videoSSRC, mediaSSRC: Self.echoVideoSSRC, lost: Array(lost).sorted()) }
        #expect(await peer.driver.wait(timeout: 5) { $0.rtp.filter { $0.ssrc == Self.echoVideoSSRC }.count == 20 })
        let video20 = peer.received(ssrc: Self.echoVideoSSRC)
        let retransmitted = video20.suffix(2)
        #expect(Set(retransmitted.map(\.sequenceNumber)) == lost)
        for packet in retransmitted {
            // Our payload ends with the original SSRC and sequence number: base+5 echoes 1000+10+4.
            let original = UInt16(1000 + 10 + Int(packet.sequenceNumber &- base) - 1)
            #expect(packet.payload.suffix(2) == withUnsafeBytes(of: original.bigEndian, Array.init))
        }
    }
}

/// Sequence numbers to drop once each (loss injection hooks run on the driver thread).
final class DropSet: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: Set<UInt16>
    init(_ numbers: Set<UInt16>) { pending = numbers }
    func take(_ number: UInt16) -> Bool { lock.withLock { pending.remove(number) != nil } }
}
