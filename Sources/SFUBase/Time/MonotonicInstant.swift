#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the monotonic clock, in nanoseconds.
///
/// Every sans-IO engine (STUN/ICE, DTLS, RTCP, rooms) takes time as a parameter of this type,
/// so tests drive them on virtual time and drivers pass `MonotonicInstant.now()`.
/// A plain integer keeps it free to copy and compare on the packet path.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    @inlinable
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The current CLOCK_MONOTONIC reading.
    @inlinable
    public static func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec))
    }

    @inlinable
    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    @inlinable
    public func adding(milliseconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds &+ milliseconds &* 1_000_000)
    }

    @inlinable
    public func adding(nanoseconds delta: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds &+ delta)
    }

    @inlinable
    public func adding(seconds: Double) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds &+ UInt64(max(0, seconds) * 1e9))
    }

    /// Nanoseconds from `earlier` to `self`, or 0 if `earlier` is later.
    @inlinable
    public func nanoseconds(since earlier: MonotonicInstant) -> UInt64 {
        nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0
    }

    @inlinable
    public func milliseconds(since earlier: MonotonicInstant) -> UInt64 {
        nanoseconds(since: earlier) / 1_000_000
    }

    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}
