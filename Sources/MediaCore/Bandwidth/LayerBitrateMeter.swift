import SFUBase

/// The bitrate of each layer of a consumer's source, as the consumer sees its packets go by
/// (every layer's packets reach every consumer of a simulcast source, forwarded or not): what
/// the allocator prices a layer at. One subscriber's view, so no state is shared between
/// workers, and a source on another worker costs nothing extra.
///
/// Counting is an add into inline storage per packet; rates are taken on the transport's timer.
struct LayerBitrateMeter {
    static let layers = 4
    /// Rates are taken over windows of this length and smoothed over about three of them: a
    /// keyframe is a burst a layer's price should include, but not be set by.
    static let windowNanoseconds: UInt64 = 500_000_000

    private var bytes = InlineArray<4, Int>(repeating: 0)
    /// Smoothed bits per second of each layer; 0 for a layer that sent nothing in the last window.
    private(set) var bitsPerSecond = InlineArray<4, Int>(repeating: 0)
    private var windowStart: MonotonicInstant?
    /// Whether two whole windows have been measured: the first, as a source starts, holds every
    /// layer's first keyframe and says little about what the layers cost.
    var isMeasured: Bool { windows >= 2 }
    private var windows = 0

    @inline(__always)
    mutating func count(layer: Int, bytes size: Int) {
        guard layer >= 0, layer < Self.layers else { return }
        bytes[layer] &+= size
    }

    /// Closes the window when it is over. Returns whether the rates changed.
    mutating func update(now: MonotonicInstant) -> Bool {
        guard let start = windowStart else {
            windowStart = now
            return false
        }
        let elapsed = now.nanoseconds(since: start)
        guard elapsed >= Self.windowNanoseconds else { return false }
        for layer in 0..<Self.layers {
            let measured = Int(UInt64(bytes[layer]) * 8 * 1_000_000_000 / elapsed)
            bytes[layer] = 0
            if measured == 0 {
                bitsPerSecond[layer] = 0  // the layer stopped: it cannot be chosen
            } else if windows < 2 || bitsPerSecond[layer] == 0 {
                bitsPerSecond[layer] = measured
            } else {
                bitsPerSecond[layer] = (bitsPerSecond[layer] * 2 + measured) / 3
            }
        }
        windowStart = now
        windows = min(windows + 1, 2)
        return true
    }

    /// The rates as an array (for the allocator, on the timer path).
    var rates: [Int] { (0..<Self.layers).map { bitsPerSecond[$0] } }
}
