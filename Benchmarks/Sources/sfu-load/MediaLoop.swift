import CLoadSystem
import CSFUSystem
import Foundation
import Glibc
import ICE
import RTP
import SFUBase

/// Totals over the peers of one or more media loops at one instant.
struct LoadSnapshot {
    var peers = 0
    var connected = 0
    var iceConnected = 0
    var failures: [String] = []
    var sent = 0
    var received = 0
    var expected: Int64 = 0
    var streamsReceived = 0
    var jitterSumMilliseconds = 0.0
    var keyframesSent = 0
    var keyframeRequests = 0
    var unplaced = 0
    var unprotectFailures = 0
    var srtpProfiles: Set<UInt16> = []
    /// Datagrams received, and how many of them carried a kernel arrival time.
    var datagrams = 0
    var kernelStamped = 0
    var diagnostics: [String] = []

    mutating func add(_ other: LoadSnapshot) {
        peers += other.peers
        connected += other.connected
        iceConnected += other.iceConnected
        failures += other.failures
        sent += other.sent
        received += other.received
        expected += other.expected
        streamsReceived += other.streamsReceived
        jitterSumMilliseconds += other.jitterSumMilliseconds
        keyframesSent += other.keyframesSent
        keyframeRequests += other.keyframeRequests
        unplaced += other.unplaced
        unprotectFailures += other.unprotectFailures
        srtpProfiles.formUnion(other.srtpProfiles)
        datagrams += other.datagrams
        kernelStamped += other.kernelStamped
        diagnostics += other.diagnostics
    }
}

/// The measured window, in CLOCK_MONOTONIC nanoseconds (end exclusive).
struct MeasurementWindow: Sendable {
    var start: UInt64 = .max
    var end: UInt64 = .max
    func contains(_ nanoseconds: UInt64) -> Bool { nanoseconds >= start && nanoseconds < end }
}

