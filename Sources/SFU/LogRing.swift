import Synchronization

/// The last log lines in memory, for the support bundle: kept at debug level even when the
/// console shows only info (sfu-server's log handler writes every line at debug or above
/// here). Bounded: the oldest line goes when a new one comes.
public final class LogRing: Sendable {
    private struct Storage {
        var lines: [String] = []
        var next = 0
    }

    /// How many lines are kept.
    public let capacity: Int
    private let storage = Mutex(Storage())

    public init(capacity: Int = 2000) { self.capacity = max(1, capacity) }

    /// Keeps `line`, dropping the oldest when full.
    public func append(_ line: String) {
        storage.withLock { s in
            if s.lines.count < capacity {
                s.lines.append(line)
            } else {
                s.lines[s.next] = line
                s.next = (s.next + 1) % capacity
            }
        }
    }

    /// The kept lines, oldest first.
    public var lines: [String] {
        storage.withLock { s in Array(s.lines[s.next...] + s.lines[..<s.next]) }
    }
}
