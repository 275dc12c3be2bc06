import Logging
import RTP
import SFUBase

/// Logs a warning at most once per interval and counts what it swallowed, so a flood of bad
/// datagrams costs a counter increment, not a log line each.
struct RateLimitedLog {
    let logger: Logger
    let intervalNanoseconds: UInt64
    private var lastLogged: MonotonicInstant?
    private var suppressed = 0

    init(logger: Logger, interval seconds: Double) {
        self.logger = logger
        self.intervalNanoseconds = UInt64(seconds * 1e9)
    }

    mutating func note(_ message: @autoclosure () -> String, now: MonotonicInstant) {
        if let last = lastLogged, now.nanoseconds(since: last) < intervalNanoseconds {
            suppressed += 1
            return
        }
        let extra = suppressed > 0 ? " (\(suppressed) similar suppressed)" : ""
        logger.warning("\(message())\(extra)")
        lastLogged = now
        suppressed = 0
    }
}
