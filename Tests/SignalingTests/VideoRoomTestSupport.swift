import DTLS
import Foundation
import ICE
import Logging
import SDPTestFixtures
import Testing
@testable import SFUMedia
@testable import Signaling

/// A `RoomMediaPlane` that records every call and lets tests play the media workers' events.
final class FakeRoomMediaPlane: RoomMediaPlane {
    struct Started {
        var allocation: TransportAllocation
        var setup: TransportSetup
    }

    struct Calls {
        var nextID: UInt64 = 100
        var allocated: [TransportAllocation] = []
        var started: [Started] = []
        var bindings: [(allocation: UInt64, bindings: [SubscriberBinding])] = []
        var configured: [(allocation: UInt64, settings: PublisherSettings)] = []
        var keyframes: [(allocation: UInt64, mid: String?)] = []
        var limits: [(allocation: UInt64, maximumBitrate: Int)] = []
        var closed: [UInt64] = []
        var updated: [Started] = []
        var restarts: [(allocation: UInt64, remote: ICECredentials)] = []
        var sinks: [UInt64: @Sendable (TransportEvent) -> Void] = [:]
    }

    let calls = Locked(Calls())
    let fingerprint: DTLSFingerprint =
        DTLSFingerprint(sdpValue: "sha-256 " + (0..<32).map { _ in "AB" }.joined(separator: ":"))!

    func allocateTransport(room: RoomKey) -> TransportAllocation {
        calls.withLock { calls in
            calls.nextID += 1
            let allocation = TransportAllocation(
                id: calls.nextID, workerIndex: 0, localCredentials: .random(),
                candidates: [LocalCandidateAddress(address: "127.0.0.1", port: 40000)], fingerprint: fingerprint)
            calls.allocated.append(allocation)
            return allocation
        }
    }

    func startTransport(
        _ allocation: TransportAllocation, setup: TransportSetup, events: @escaping @Sendable (TransportEvent) -> Void
    ) {
        calls.withLock {
            $0.started.append(Started(allocation: allocation, setup: setup))
            $0.sinks[allocation.id] = events
        }
    }

    func bindSubscriber(_ allocation: TransportAllocation, bindings: [SubscriberBinding]) {
        calls.withLock { $0.bindings.append((allocation.id, bindings)) }
    }

    func configurePublisher(_ allocation: TransportAllocation, settings: PublisherSettings) {
        calls.withLock { $0.configured.append((allocation.id, settings)) }
    }

    func limitSubscriber(_ allocation: TransportAllocation, maximumBitrate: Int) {
        calls.withLock { $0.limits.append((allocation.id, maximumBitrate)) }
    }

    func requestKeyframe(publisher allocation: TransportAllocation, mid: String?) {
        calls.withLock { $0.keyframes.append((allocation.id, mid)) }
    }

    func closeTransport(_ allocation: TransportAllocation) {
        calls.withLock { $0.closed.append(allocation.id) }
    }

    func restartICE(_ allocation: TransportAllocation, remote: ICECredentials) -> TransportAllocation {
        calls.withLock { $0.restarts.append((allocation.id, remote)) }
        return TransportAllocation(
            id: allocation.id, workerIndex: allocation.workerIndex, localCredentials: .random(),
            candidates: allocation.candidates, fingerprint: allocation.fingerprint)
    }

    func updateTransport(_ allocation: TransportAllocation, setup: TransportSetup) {
        calls.withLock { $0.updated.append(Started(allocation: allocation, setup: setup)) }
    }

    /// Plays a worker event on a started transport.
    func emit(_ allocation: UInt64, _ event: TransportEvent) {
        let sink = calls.withLock { $0.sinks[allocation] }
        sink?(event)
    }

