/// A token bucket fed explicit time: `rate` tokens a second, at most `burst` saved up. Sans-IO
/// (tests drive it with their own instants); `RequestBudget` wraps it for a connection.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant?

    init(rate: Double, burst: Double) {
        self.rate = max(0, rate)
        self.burst = max(0, burst)
        self.tokens = self.burst
    }

    /// Takes one token if there is one at `now`.
    mutating func take(now: ContinuousClock.Instant) -> Bool {
        if let last {
            if now > last {
                let elapsed = (now - last).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                tokens = min(burst, tokens + seconds * rate)
                self.last = now
            }
        } else {
            last = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// The request budget of one client connection (WebSocket or HTTP keep-alive): requests beyond
/// `limit` a second (after a burst of twice that) are answered with an error and not run.
/// Thread-safe; one lock per request.
public final class RequestBudget: Sendable {
    /// Requests a second this connection may make.
    public let limit: Int
    private let bucket: Locked<TokenBucket>

    public init(perSecond limit: Int) {
        self.limit = limit
        self.bucket = Locked(TokenBucket(rate: Double(limit), burst: Double(limit) * 2))
    }

    /// Whether one more request may run now.
    func take(now: ContinuousClock.Instant = .now) -> Bool { bucket.withLock { $0.take(now: now) } }
}
