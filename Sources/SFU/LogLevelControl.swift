import Logging
import Synchronization

/// A log level that can change while the server runs: the Admin API's `set_log_level` writes
/// it, the process's `LogHandler` reads it (sfu-server's handler does; an embedder's own
/// handler can). Janus numbers levels 0 (none) … 7 (debug); they map onto swift-log's.
public final class LogLevelControl: Sendable {
    private let janus: Atomic<Int>

    /// Starts at `level`.
    public init(_ level: Logger.Level) { janus = Atomic(Self.janusNumber(level)) }

    /// The swift-log level now.
    public var level: Logger.Level {
        get { Self.swiftLogLevel(janusLevel) }
        set { janus.store(Self.janusNumber(newValue), ordering: .relaxed) }
    }

    /// The level as Janus numbers it (what `get_status` reports and `set_log_level` takes).
    public var janusLevel: Int {
        get { janus.load(ordering: .relaxed) }
        set { janus.store(min(7, max(0, newValue)), ordering: .relaxed) }
    }

    /// Janus 0 none and 1 fatal → critical, 2 error, 3 warning, 4 info, 5 verbose and 6 huge →
    /// debug, 7 debug → trace.
    static func swiftLogLevel(_ janus: Int) -> Logger.Level {
        switch janus {
        case ...1: .critical
        case 2: .error
        case 3: .warning
        case 4: .info
        case 5, 6: .debug
        default: .trace
        }
    }

    static func janusNumber(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 1
        case .error: 2
        case .warning: 3
        case .notice, .info: 4
        case .debug: 5
        case .trace: 7
        }
    }
}