    var lastStarted: Started? { calls.withLock { $0.started.last } }
    var lastUpdated: Started? { calls.withLock { $0.updated.last } }
    func lastBindings(_ allocation: UInt64) -> [SubscriberBinding]? {
        calls.withLock { $0.bindings.last { $0.allocation == allocation }?.bindings }
    }
    /// Waits (up to a second) until the transport's latest bindings satisfy `check`.
    func waitForBindings(_ allocation: UInt64, _ check: ([SubscriberBinding]) -> Bool) async -> Bool {
        for _ in 0..<100 {
            if let bindings = lastBindings(allocation), check(bindings) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func limits(_ allocation: UInt64) -> [Int] {
        calls.withLock { $0.limits.filter { $0.allocation == allocation }.map(\.maximumBitrate) }
    }
    func closed(_ allocation: UInt64) -> Bool { calls.withLock { $0.closed.contains(allocation) } }
}

/// One handle driven through the plugin API, recording what the plugin pushes to it.
final class VideoRoomTestClient: Sendable {
    let handleID: UInt64
    let session: any JanusPluginSession
    let pushed: Locked<[PluginEvent]>
    private let counter = Locked(0)

    init(plugin: VideoRoomPlugin, handleID: UInt64) async throws {
        self.handleID = handleID
        let pushed = Locked<[PluginEvent]>([])
        self.pushed = pushed
        let context = PluginHandleContext(sessionID: 1, handleID: handleID, opaqueID: nil) { event in
            pushed.withLock { $0.append(event) }
        }
        session = try await plugin.attach(context: context)
    }

    /// Sends a request; returns the `success` data, or the event answering it (and its JSEP).
    @discardableResult
    func request(_ body: JSONObject, jsep: JSEP? = nil) async -> (data: JSONObject, jsep: JSEP?) {
        let transaction = counter.withLock { value -> String in
            value += 1
            return "tx\(value)"
        }
        let result = await session.handleMessage(transaction: transaction, body: body, jsep: jsep)
        switch result {
        case .success(let data):
            return (data, nil)
        case .error(let error):
            return (["core_error": .int(Int64(error.code))], nil)
        case .ack:
            let answer = pushed.withLock { events in
                events.lazy.compactMap { event -> (JSONObject, JSEP?)? in
                    if case .event(transaction, let data, let jsep) = event { return (data, jsep) }
                    return nil
                }.last
            }
            return answer.map { ($0.0, $0.1) } ?? ([:], nil)
        }
    }

    /// Plugin events without a transaction (notifications about others).
    var notifications: [JSONObject] {
        pushed.withLock { events in
            events.compactMap { event in
                if case .event(nil, let data, _) = event { return data }
                return nil
            }
        }
    }

    /// All plugin events with their JSEP, in order.
    var events: [(data: JSONObject, jsep: JSEP?)] {
        pushed.withLock { events in
            events.compactMap { event in
                if case .event(_, let data, let jsep) = event { return (data, jsep) }
                return nil
            }
        }
    }

    var hangups: [String] {
        pushed.withLock { events in
            events.compactMap { event in
                if case .hangup(let reason) = event { return reason }
                return nil
            }
        }
    }

    var webrtcUps: Int {
        pushed.withLock { events in
            events.filter { event in
                if case .webrtcUp = event { return true }
                return false
            }.count
        }
    }

    func clear() { pushed.withLock { $0.removeAll() } }

    /// Waits until a notification matches (media events travel through a task).
    func waitForNotification(
        timeout: Duration = .seconds(3), _ predicate: (JSONObject) -> Bool
    ) async -> JSONObject? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = notifications.first(where: predicate) { return match }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    func waitForEvent(timeout: Duration = .seconds(3), _ predicate: (JSONObject) -> Bool) async -> (data: JSONObject, jsep: JSEP?)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = events.first(where: { predicate($0.data) }) { return match }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}

/// Waits (polling) for a condition that a media-event task makes true.
func eventually(timeout: Duration = .seconds(3), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return false
}

/// A plugin over a fake media plane, with handles numbered from 1.
final class VideoRoomHarness: Sendable {
    let media = FakeRoomMediaPlane()
    let plugin: VideoRoomPlugin
    private let nextHandle = Locked<UInt64>(0)

    init(_ configure: (inout VideoRoomConfiguration) -> Void = { _ in }) {
        var configuration = VideoRoomConfiguration()
        configure(&configuration)
        var logger = Logger(label: "videoroom-tests")
        logger.logLevel = .critical
        plugin = VideoRoomPlugin(media: media, configuration: configuration, logger: logger)
    }

    func client() async throws -> VideoRoomTestClient {
        let id = nextHandle.withLock { value -> UInt64 in
            value += 1
            return value
        }
        return try await VideoRoomTestClient(plugin: plugin, handleID: id)
    }

    /// A client joined as publisher; returns it and its participant id.
    func publisher(room: UInt64 = 1234, display: String, extra: JSONObject = [:]) async throws
        -> (VideoRoomTestClient, UInt64)
    {
        let client = try await client()
        var body: JSONObject = ["request": "join", "ptype": "publisher", "room": .uint(room), "display": .string(display)]
        for (key, value) in extra { body[key] = value }
        let (data, _) = await client.request(body)
        #expect(data["videoroom"] == "joined", "join failed: \(data)")
        return (client, data["id"]?.uint64Value ?? 0)
    }

    /// Publishes `offer` and plays `webrtcup`; returns the publisher transport id.
    @discardableResult
    func publish(_ client: VideoRoomTestClient, offer: String = SDPFixtures.chromium, body: JSONObject = [:])
        async -> UInt64
    {
        var request: JSONObject = ["request": "configure"]
        for (key, value) in body { request[key] = value }
        let (data, jsep) = await client.request(request, jsep: JSEP(type: .offer, sdp: offer))
        #expect(data["configured"] == "ok", "publish failed: \(data)")
        #expect(jsep?.type == .answer)
        let allocation = media.lastStarted?.allocation.id ?? 0
        media.emit(allocation, .connected)
        _ = await eventually { client.webrtcUps > 0 }
        return allocation
    }

    /// A browser-like answer (recvonly mirror) to a server offer.
    static func answer(to offer: JSEP, rejectMids: Set<String> = []) throws -> JSEP {
        let parsed = try SessionDescription.parse(offer.sdp)
        var policy = CodecPolicy()
        policy.audioCodecs = ["opus", "g722", "pcmu", "pcma"]
        policy.videoCodecs = ["vp8", "vp9", "h264", "av1"]
        let local = LocalTransportParameters(
            iceUfrag: "brws", icePwd: "browserpassword0123456",
            fingerprint: "sha-256 " + (0..<32).map { _ in "CD" }.joined(separator: ":"),
            candidates: [LocalCandidateAddress(address: "127.0.0.1", port: 50000)], iceLite: false)
        var result = try SDPNegotiator.answer(
            offer: parsed, local: local, policy: policy, direction: .mirror, localSSRCs: [:], sessionID: 42,
            sessionVersion: 1)
        for index in result.answer.media.indices where rejectMids.contains(result.answer.media[index].mid ?? "") {
            result.answer.media[index].port = 0
        }
        return JSEP(type: .answer, sdp: result.answer.text)
    }
}

extension JSONObject {
    var errorCode: Int? { self["error_code"]?.int64Value.map { Int($0) } }
    var errorText: String? { self["error"]?.stringValue }
}

extension JSONValue {
    var streamsList: [JSONValue] { arrayValue ?? [] }
}
