import Dispatch
import FuzzMedia
import FuzzSupport
import Logging
import SFUMedia
import Signaling

// The VideoRoom plugin fed random request sequences: a fresh plugin per input (small room and
// participant limits, so the limits' paths are reached) on one shared media engine bound to
// loopback, four handles, and a sequence of `message` requests decoded at the plugin's edge
// (typed requests) and run by the room cores — with a publisher offer, an answer to the last
// offer the handle got, a trickle, a hangup or the handle's destruction in between.
//
// Room and participant ids are chosen by the server (or are large), so a small "room" (0…7)
// becomes the n-th room known (1234 or created), and a small "feed"/"id"/"publisher_id" the n-th
// participant id seen in a `joined`/`event` so far: the fuzzer reaches subscriptions and
// moderation. Input: control byte, then parts separated by "FUZZ"; a part's first byte picks the
// handle (bits 0–1) and the operation (bits 2–4), the rest is the JSON body.

/// A browser's publisher offer (audio + video, BUNDLE, rtcp-mux), enough for the room to answer.
private let offer = [
    "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
    "a=msid-semantic: WMS s", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:fuzz", "a=ice-pwd:fuzzfuzzfuzzfuzzfuzzfuzz", "a=ice-options:trickle",
    "a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08",
    "a=setup:actpass", "a=mid:0", "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=sendonly", "a=msid:s a",
    "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=ssrc:1001 cname:c",
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:fuzz",
    "a=ice-pwd:fuzzfuzzfuzzfuzzfuzzfuzz", "a=ice-options:trickle",
    "a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08",
    "a=setup:actpass", "a=mid:1", "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=sendonly", "a=msid:s v",
    "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli",
    "a=rtcp-fb:96 ccm fir", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "a=ssrc-group:FID 2001 2002",
    "a=ssrc:2001 cname:c", "a=ssrc:2002 cname:c", "",
].joined(separator: "\r\n")

/// The answer a browser would give to a server offer: directions mirrored, DTLS active.
private func answer(to offer: String) -> String {
    offer.replacing("a=setup:actpass", with: "a=setup:active")
        .replacing("a=sendonly", with: "a=recvonly")
        .replacing("a=ice-lite\r\n", with: "")
}

