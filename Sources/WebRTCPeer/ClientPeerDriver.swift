import Foundation
import ICE
import RTP
import SFUBase

/// Runs one `ClientPeer` on its own thread over a loopback UDP socket, and records what it
/// receives so that tests can wait for conditions.
///
/// Thread-safe: every method may be called from any thread. The peer itself is touched only
/// under the driver's lock (`withPeer`); datagrams queued inside `withPeer` leave when it returns.
public final class ClientPeerDriver: @unchecked Sendable {
    /// Everything the peer reported so far.
    public struct Record: Sendable {
        public var iceConnected = false
        public var connected = false
        public var failure: String?
        public var rtp: [ReceivedRTPPacket] = []
        public var rtcp: [RTCPMessage] = []
        public var statistics = ClientPeerStatistics()
    }

    public let localAddress: TransportAddress
    public let remoteAddress: TransportAddress
    private let socket: LoopbackUDPSocket
    private let peer: ClientPeer
    private let lock = NSLock()
    private var record = Record()
    private var stopping = false
    private var thread: Thread?
    private let exited = DispatchSemaphore(value: 0)

    /// Binds `localAddress` (loopback, ephemeral port) for a peer talking to `remote`.
    public init(configuration: ClientPeerConfiguration, remote: TransportAddress, localAddress: String = "127.0.0.1") throws {
        peer = try ClientPeer(configuration: configuration, now: .now())
        socket = try LoopbackUDPSocket.bind(address: localAddress)
        self.localAddress = socket.localAddress
        self.remoteAddress = remote
    }

    deinit { stop() }

    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard thread == nil, !stopping else { return }
        let thread = Thread { [self] in
            self.run()
            self.exited.signal()
        }
        thread.name = "client-peer"
        self.thread = thread
        thread.start()
    }

    /// Stops the thread (without close_notify; call `withPeer { $0.close() }` first for that).
    public func stop() {
        lock.lock()
        let wasRunning = thread != nil && !stopping
        let hadSocket = !stopping
        stopping = true
        lock.unlock()
        if wasRunning { exited.wait() }
        if hadSocket { socket.close() }
    }

    /// Runs `body` on the peer under the lock, then sends what it queued.
    @discardableResult
    public func withPeer<R>(_ body: (ClientPeer) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        let result = try body(peer)
        drain(now: .now())
        return result
    }

    /// A copy of everything recorded so far.
    public var snapshot: Record {
        lock.lock()
        defer { lock.unlock() }
        return record
    }

    /// Forgets recorded packets (keeps the connection flags).
    public func clearReceived() {
        lock.lock()
        defer { lock.unlock() }
        record.rtp.removeAll()
        record.rtcp.removeAll()
    }

    /// Polls `condition` on the record every few milliseconds; false after `timeout` seconds.
    @discardableResult
    public func wait(timeout: Double, until condition: (Record) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if condition(snapshot) { return true }
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    /// `wait(timeout:until:)` for async callers: sleeps with `Task.sleep` instead of blocking
    /// a cooperative thread.
    @discardableResult
    public func wait(timeout: Double, until condition: (Record) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if condition(snapshot) { return true }
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// Sends bytes from this peer's socket straight to the server, bypassing the peer.
    public func sendRawDatagram(_ bytes: [UInt8]) {
        socket.send(bytes, to: remoteAddress)
    }

    // MARK: Thread

    private func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            lock.lock()
            if stopping {
                lock.unlock()
                return
            }
            let now = MonotonicInstant.now()
            while let (length, source) = socket.receive(into: buffer) {
                guard source == remoteAddress else { continue }
                peer.handleDatagram(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), now: now)
            }
            if let due = peer.nextTimeout(), due <= now { peer.handleTimeout(now: now) }
            drain(now: now)
            var wait: Int32 = 5
            if let due = peer.nextTimeout() {
                wait = Int32(clamping: min(5, due > now ? due.milliseconds(since: now) : 0))
            }
            lock.unlock()
            socket.waitReadable(milliseconds: max(1, wait))
        }
    }

    /// Sends queued datagrams and records events; lock held.
    private func drain(now: MonotonicInstant) {
        while let datagram = peer.pollTransmit() { socket.send(datagram, to: remoteAddress) }
        while let event = peer.pollEvent() {
            switch event {
            case .iceConnected: record.iceConnected = true
            case .connected: record.connected = true
            case .rtp(let packet): record.rtp.append(packet)
            case .rtcp(let messages): record.rtcp.append(contentsOf: messages)
            case .failed(let reason): record.failure = reason
            }
        }
        record.statistics = peer.statistics
    }
}
