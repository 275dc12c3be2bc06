#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address plus UDP/TCP port: the remote end of a candidate pair,
/// the value STUN's (XOR-)MAPPED-ADDRESS carries, and the key of the media worker's
/// 5-tuple → transport demux table.
///
/// A plain value of four integers, so hashing and comparing it per packet costs a few
/// instructions and no ARC traffic. Any thread may use it.
///
/// Storage: an IPv6 address is kept as two big-endian-order halves (`high`, `low`);
/// an IPv4 address sits in the low 32 bits of `low` with `high == 0` and `isIPv6 == false`,
/// so `1.2.3.4` and the IPv4-mapped `::ffff:1.2.3.4` stay distinct, as they are on the wire.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7 of an IPv6 address (network order, first byte most significant); 0 for IPv4.
    @usableFromInline var high: UInt64
    /// Bytes 8–15 of an IPv6 address, or the IPv4 address in the low 32 bits (first octet most significant).
    @usableFromInline var low: UInt64
    public var port: UInt16
    public let isIPv6: Bool

    /// An IPv4 address from its 32-bit value (first octet most significant, e.g. 0x7F00_0001 = 127.0.0.1).
    @inlinable
    public init(ipv4 address: UInt32, port: UInt16) {
        self.high = 0
        self.low = UInt64(address)
        self.port = port
        self.isIPv6 = false
    }

    /// An IPv6 address from its 16 bytes in network order. Returns nil unless `bytes.count == 16`.
    public init?(ipv6 bytes: some Collection<UInt8>, port: UInt16) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.init(ipv6High: high, low: low, port: port)
    }

    /// An IPv6 address from its two 64-bit halves (each first byte most significant).
    @inlinable
    public init(ipv6High high: UInt64, low: UInt64, port: UInt16) {
        self.high = high
        self.low = low
        self.port = port
        self.isIPv6 = true
    }

    /// Parses a dotted quad ("192.0.2.1") or IPv6 text ("2001:db8::1", "::1"; brackets allowed).
    /// Returns nil for anything else (host names are not resolved).
    public init?(_ text: String, port: UInt16) {
        var host = Substring(text)
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        let candidate = String(host)
        var v4 = in_addr()
        if inet_pton(AF_INET, candidate, &v4) == 1 {
            self.init(ipv4: UInt32(bigEndian: v4.s_addr), port: port)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, candidate, &v6) == 1 {
            let parsed = withUnsafeBytes(of: &v6) { TransportAddress(ipv6: $0, port: port) }
            guard let parsed else { return nil }
            self = parsed
            return
        }
        return nil
    }

    /// Reads a `sockaddr_in` / `sockaddr_in6` as filled in by `recvfrom`/`recvmmsg`.
    /// Returns nil for other address families.
    ///
    /// - Note: for UDP drivers only; the C type is the exception to the Swift-types-only
    ///   public API because the receive loop already holds one per datagram.
    public init?(storage: sockaddr_storage) {
        let family = Int32(storage.ss_family)
        let parsed: TransportAddress? = withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                let sin = raw.loadUnaligned(as: sockaddr_in.self)
                return TransportAddress(ipv4: UInt32(bigEndian: sin.sin_addr.s_addr), port: UInt16(bigEndian: sin.sin_port))
            case AF_INET6:
                let sin6 = raw.loadUnaligned(as: sockaddr_in6.self)
                var address = sin6.sin6_addr
                return withUnsafeBytes(of: &address) { TransportAddress(ipv6: $0, port: UInt16(bigEndian: sin6.sin6_port)) }
            default:
                return nil
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Calls `body` with this address as a `sockaddr_in` or `sockaddr_in6` (for `sendto`, `bind`).
    /// The pointer is valid only inside `body`. For drivers only.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        if isIPv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            return try withUnsafePointer(to: &sin6) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = UInt32(truncatingIfNeeded: low).bigEndian
            return try withUnsafePointer(to: &sin) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// The IPv4 address as a 32-bit value (first octet most significant), or nil for IPv6.
    @inlinable
    public var ipv4: UInt32? { isIPv6 ? nil : UInt32(truncatingIfNeeded: low) }

    /// The 16 bytes of an IPv6 address in network order, or nil for IPv4.
    public var ipv6Bytes: [UInt8]? {
        guard isIPv6 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
            bytes[index + 8] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(index)))
        }
        return bytes
    }

    /// The address without the port: "192.0.2.1" or "2001:db8::1" (RFC 5952 text via inet_ntop).
    public var ipString: String {
        if isIPv6 {
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { raw in
                raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            return withUnsafeBytes(of: &address) { Self.format(family: AF_INET6, $0) }
        } else {
            var address = in_addr()
            address.s_addr = UInt32(truncatingIfNeeded: low).bigEndian
            return withUnsafeBytes(of: &address) { Self.format(family: AF_INET, $0) }
        }
    }

    /// "192.0.2.1:5000" or "[2001:db8::1]:5000".
    public var description: String {
        isIPv6 ? "[\(ipString)]:\(port)" : "\(ipString):\(port)"
    }

    private static func format(family: Int32, _ address: UnsafeRawBufferPointer) -> String {
        // INET6_ADDRSTRLEN (46) plus the terminator.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { text in
            guard let base = text.baseAddress,
                inet_ntop(family, address.baseAddress, base, socklen_t(text.count)) != nil
            else { return "?" }
            return String(cString: base)
        }
    }
}