/// What the handles have seen: ids to substitute and the last offer each got.
private final class Seen: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var participants: [UInt64] = []
    private var offers: [UInt64: String] = [:]

    func record(handle: UInt64, _ event: PluginEvent) {
        guard case .event(_, let data, let jsep) = event else { return }
        lock.wait()
        defer { lock.signal() }
        for key in ["id", "feed"] {
            if let id = data[key]?.uint64Value, id > 7, !participants.contains(id) { participants.append(id) }
        }
        if let jsep, jsep.type == .offer { offers[handle] = jsep.sdp }
    }

    func participant(_ n: Int) -> UInt64? {
        lock.wait()
        defer { lock.signal() }
        return participants.isEmpty ? nil : participants[n % participants.count]
    }

    func lastOffer(_ handle: UInt64) -> String? {
        lock.wait()
        defer { lock.signal() }
        return offers[handle]
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let engine = fuzzLoopbackEngine else { return 0 }
    var input = FuzzInput(data, size)
    let control = input.byte()
    let parts = input.restSplit().prefix(32).map { Array($0) }
    var configuration = VideoRoomConfiguration(adminKey: control & 1 != 0 ? "adm" : nil)
    configuration.maxRooms = Int(control >> 1 & 3) + 2
    configuration.maxParticipantsPerRoom = Int(control >> 3 & 3) + 2
    let plugin = VideoRoomPlugin(media: engine, configuration: configuration, logger: fuzzLogger)
    runBlocking {
        let seen = Seen()
        var rooms: [UInt64] = [1234]
        var handles: [(id: UInt64, session: (any JanusPluginSession)?)] = []
        for id in UInt64(1)...4 {
            let context = PluginHandleContext(sessionID: 1, handleID: id, opaqueID: nil) { event in
                seen.record(handle: id, event)
                blackHole(event)
            }
            handles.append((id, try? await plugin.attach(context: context)))
        }
        for (index, part) in parts.enumerated() {
            guard let selector = part.first else { continue }
            let slot = Int(selector & 3)
            guard let session = handles[slot].session else { continue }
            let handleID = handles[slot].id
            let body = (try? JSONParser.parse(Array(part.dropFirst())))?.objectValue ?? [:]
            let request = substitute(body, rooms: rooms, seen: seen)
            let transaction = "t\(index)"
            switch selector >> 2 & 7 {
            case 1:
                record(await session.handleMessage(transaction: transaction, body: request, jsep: JSEP(type: .offer, sdp: offer)), &rooms)
            case 2:
                let sdp = seen.lastOffer(handleID).map(answer(to:)) ?? offer
                record(await session.handleMessage(transaction: transaction, body: request, jsep: JSEP(type: .answer, sdp: sdp)), &rooms)
            case 3:
                await session.handleTrickle(
                    candidates: [TrickleCandidate(candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0", sdpMLineIndex: 0)],
                    completed: selector & 0x20 != 0)
            case 4:
                await session.hangup(reason: "fuzz")
            case 5:
                await session.destroy()
                handles[slot].session = nil
            default:
                record(await session.handleMessage(transaction: transaction, body: request, jsep: nil), &rooms)
            }
        }
        for handle in handles { await handle.session?.destroy() }
        blackHole(await plugin.statistics())
    }
    return 0
}

private func record(_ result: PluginMessageResult, _ rooms: inout [UInt64]) {
    guard case .success(let data) = result else {
        blackHole(result)
        return
    }
    if data["videoroom"]?.stringValue == "created", let room = data["room"]?.uint64Value, !rooms.contains(room) {
        rooms.append(room)
    }
    blackHole(JSONSerializer.serialize(.object(data)))
}

private func substitute(_ body: JSONObject, rooms: [UInt64], seen: Seen) -> JSONObject {
    var body = body
    if let n = body["room"]?.int64Value, (0..<8).contains(n) {
        body["room"] = .int(Int64(rooms[Int(n) % rooms.count]))
    }
    for key in ["feed", "id", "publisher_id"] {
        if let n = body[key]?.int64Value, (0..<8).contains(n), let id = seen.participant(Int(n)) {
            body[key] = .int(Int64(id))
        }
    }
    if case .array(let streams)? = body["streams"] {
        body["streams"] = .array(streams.map { stream in
            guard case .object(var object) = stream, let n = object["feed"]?.int64Value, (0..<8).contains(n),
                let id = seen.participant(Int(n))
            else { return stream }
            object["feed"] = .int(Int64(id))
            return .object(object)
        })
    }
    return body
}

/// Seeds: a publisher joining and publishing, a subscriber taking its feed and answering, room
/// management, moderation and the limits.
private func seeds() -> [(name: String, bytes: [UInt8])] {
    func sequence(_ control: UInt8, _ steps: [(UInt8, String)]) -> [UInt8] {
        var bytes: [UInt8] = [control]
        for (index, step) in steps.enumerated() {
            if index > 0 { bytes += Array("FUZZ".utf8) }
            bytes += [step.0] + Array(step.1.utf8)
        }
        return bytes
    }
    return [
        ("publish-subscribe", sequence(0, [
            (0, #"{"request":"join","ptype":"publisher","room":0,"display":"a"}"#),
            (4, #"{"request":"configure","audio":true,"video":true}"#),
            (1, #"{"request":"join","ptype":"subscriber","room":0,"streams":[{"feed":0}]}"#),
            (9, #"{"request":"start"}"#),
            (1, #"{"request":"configure","streams":[{"mid":"0","send":false}]}"#),
            (0, #"{"request":"unpublish"}"#),
            (0, #"{"request":"leave"}"#),
        ])),
        ("rooms-and-limits", sequence(0x06, [
            (0, #"{"request":"create","room":4321,"publishers":2}"#),
            (0, #"{"request":"create","room":4322}"#),
            (0, #"{"request":"create"}"#),
            (1, #"{"request":"join","ptype":"publisher","room":1}"#),
            (2, #"{"request":"join","ptype":"publisher","room":1}"#),
            (3, #"{"request":"join","ptype":"subscriber","room":1,"streams":[]}"#),
            (0, #"{"request":"listparticipants","room":1}"#),
            (0, #"{"request":"kick","room":1,"id":0}"#),
            (0, #"{"request":"destroy","room":1}"#),
        ])),
        ("trickle-hangup", sequence(0, [
            (0, #"{"request":"joinandconfigure","ptype":"publisher","room":0}"#),
            (12, "{}"), (16, "{}"), (20, "{}"),
            (0, #"{"request":"list"}"#),
        ])),
    ]
}

@main struct Main {
    static func main() {
        FuzzSeeds.writeIfRequested(seeds())
        runFuzzer(fuzz)
    }
}
