import DTLS
import Foundation
import ICE
import RTP
import SFUMedia
import WebRTCPeer

/// The whole run: signalling through the Janus API (one session, a handle per peer), peers on
/// the media loops, the measured window, the report. Runs on the main thread, blocking.
final class LoadRun {
    let options: LoadOptions
    let janus: any JanusClient
    let certificate: DTLSCertificate
    /// Publishers on a thread of their own, so their pacing and send stamps stay precise.
    let publisherLoop: MediaLoop
    let subscriberLoops: [MediaLoop]
    var loops: [MediaLoop] { [publisherLoop] + subscriberLoops }
    let media: EncodedMedia
    private var nextLoop = 0
    private var roomHandle: Int64 = 0
    private var roomID: Int64 = 0
    private var createdRoom = false
    private(set) var publishers: [LoadPeer] = []
    private(set) var subscribers: [LoadPeer] = []
    private var feeds: [Int64] = []

    init(options: LoadOptions) throws {
        self.options = options
        janus = try makeJanusClient(url: options.url)
        certificate = try DTLSCertificate.generateSelfSigned(commonName: "sfu-load")
        media = try EncodedMedia(
            video: options.video, audio: options.audio, width: options.width, height: options.height,
            frameRate: options.frameRate, bitrate: options.videoBitrate, keyframeInterval: options.keyframeInterval,
            audioBitrate: options.audioBitrate, seconds: options.mediaLoop)
        publisherLoop = MediaLoop(name: "sfu-load-publishers")
        subscriberLoops = (0..<options.threads).map { MediaLoop(name: "sfu-load-subscribers-\($0)") }
    }

    /// SFU_LOAD_DEBUG=1 logs every SDP exchanged.
    let debug = ProcessInfo.processInfo.environment["SFU_LOAD_DEBUG"] != nil

    func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    // MARK: Signalling

    func setUp() throws {
        try janus.createSession()
        roomHandle = try janus.attach(plugin: "janus.plugin.videoroom")
        roomID = options.room ?? Int64.random(in: 1_000_000...9_000_000_000)
        do {
            _ = try janus.message(handle: roomHandle, body: [
                "request": "create", "room": roomID, "publishers": options.publishers + 1, "bitrate": 0,
                "audiocodec": "opus", "videocodec": "vp8", "description": "sfu-load",
            ])
            createdRoom = true
        } catch JanusError.plugin(let code, _) where code == 427 && options.room != nil {
            // 427: the room exists already — use it.
        }
        log("room \(roomID) ready")
    }

    private func addToLoop(_ peer: LoadPeer) {
        guard peer.role == .subscriber else {
            publisherLoop.add(peer)
            return
        }
        subscriberLoops[nextLoop % subscriberLoops.count].add(peer)
        nextLoop += 1
    }

    func addPublisher(index: Int) throws {
        let handle = try janus.attach(plugin: "janus.plugin.videoroom")
        let joined = try janus.message(handle: handle, body: [
            "request": "join", "ptype": "publisher", "room": roomID, "display": "load-pub-\(index)",
        ])
        guard let feed = JanusReplies.int64(joined.data["id"]) else {
            throw JanusError.badResponse("join: no publisher id in \(joined.data)")
        }
        let socket = try UDPSocket.bind(address: options.localAddress)
        let credentials = ICECredentials.random()
        let local = LocalTransport(
            credentials: credentials, fingerprint: certificate.fingerprint, address: options.localAddress,
            port: socket.port)
        let audioSSRC = options.audio ? UInt32.random(in: 1...UInt32.max) : nil
        let videoSSRC = options.video ? UInt32.random(in: 1...UInt32.max) : nil
        let offer = ClientSDP.publisherOffer(local: local, audioSSRC: audioSSRC, videoSSRC: videoSSRC)
        let reply = try janus.message(
            handle: handle, body: ["request": "publish", "display": "load-pub-\(index)"],
            jsep: ["type": "offer", "sdp": offer, "trickle": false])
        guard let answerText = reply.jsep?["sdp"] as? String else {
            throw JanusError.badResponse("publish: no JSEP answer in \(reply.data)")
        }
        if debug { log("publisher \(index) offer:\n\(offer)\nanswer:\n\(answerText)") }
        let answer = try SessionDescription.parse(answerText)
        let remote = try RemoteTransport(answer, localAddress: options.localAddress)
        let peer = try LoadPeer(
            name: "publisher \(index)", role: .publisher, socket: socket, remote: remote.candidate,
            configuration: ClientPeerConfiguration(
                localCredentials: credentials, remoteCredentials: remote.credentials,
                remoteFingerprint: remote.fingerprint, dtlsRole: remote.ourRole, certificate: certificate))
        peer.media = PublisherMedia(
            media: media, publisher: index, audioSSRC: audioSSRC, videoSSRC: videoSSRC,
            audioPayloadType: ClientSDP.opusPayloadType, videoPayloadType: ClientSDP.vp8PayloadType)
        // The m-lines' mids as we offered them: audio "0" first, then video.
        let videoMid = options.audio ? "1" : "0"
        if let id = ClientSDP.extensionID(ExtensionURI.mid, in: answer, kind: "audio") {
            peer.audioExtensions.append((id, Array("0".utf8)))
        }
        if let id = ClientSDP.extensionID(ExtensionURI.mid, in: answer, kind: "video") {
            peer.videoExtensions.append((id, Array(videoMid.utf8)))
        }
        publishers.append(peer)
        feeds.append(feed)
        addToLoop(peer)
    }

