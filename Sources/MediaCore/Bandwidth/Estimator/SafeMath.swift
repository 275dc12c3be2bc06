/// Input sanitising and overflow-free arithmetic shared by every component.
///
/// Feedback can be garbage (negative or huge times, sizes, rates). Swift traps on
/// integer overflow and on converting NaN/∞ to `Int`, so every value that crosses
/// from the outside world goes through here first. Not part of any RFC: it is what
/// keeps the GCC arithmetic (draft-ietf-rmcat-gcc-02) total over arbitrary input.
enum SafeMath {
    /// ±2^52 µs ≈ ±142 years. Any difference of two clamped times fits easily in Int64
    /// and converts to Double exactly, so no time arithmetic downstream can overflow.
    static let timeLimit: Int64 = 1 << 52

    /// Largest rate we ever reason about (1 Tbit/s); keeps products far from overflow.
    static let rateLimit: Double = 1e12

    /// Largest believable packet on the wire; anything bigger is garbage.
    static let maxPacketBytes = 262_144

    @inline(__always)
    static func time(_ t: Int64) -> Int64 {
        min(max(t, -timeLimit), timeLimit)
    }

    @inline(__always)
    static func size(_ bytes: Int) -> Int {
        min(max(bytes, 0), maxPacketBytes)
    }

    /// Converts a caller-supplied rate to Double in [0, rateLimit].
    @inline(__always)
    static func rate(_ bps: Int) -> Double {
        min(max(Double(bps), 0), rateLimit)
    }

    /// Clamps a computed value into [lo, hi]; NaN maps to `lo` so it can never leak out.
    @inline(__always)
    static func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
        guard !x.isNaN else { return lo }
        return min(max(x, lo), hi)
    }

    /// Double → Int that cannot trap (NaN, ∞ and out-of-range values are clamped).
    @inline(__always)
    static func int(_ x: Double) -> Int {
        let c = clamp(x, 0, rateLimit)
        return Int(c.rounded())
    }

    /// Microseconds → milliseconds as Double for the delay filters.
    @inline(__always)
    static func ms(_ micros: Int64) -> Double { Double(micros) / 1000 }

    /// e^(lnPerSecond · seconds) for small exponents (|·| ≤ 1 after clamping), by a
    /// Taylor series: the standard library has no `exp`/`pow` without Foundation/libc,
    /// and growth factors like 1.08^t with t ≤ 1 s only need this range.
    static func growth(lnPerSecond: Double, seconds: Double) -> Double {
        let y = clamp(lnPerSecond * seconds, -1, 1)
        var sum = 1.0, term = 1.0
        for n in 1...12 {
            term *= y / Double(n)
            sum += term
        }
        return sum
    }
}