/// A thread driving a set of `LoadPeer`s: one epoll over their sockets, each readable socket
/// drained with recvmmsg in batches of 64, so 300 subscribers cost a few system calls per
/// wake-up rather than one per datagram; a full pass over the peers (timers, media, RTCP) only
/// when one is due. Thread-safe: peers are added and statistics read under `lock`, which the
/// thread holds for each turn (not while it waits).
final class MediaLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var peers: [LoadPeer] = []
    private let epoll: Int32
    private var running = true
    private var window = MeasurementWindow()
    private var latency = LatencyHistogram()
    private let exited = DispatchSemaphore(value: 0)
    private var datagrams = 0
    private var kernelStamped = 0
    static let batch = 64
    static let slotBytes = 2048
    /// Longest sleep between full passes (RTCP and consent timers are coarse).
    static let maxWaitMilliseconds: UInt64 = 20

    init(name: String) {
        epoll = csfu_epoll_create()
        let thread = Thread { [self] in
            self.run()
            self.exited.signal()
        }
        thread.name = name
        thread.start()
    }

    func add(_ peer: LoadPeer) {
        lock.withLock {
            peers.append(peer)
            _ = load_enable_receive_timestamps(peer.socket.descriptor)
            _ = csfu_epoll_add(epoll, peer.socket.descriptor, UInt64(peers.count - 1))
        }
    }

    /// Sets the measured window (packets count by their send time); clears the histogram.
    func setWindow(_ window: MeasurementWindow) {
        lock.withLock {
            if self.window.start != window.start { latency = LatencyHistogram() }
            self.window = window
        }
    }

    var latencyHistogram: LatencyHistogram { lock.withLock { latency } }

    /// Publishers stop sending media (RTCP goes on).
    func stopMedia() {
        lock.withLock { for peer in peers { peer.media?.stopped = true } }
    }

    /// Runs `body` on the peers under the loop's lock (final tallies).
    func withPeers<R>(_ body: ([LoadPeer]) -> R) -> R { lock.withLock { body(peers) } }

    func snapshot() -> LoadSnapshot {
        lock.withLock {
            var snapshot = LoadSnapshot()
            snapshot.datagrams = datagrams
            snapshot.kernelStamped = kernelStamped
            for peer in peers {
                snapshot.peers += 1
                if peer.connected { snapshot.connected += 1 }
                if peer.peer.isICEConnected { snapshot.iceConnected += 1 }
                if !peer.connected { snapshot.diagnostics.append(peer.diagnostics) }
                if let failure = peer.failure { snapshot.failures.append("\(peer.name): \(failure)") }
                snapshot.sent += peer.role == .publisher ? peer.sent : 0
                snapshot.received += peer.received
                snapshot.keyframesSent += peer.keyframesSent
                snapshot.keyframeRequests += peer.keyframeRequests
                snapshot.unprotectFailures += peer.peer.statistics.unprotectFailures
                if let profile = peer.srtpProfile { snapshot.srtpProfiles.insert(profile) }
                for tally in peer.tallies.values {
                    snapshot.expected += tally.continuity.expected
                    snapshot.streamsReceived += 1
                    snapshot.jitterSumMilliseconds += tally.continuity.jitterMilliseconds
                    snapshot.unplaced += tally.unplaced
                }
            }
            return snapshot
        }
    }

    /// Stops the thread and closes every peer (DTLS close_notify, then the socket).
    func stop() {
        lock.withLock { running = false }
        exited.wait()
        for peer in peers { peer.close() }
        close(epoll)
    }

    private func run() {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.batch * Self.slotBytes, alignment: 16)
        defer { storage.deallocate() }
        let slots = UnsafeMutablePointer<load_datagram>.allocate(capacity: Self.batch)
        for index in 0..<Self.batch {
            (slots + index).initialize(to: load_datagram(
                buffer: storage.baseAddress.map { $0 + index * Self.slotBytes }, capacity: UInt32(Self.slotBytes),
                length: 0, address: sockaddr_storage(), arrival_realtime_ns: 0))
        }
        defer { slots.deallocate() }
        guard let receiver = load_receiver_create(slots, UInt32(Self.batch)) else { return }
        defer { load_receiver_destroy(receiver) }
        // Kernel arrival stamps are CLOCK_REALTIME; the trailer's send times CLOCK_MONOTONIC.
        let realtimeOffset = load_realtime_offset_ns()
        var tags = [UInt64](repeating: 0, count: 256)
        var wait = 1
        var nextPass = MonotonicInstant(nanoseconds: 0)
        while true {
            let ready = Int(csfu_epoll_wait(epoll, &tags, Int32(tags.count), Int32(wait)))
            lock.lock()
            guard running else {
                lock.unlock()
                return
            }
            for tag in tags[0..<max(0, ready)] {
                guard tag < UInt64(peers.count) else { continue }
                let peer = peers[Int(tag)]
                // Arrival is when the kernel queued the datagram (SO_TIMESTAMPNS), so the
                // latency figures do not include this thread's own scheduling delay.
                var rounds = 8
                while rounds > 0 {
                    rounds -= 1
                    let count = Int(load_receive_batch(receiver, peer.socket.descriptor))
                    let now = MonotonicInstant.now()
                    for index in 0..<max(0, count) {
                        let slot = slots + index
                        guard let base = slot.pointee.buffer else { continue }
                        let kernel = slot.pointee.arrival_realtime_ns - realtimeOffset
                        let stamped = slot.pointee.arrival_realtime_ns != 0 && kernel > 0 && kernel <= Int64(now.nanoseconds)
                        let arrival = stamped ? MonotonicInstant(nanoseconds: UInt64(kernel)) : now
                        datagrams += 1
                        if stamped { kernelStamped += 1 }
                        peer.handle(
                            UnsafeRawBufferPointer(start: base, count: Int(slot.pointee.length)), from: slot.pointee.address,
                            now: arrival, window: window)
                    }
                    peer.flush(now: now, window: window, latency: &latency)
                    if count < Self.batch { break }
                }
            }
            var now = MonotonicInstant.now()
            if now >= nextPass {
                var due = now.adding(nanoseconds: Self.maxWaitMilliseconds * 1_000_000)
                for peer in peers {
                    peer.service(now: now, window: window, latency: &latency)
                    if let peerDue = peer.nextDue() { due = min(due, peerDue) }
                }
                nextPass = due
            }
            now = MonotonicInstant.now()
            // Round up: waking a little late beats spinning until the deadline.
            wait = nextPass > now ? Int((nextPass.nanoseconds(since: now) + 999_999) / 1_000_000) : 0
            lock.unlock()
        }
    }
}