    func addSubscriber(index: Int) throws {
        let handle = try janus.attach(plugin: "janus.plugin.videoroom")
        let attached = try janus.message(handle: handle, body: [
            "request": "join", "ptype": "subscriber", "room": roomID,
            "streams": feeds.map { ["feed": $0] as JSONObject },
        ])
        guard let offerText = attached.jsep?["sdp"] as? String else {
            throw JanusError.badResponse("subscribe: no JSEP offer in \(attached.data)")
        }
        let offer = try SessionDescription.parse(offerText)
        let remote = try RemoteTransport(offer, localAddress: options.localAddress)
        let socket = try UDPSocket.bind(address: options.localAddress)
        let credentials = ICECredentials.random()
        let local = LocalTransport(
            credentials: credentials, fingerprint: certificate.fingerprint, address: options.localAddress,
            port: socket.port)
        let (answer, clockRates) = ClientSDP.subscriberAnswer(to: offer, local: local, transportWideCC: options.transportWideCC)
        if debug { log("subscriber \(index) offer:\n\(offerText)\nanswer:\n\(answer)") }
        // We answer with a=setup:active, so we are the DTLS client whatever the offer allowed.
        let peer = try LoadPeer(
            name: "subscriber \(index)", role: .subscriber, socket: socket, remote: remote.candidate,
            configuration: ClientPeerConfiguration(
                localCredentials: credentials, remoteCredentials: remote.credentials,
                remoteFingerprint: remote.fingerprint, dtlsRole: remote.setup == .active ? .server : .client,
                certificate: certificate,
                // The server offered, so a full-ICE server (Janus) starts as the controlling agent
                // too; ClientPeer only plays controlling, so win the role conflict
                // (RFC 8445 §7.3.1.1: the larger tie-breaker stays controlling).
                tiebreaker: UInt64.max))
        peer.clockRates = clockRates
        peer.decryptEvery = options.decryptEvery
        if options.transportWideCC, let id = ClientSDP.extensionID(ExtensionURI.transportCC, in: offer, kind: "video") {
            peer.transportWide = TransportWideReceiver(extensionID: id)
        }
        peer.videoPayloadTypes = Set(clockRates.filter { $0.value == 90_000 }.keys)
        _ = try janus.message(
            handle: handle, body: ["request": "start"], jsep: ["type": "answer", "sdp": answer, "trickle": false])
        if let cap = options.subscriberMaxBitrate {
            _ = try janus.message(handle: handle, body: ["request": "configure", "max_bitrate": cap])
        }
        subscribers.append(peer)
        addToLoop(peer)
    }

    func tearDown() {
        for loop in loops { loop.stop() }
        if createdRoom {
            _ = try? janus.message(handle: roomHandle, body: ["request": "destroy", "room": roomID], timeout: 5)
        }
        janus.destroy()
    }

    // MARK: Media

    /// Packets the publishers sent in the window, and how many of them reached the
    /// subscribers (each distinct packet once per subscriber), from the original sequence
    /// numbers: the publisher knows which of its numbers fell in the window.
    func deliveries() -> (sent: Int, received: Int, duplicates: Int, payloadOctets: Int) {
        var windows: [UInt16: Range<Int64>] = [:]
        var sent = 0
        var octets = 0
        publisherLoop.withPeers { peers in
            for peer in peers {
                for stream in [peer.media?.audio, peer.media?.video] {
                    guard let stream, let first = stream.windowFirst else { continue }
                    windows[stream.index] = first..<(stream.windowEnd ?? stream.extendedSequence)
                    sent += stream.windowSent
                    octets += stream.windowOctets
                }
            }
        }
        var received = 0
        var duplicates = 0
        for loop in subscriberLoops {
            loop.withPeers { peers in
                for peer in peers {
                    for tally in peer.tallies.values {
                        duplicates += tally.duplicates
                        guard let stream = tally.publisherStream, let range = windows[stream] else { continue }
                        received += tally.arrivals(in: range)
                    }
                }
            }
        }
        return (sent, received, duplicates, octets)
    }

    func snapshot() -> LoadSnapshot {
        var total = LoadSnapshot()
        for loop in loops { total.add(loop.snapshot()) }
        return total
    }

    /// Waits until `count` peers are connected or failed. Returns how many connected; throws
    /// only when `required` of them did not (a publisher that never connects leaves nothing to
    /// measure, while a subscriber that fails under load is a result: it counts as loss).
    @discardableResult
    func waitConnected(_ count: Int, required: Int, timeout: Double) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let state = snapshot()
            if state.connected + state.failures.count >= count || Date() >= deadline {
                if state.connected < required {
                    for line in (state.failures + state.diagnostics).prefix(5) { log(line) }
                    throw JanusError.timeout(
                        "\(required - state.connected) of \(count) peers to connect (ICE up on \(state.iceConnected))")
                }
                if state.connected < count {
                    log("\(count - state.connected) of \(count) peers not connected; measuring the rest")
                    for line in (state.failures + state.diagnostics).prefix(3) { log(line) }
                }
                return state.connected
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }}
