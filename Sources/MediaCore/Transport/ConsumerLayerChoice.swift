import SFUBase

/// Which encoding of a simulcast source (one m-line sending several layers, RFC 8853) one
/// consumer forwards: the highest layer the publisher is sending, up to the consumer's ceiling
/// (Janus `substream`, and what its subscriber's bandwidth allows), falling back to the next one when it stops,
/// and switching only where the new layer starts a decodable picture, so the subscriber sees one
/// continuous stream. Every consumer of a source chooses on its own. Sans-IO: fed packet
/// arrivals (with the producer's view of which layers are live) and time.
struct ConsumerLayerChoice {
    /// What to do with one packet of the source.
    enum Verdict: Equatable {
        /// The packet belongs to the forwarded layer (it may have just become the forwarded one).
        case forward(switched: Bool)
        /// Another layer's packet: not forwarded.
        case drop
        /// A packet of the layer to switch to, but not a picture start: not forwarded, and the
        /// publisher should be asked for a keyframe on that layer.
        case dropAndRequestKeyframe
    }

    let layerCount: Int
    /// The forwarded layer, nil until the first switch.
    private(set) var current: Int?
    /// The highest layer this consumer wants (nil: the top one).
    var ceiling: Int?
    /// The highest layer its subscriber's bandwidth allows (the allocator's choice; nil: any).
    var budgetCeiling: Int?
    /// Janus `fallback`: how long a layer may send nothing before it counts as stopped (nil:
    /// the producer's 250 ms view, `liveLayers`). With its own value the consumer keeps its own
    /// view from the packets it sees.
    var fallbackNanoseconds: UInt64? {
        didSet { if fallbackNanoseconds == nil { lastSeen = InlineArray(repeating: 0) } }
    }
    /// When each layer last had a packet (ns + 1; 0: never), for the consumer's own fallback.
    private var lastSeen = InlineArray<8, UInt64>(repeating: 0)
    private var lastKeyframeRequestAt: MonotonicInstant?

    /// Keyframe requests for a layer to switch to are throttled to one per this interval.
    static let keyframeRequestIntervalNanoseconds: UInt64 = 300_000_000

    init(layerCount: Int, ceiling: Int? = nil) {
        self.layerCount = max(1, layerCount)
        self.ceiling = ceiling
    }

    /// The layer to forward: the highest live one (bit `i` of `liveLayers`) not above the ceiling,
    /// else the lowest live one (a ceiling below everything sent still gets a picture).
    @inline(__always)
    func targetLayer(liveLayers: UInt8) -> Int? {
        guard liveLayers != 0 else { return nil }
        let limit = min(ceiling ?? 7, budgetCeiling ?? 7, layerCount - 1, 7)
        let allowed = liveLayers & UInt8(truncatingIfNeeded: (1 << (limit + 1)) - 1)
        let pick = allowed != 0 ? allowed : liveLayers & (~liveLayers &+ 1)
        return 7 - pick.leadingZeroBitCount
    }

    /// A packet of layer `layer` arrived; `liveLayers` is the producer's view of which layers
    /// send, `startsPicture` whether a receiver could start decoding at this packet.
    @inline(__always)
    mutating func packetArrived(
        layer: Int, liveLayers: UInt8, startsPicture: Bool, now: MonotonicInstant
    ) -> Verdict {
        var liveLayers = liveLayers
        if let fallback = fallbackNanoseconds, layer >= 0, layer < 8 {
            lastSeen[layer] = now.nanoseconds &+ 1
            liveLayers = 0
            for index in 0..<min(layerCount, 8) where lastSeen[index] != 0 && now.nanoseconds &+ 1 &- lastSeen[index] < fallback {
                liveLayers |= 1 << UInt8(index)
            }
        }
        let target = targetLayer(liveLayers: liveLayers)
        if layer == current {
            // Stay on the current layer until the target's keyframe arrives (or it is the target).
            return .forward(switched: false)
        }
        guard layer == target else { return .drop }
        if startsPicture {
            current = layer
            return .forward(switched: true)
        }
        if let last = lastKeyframeRequestAt, now.nanoseconds(since: last) < Self.keyframeRequestIntervalNanoseconds {
            return .drop
        }
        lastKeyframeRequestAt = now
        return .dropAndRequestKeyframe
    }

    /// The consumer starts over (a new source, a pause): the next layer is chosen afresh.
    mutating func reset() {
        current = nil
        lastKeyframeRequestAt = nil
    }
}
