/// What a datagram arriving on a shared media port is, by its first byte (RFC 7983 §7, as
/// updated by RFC 9443 for the ranges used here):
///
///     0–3       STUN
///     20–63     DTLS
///     128–191   RTP or RTCP; RTCP when the second byte (packet type) is 192–223 (RFC 5761 §4)
///     anything else (ZRTP 16–19, TURN channels 64–79, QUIC, …) → unknown
///
/// Pure functions; any thread. The media worker calls this once per received datagram.
public enum DatagramKind: Sendable, Hashable {
    case stun, dtls, rtp, rtcp, unknown

    /// Classifies by the first two bytes (`secondByte` only matters for RTP/RTCP).
    @inlinable
    public static func classify(firstByte: UInt8, secondByte: UInt8) -> DatagramKind {
        switch firstByte {
        case 0...3:
            return .stun
        case 20...63:
            return .dtls
        case 128...191:
            return (192...223).contains(secondByte) ? .rtcp : .rtp
        default:
            return .unknown
        }
    }

    /// Classifies a whole datagram. Empty input, or an RTP-range first byte without a second
    /// byte, is `.unknown`.
    @inlinable
    public static func classify(_ datagram: UnsafeRawBufferPointer) -> DatagramKind {
        guard datagram.count >= 1 else { return .unknown }
        let first = datagram[0]
        if (128...191).contains(first) {
            guard datagram.count >= 2 else { return .unknown }
            return classify(firstByte: first, secondByte: datagram[1])
        }
        return classify(firstByte: first, secondByte: 0)
    }

    /// Classifies the start of a byte collection (tests, non-hot paths).
    public static func classify(_ bytes: some Collection<UInt8>) -> DatagramKind {
        var iterator = bytes.makeIterator()
        guard let first = iterator.next() else { return .unknown }
        let second = iterator.next()
        if (128...191).contains(first), second == nil { return .unknown }
        return classify(firstByte: first, secondByte: second ?? 0)
    }
}
