import Foundation
import ICE
import RTP
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// The m-lines of a simulcast publisher (three rid layers on one m-line, as janus.js
/// `simulcast: true` sends them) and of its subscriber, shared by the simulcast tests.
enum SimulcastStreams {
    static let room = RoomKey(77)
    static let ridURI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
    /// rids as the SDP lists them lowest first; SSRCs per layer (low, mid, high).
    static let rids = ["l", "m", "h"]
    static let layerSSRCs: [UInt32] = [0xC100_0001, 0xC100_0002, 0xC100_0003]
    static let subscriberSSRC: UInt32 = 0x5C00_0001

    static func publisherStreams() -> [StreamSetup] {
        var video = StreamSetup(
            mid: "v", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [], localSSRC: 0xDD00_0001,
            receives: true, sends: false,
            extensions: [StreamExtension(id: 9, uri: EngineTest.midURI), StreamExtension(id: 10, uri: ridURI)],
            codecName: "vp8")
        video.simulcastRIDs = rids
        return [video]
    }

    static func subscriberStreams(localSSRC: UInt32 = subscriberSSRC) -> [StreamSetup] {
        [StreamSetup(mid: "1", kind: .video, payloadType: 100, clockRate: 90_000, remoteSSRCs: [],
                     localSSRC: localSSRC, receives: false, sends: true,
                     extensions: [StreamExtension(id: 4, uri: EngineTest.midURI)], codecName: "vp8")]
    }
}
