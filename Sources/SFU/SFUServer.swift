import Logging
import ServiceLifecycle
import Synchronization

/// A complete SFU — media plane, Janus API (HTTP long poll and WebSocket), EchoTest and
/// VideoRoom plugins — as one swift-service-lifecycle `Service`. Put it in a `ServiceGroup`
/// beside the daemon's other services, or call `run()` in a task of your own.
///
/// Each instance owns everything it uses (sockets, threads, sessions, rooms, event streams);
/// nothing is global, so several servers can run in one process on different ports.
///
/// Thread-safe: every method may be called from any task. `run()` may be called once.
public final class SFUServer: Service, Sendable {
    /// What a running server is bound to.
    public struct BoundAddresses: Sendable, Hashable {
        /// The Janus REST port (useful with port 0), nil when the listener is off.
        public var httpPort: Int?
        /// The Janus WebSocket port, nil when the listener is off.
        public var webSocketPort: Int?
        /// The HTTPS port, nil when the listener is off.
        public var httpsPort: Int? = nil
        /// The WSS port, nil when the listener is off.
        public var secureWebSocketPort: Int? = nil
        /// Every media socket, `HOST:PORT` (one per worker and ICE address).
        public var media: [String]
        /// The port of the `metricsListener`, nil when it is off.
        public var metricsPort: Int?
        /// The port of the Admin API listener (`adminHTTP`), nil when it is off.
        public var adminPort: Int?

        /// `http=PORT ws=PORT [https=PORT] [wss=PORT] media=ADDR,…` (`off` for a disabled
        /// listener; `https`/`wss` only when on; ` metrics=PORT` and
        /// ` admin=PORT` added when those listeners are on): the tail of the
        /// ready line `sfu-server` prints.
        public var summary: String {
            let http = httpPort.map(String.init) ?? "off"
            let ws = webSocketPort.map(String.init) ?? "off"
            var line = "http=\(http) ws=\(ws)"
            if let httpsPort { line += " https=\(httpsPort)" }
            if let secureWebSocketPort { line += " wss=\(secureWebSocketPort)" }
            line += " media=\(media.joined(separator: ","))"
            if let metricsPort { line += " metrics=\(metricsPort)" }
            if let adminPort { line += " admin=\(adminPort)" }
            return line
        }
    }

    private enum Phase {
        case idle
        case starting
        case running(SFURuntime)
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        var waiters: [UInt64: CheckedContinuation<SFURuntime, any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// The options the server was made with (validated).
    public let options: SFUOptions
    let logger: Logger
    let broadcaster: SFUEventBroadcaster
    private let state = Mutex(State())
    private let stopSignal: AsyncStream<Void>
    private let stopContinuation: AsyncStream<Void>.Continuation

    /// Checks the options; binds nothing (that happens in `run()`).
    public init(options: SFUOptions = SFUOptions()) throws(SFUError) {
        try options.validate()
        self.options = options
        var logger = options.logger
        logger[metadataKey: "sfu.server"] = .string(options.name)
        self.logger = logger
        self.broadcaster = SFUEventBroadcaster(bufferSize: options.eventBufferSize)
        (stopSignal, stopContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    // MARK: Lifecycle

    /// Binds the media sockets and the Janus listeners, serves until a graceful shutdown of the
    /// surrounding `ServiceGroup`, a call to `stop()` or cancellation of the calling task, then
    /// shuts down cleanly (sessions destroyed, PeerConnections closed with close_notify,
    /// listeners and threads released, event streams finished) and returns.
    /// Throws if binding fails (`run()` then returns at once) or if called twice.
    public func run() async throws {
        let claimed = state.withLock { s -> Bool in
            guard case .idle = s.phase else { return false }
            s.phase = .starting
            return true
        }
        guard claimed else { throw SFUError.alreadyStarted }
        let runtime: SFURuntime
        do {
            runtime = try await SFURuntime.start(options: options, logger: logger, broadcaster: broadcaster)
        } catch {
            logger.error("SFU failed to start", metadata: ["error": "\(error)"])
            finish(with: nil)
            throw error
        }
        let waiters = state.withLock { s in
            s.phase = .running(runtime)
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: runtime) }
        logger.info("SFU ready", metadata: ["addresses": "\(runtime.addresses.summary)"])
        let interval = options.metricsInterval
        let metrics = runtime.metrics.map { reporter in Task { await reporter.run(every: interval) } }
        let stopSignal = self.stopSignal
        let stopContinuation = self.stopContinuation
        await withGracefulShutdownHandler {
            for await _ in stopSignal {}
        } onGracefulShutdown: {
            stopContinuation.finish()
        }
        logger.info("SFU shutting down")
        metrics?.cancel()
        finish(with: runtime)
        await runtime.shutdown()
        broadcaster.finish()
        logger.info("SFU stopped")
    }

    /// Asks a running server to shut down (as a graceful shutdown of its `ServiceGroup` does);
    /// `run()` returns once it is done. Before `run()`, the server will stop as soon as it started.
    public func stop() {
        stopContinuation.finish()
    }

    /// Waits until `run()` has bound everything and returns the bound addresses. Throws
    /// `SFUError.notRunning` if the server failed to start or stopped, or `CancellationError`.
    @discardableResult
    public func waitUntilReady() async throws -> BoundAddresses {
        try await runtime().addresses
    }

    /// The bound addresses while running, nil otherwise.
    public var boundAddresses: BoundAddresses? {
        state.withLock { s in
            if case .running(let runtime) = s.phase { return runtime.addresses }
            return nil
        }
    }

    /// A new stream of this server's room events. Each call gets its own stream, buffering up to
    /// `options.eventBufferSize` events (the oldest are dropped when the reader falls behind; the
    /// server never waits for a reader). Streams end when the server stops.
    public func events() -> AsyncStream<SFUEvent> {
        broadcaster.subscribe()
    }

    /// The running parts, waiting for `run()` to bring them up when it has not yet.
    func runtime() async throws(SFUError) -> SFURuntime {
        let id: UInt64 = state.withLock { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SFURuntime, any Error>) in
                    let immediate: Result<SFURuntime, SFUError>? = state.withLock { s in
                        switch s.phase {
                        case .running(let runtime): return .success(runtime)
                        case .stopped: return .failure(.notRunning)
                        case .idle, .starting:
                            if Task.isCancelled { return .failure(.notRunning) }
                            s.waiters[id] = continuation
                            return nil
                        }
                    }
                    if let immediate { continuation.resume(with: immediate) }
                }
            } onCancel: {
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(throwing: CancellationError())
            }
        } catch let error as SFUError {
            throw error
        } catch {
            throw .notRunning
        }
    }

    /// Marks the server stopped and fails every waiter.
    private func finish(with runtime: SFURuntime?) {
        let waiters = state.withLock { s in
            s.phase = .stopped
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: SFUError.notRunning) }
        if runtime == nil { broadcaster.finish() }
    }
}
