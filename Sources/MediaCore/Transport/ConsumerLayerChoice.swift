import RTP
import SFUBase

/// Which encoding of a simulcast source (one m-line sending several layers, RFC 8853) is
/// forwarded: the highest layer the publisher is sending, falling back to the next one when it
/// stops, and switching only where the new layer starts a decodable picture, so every
/// subscriber sees one continuous stream. Sans-IO: fed packet arrivals and time.
///
/// Until subscribers choose layers themselves, this choice is made once per source and every
/// subscriber of it receives the same layer.
struct SimulcastLayerSelector {
    /// What to do with one packet of the source.
    enum Verdict: Equatable {
        /// The packet belongs to the forwarded layer (it may have just become the forwarded one).
        case forward(switched: Bool)
        /// Another layer's packet: not forwarded.
        case drop
        /// A packet of the layer we want to switch to, but not a picture start: not forwarded,
        /// and the caller should ask the publisher for a keyframe on `ssrc`.
        case dropAndRequestKeyframe(ssrc: UInt32)
    }

    private struct Layer {
        var ssrc: UInt32?
        var lastPacketAt: MonotonicInstant?
        var lastKeyframeRequestAt: MonotonicInstant?
    }

    /// Layers by quality, 0 the lowest.
    private var layers: [Layer]
    /// The forwarded layer, nil until the first switch.
    private(set) var current: Int?
    /// A layer that sent nothing for this long no longer counts as sent (Janus `fallback`,
    /// 250 ms by default): the next lower one that is still sending takes over.
    let fallbackNanoseconds: UInt64

    /// Keyframe requests for a layer we want to switch to are throttled to one per this interval.
    static let keyframeRequestIntervalNanoseconds: UInt64 = 300_000_000
    static let defaultFallbackNanoseconds: UInt64 = 250_000_000

    init(layerCount: Int, fallbackNanoseconds: UInt64 = Self.defaultFallbackNanoseconds) {
        layers = Array(repeating: Layer(), count: max(1, layerCount))
        self.fallbackNanoseconds = fallbackNanoseconds
    }

    var layerCount: Int { layers.count }

    /// The SSRC of the forwarded layer (keyframe requests and NACKs for it go there).
    var currentSSRC: UInt32? { current.flatMap { layers[$0].ssrc } }

    /// The highest layer that has sent something within the fallback window.
    func targetLayer(now: MonotonicInstant) -> Int? {
        for index in layers.indices.reversed() {
            if let last = layers[index].lastPacketAt, now.nanoseconds(since: last) < fallbackNanoseconds {
                return index
            }
        }
        return nil
    }

    /// A packet of layer `layer` (SSRC `ssrc`) arrived; `startsPicture` says whether a
    /// receiver could start decoding at it (a keyframe start).
    mutating func packetArrived(
        layer: Int, ssrc: UInt32, startsPicture: Bool, now: MonotonicInstant
    ) -> Verdict {
        guard layers.indices.contains(layer) else { return .drop }
        layers[layer].ssrc = ssrc
        layers[layer].lastPacketAt = now
        if layer == current { return .forward(switched: false) }
        guard layer == targetLayer(now: now) else { return .drop }
        if startsPicture {
            current = layer
            return .forward(switched: true)
        }
        if let last = layers[layer].lastKeyframeRequestAt,
            now.nanoseconds(since: last) < Self.keyframeRequestIntervalNanoseconds
        {
            return .drop
        }
        layers[layer].lastKeyframeRequestAt = now
        return .dropAndRequestKeyframe(ssrc: ssrc)
    }
}
