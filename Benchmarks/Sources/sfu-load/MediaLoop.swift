import Foundation
import Glibc
import RTP

/// Totals over the peers of one or more media loops at one instant.
struct LoadSnapshot {
    var peers = 0
    var connected = 0
    var iceConnected = 0
    var failures: [String] = []
    var sent = 0
    var received = 0
    var windowSent = 0
    var windowReceived = 0
    var expected: Int64 = 0
    var streamsReceived = 0
    var jitterSumMilliseconds = 0.0
    var keyframesSent = 0
    var keyframeRequests = 0
    var unstamped = 0
    var diagnostics: [String] = []

    mutating func add(_ other: LoadSnapshot) {
        peers += other.peers
        connected += other.connected
        iceConnected += other.iceConnected
        failures += other.failures
        sent += other.sent
        received += other.received
        windowSent += other.windowSent
        windowReceived += other.windowReceived
        expected += other.expected
        streamsReceived += other.streamsReceived
        jitterSumMilliseconds += other.jitterSumMilliseconds
        keyframesSent += other.keyframesSent
        keyframeRequests += other.keyframeRequests
        unstamped += other.unstamped
        diagnostics += other.diagnostics
    }
}

/// The measured window, in CLOCK_MONOTONIC nanoseconds (end exclusive).
struct MeasurementWindow: Sendable {
    var start: UInt64 = .max
    var end: UInt64 = .max
    func contains(_ nanoseconds: UInt64) -> Bool { nanoseconds >= start && nanoseconds < end }
}

/// A thread driving a set of `LoadPeer`s over their sockets with poll(2).
/// Thread-safe: peers are added and statistics read under `lock`, which the thread holds
/// for each turn.
final class MediaLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var peers: [LoadPeer] = []
    private var pollDescriptors: [pollfd] = []
    private var running = true
    private var window = MeasurementWindow()
    private var latency = LatencyHistogram()
    private let exited = DispatchSemaphore(value: 0)

    init(name: String) {
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
            pollDescriptors.append(pollfd(fd: peer.socket.descriptor, events: Int16(POLLIN), revents: 0))
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

    func snapshot() -> LoadSnapshot {
        lock.withLock {
            var snapshot = LoadSnapshot()
            for peer in peers {
                snapshot.peers += 1
                if peer.connected { snapshot.connected += 1 }
                if peer.peer.isICEConnected { snapshot.iceConnected += 1 }
                if !peer.connected { snapshot.diagnostics.append(peer.diagnostics) }
                if let failure = peer.failure { snapshot.failures.append("\(peer.name): \(failure)") }
                snapshot.sent += peer.role == .publisher ? peer.sent : 0
                snapshot.received += peer.received
                snapshot.windowSent += peer.windowSent
                snapshot.windowReceived += peer.windowReceived
                snapshot.keyframesSent += peer.keyframesSent
                snapshot.keyframeRequests += peer.keyframeRequests
                snapshot.unstamped += peer.unstamped
                for stream in peer.streams.values {
                    snapshot.expected += stream.expected
                    snapshot.streamsReceived += 1
                    snapshot.jitterSumMilliseconds += stream.jitterMilliseconds
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
    }

    private func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            lock.lock()
            guard running else {
                lock.unlock()
                return
            }
            for peer in peers {
                // A fresh clock per peer: with many sockets a turn takes a while, and arrival
                // times feed the latency figures.
                peer.service(now: .now(), buffer: buffer, window: window, latency: &latency)
            }
            var wait: UInt64 = 5
            for peer in peers {
                guard let due = peer.nextDue() else { continue }
                let after = MonotonicInstant.now()
                // Round up: waking a little late beats spinning until the deadline.
                wait = min(wait, due > after ? (due.nanoseconds(since: after) + 999_999) / 1_000_000 : 0)
            }
            var descriptors = pollDescriptors
            lock.unlock()
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(descriptors.isEmpty ? 5 : wait))
        }
    }
}
