#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads structured values off the front of a libFuzzer input. Running out of bytes is not an
/// error: every read then returns zeros or an empty slice, so any input is a valid program.
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    }

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var isEmpty: Bool { offset >= bytes.count }
    public var remaining: Int { max(0, bytes.count - offset) }

    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool() -> Bool { byte() & 1 != 0 }

    public mutating func uint16() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }

    public mutating func uint32() -> UInt32 { UInt32(uint16()) << 16 | UInt32(uint16()) }

    public mutating func uint64() -> UInt64 { UInt64(uint32()) << 32 | UInt64(uint32()) }

    /// Up to `count` bytes.
    public mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let n = max(0, min(count, remaining))
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }

    /// A chunk prefixed by a 16-bit big-endian length (clamped to what is left).
    public mutating func chunk() -> UnsafeRawBufferPointer { take(Int(uint16())) }

    /// Everything not read yet.
    public mutating func rest() -> UnsafeRawBufferPointer { take(remaining) }

    /// Splits the rest on a 4-byte separator "FUZZ" (so seeds stay readable and libFuzzer's
    /// mutations keep datagram boundaries mostly intact).
    public mutating func restSplit() -> [UnsafeRawBufferPointer] {
        let all = rest()
        var parts: [UnsafeRawBufferPointer] = []
        var start = 0
        var i = 0
        let sep: [UInt8] = Array("FUZZ".utf8)
        while i + 4 <= all.count {
            if all[i] == sep[0], all[i + 1] == sep[1], all[i + 2] == sep[2], all[i + 3] == sep[3] {
                parts.append(UnsafeRawBufferPointer(rebasing: all[start..<i]))
                i += 4
                start = i
            } else {
                i += 1
            }
        }
        parts.append(UnsafeRawBufferPointer(rebasing: all[start..<all.count]))
        return parts
    }
}

/// The separator `FuzzInput.restSplit()` cuts on.
public let fuzzSeparator: [UInt8] = Array("FUZZ".utf8)

/// Joins datagrams with `fuzzSeparator` (for seed inputs).
public func fuzzJoin(_ parts: [[UInt8]]) -> [UInt8] {
    var out: [UInt8] = []
    for (i, part) in parts.enumerated() {
        if i > 0 { out += fuzzSeparator }
        out += part
    }
    return out
}

/// Calls `body` with a heap copy of `bytes` of exactly that size, so AddressSanitizer catches
/// a read one byte past the end (a slice of the fuzzer's buffer would hide it).
@inline(never)
public func withExactCopy<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 0), alignment: 1)
    defer { copy.deallocate() }
    if bytes.count > 0 { copy.copyMemory(from: bytes) }
    return try body(copy)
}

/// Same as `withExactCopy` with `extra` spare bytes after the copy (for in-place transforms
/// that grow the packet, such as SRTP protect).
@inline(never)
public func withCopy<R>(
    _ bytes: UnsafeRawBufferPointer, extra: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R
) rethrows -> R {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + extra, alignment: 1)
    defer { copy.deallocate() }
    copy.initializeMemory(as: UInt8.self, repeating: 0)
    if bytes.count > 0 { UnsafeMutableRawBufferPointer(rebasing: copy[0..<bytes.count]).copyMemory(from: bytes) }
    return try body(copy)
}

/// Keeps a value alive and observable so the optimiser cannot drop the code computing it.
@inline(never)
public func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// A check the fuzzer treats as a crash: prints `message` and aborts (libFuzzer records the
/// input). For invariants of the code under test, never for peer-controlled conditions.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        fuzzLog("FUZZ INVARIANT FAILED: \(message())")
        abort()
    }
}

/// Writes a line to standard error, unbuffered (a crash right after must not lose it).
public func fuzzLog(_ text: String) {
    var line = Array((text + "\n").utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
