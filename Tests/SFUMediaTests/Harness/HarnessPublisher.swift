import RTP
import SFUBase
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// A media source on a harness peer: synthetic audio and VP8-like video (see `SyntheticStream`),
/// one packet of each per `frame()`, a keyframe first and whenever the server sent a PLI for
/// the video SSRC since the last frame. Video packets can be padded to a size, to load a link.
final class HarnessPublisher: @unchecked Sendable {
    let peer: HarnessPeer
    private(set) var audio: SyntheticStream
    private(set) var video: SyntheticStream
    private var answeredPLIs = 0
    private var started: Bool
    /// RFC 6464 level (0 loudest … 127 silence) in the audio packets.
    var audioLevel: UInt8 = 127
    /// Extra payload bytes in each video packet.
    var videoPadding = 0
    /// Payloads sent, by (SSRC, sequence number).
    private(set) var sent: [UInt32: [UInt16: [UInt8]]] = [:]

    /// `startWithKeyframe` false: video starts with delta frames (a keyframe only on request).
    init(peer: HarnessPeer, audioSSRC: UInt32, videoSSRC: UInt32, startWithKeyframe: Bool = true,
         firstVideoSequenceNumber: UInt16 = 20_000, firstAudioSequenceNumber: UInt16 = 3000,
         firstVideoTimestamp: UInt32 = 1_000_000) {
        self.peer = peer
        started = !startWithKeyframe
        audio = SyntheticStream(ssrc: audioSSRC, payloadType: 111, isVideo: false, firstSequenceNumber: firstAudioSequenceNumber)
        video = SyntheticStream(ssrc: videoSSRC, payloadType: 96, isVideo: true, firstSequenceNumber: firstVideoSequenceNumber,
                                firstTimestamp: firstVideoTimestamp)
    }

    /// Sends one audio and one video packet.
    func frame(audio sendAudio: Bool = true) {
        let plis = peer.pictureLossIndications(mediaSSRC: video.ssrc)
        let keyframe = !started || plis > answeredPLIs
        answeredPLIs = plis
        started = true
        audio.extensions = [(id: 1, value: [0x80 | audioLevel]), (id: 9, value: Array("a".utf8))]
        video.extensions = [(id: 9, value: Array("v".utf8))]
        var packets = [video.next(keyframe: keyframe)]
        if videoPadding > 0 { packets[0].payload += [UInt8](repeating: 0xEE, count: videoPadding) }
        if sendAudio { packets.append(audio.next()) }
        for packet in packets {
            sent[packet.ssrc, default: [:]][packet.sequenceNumber] = packet.payload
            peer.peer.sendRTP(packet)
        }
    }

    func payload(ssrc: UInt32, sequenceNumber: UInt16) -> [UInt8]? { sent[ssrc]?[sequenceNumber] }

    /// The video sequence number `ahead` packets from now.
    func videoSequenceAhead(_ ahead: UInt16) -> UInt16 { video.sequenceNumber &+ ahead }

    var videoSSRC: UInt32 { video.ssrc }
    var audioSSRC: UInt32 { audio.ssrc }
    var videoPacketsSent: Int { sent[video.ssrc]?.count ?? 0 }
}
