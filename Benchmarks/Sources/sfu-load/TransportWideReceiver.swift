import RTP
import SFUBase

/// A subscriber's receive side of transport-wide congestion control, as a browser does it: the
/// server's transport-wide number and the arrival time of every packet, reported back every
/// 100 ms (draft-holmer-rmcat-transport-wide-cc-extensions-01), so that the server's per-subscriber
/// estimator runs under load as it does with browsers.
struct TransportWideReceiver {
    static let intervalNanoseconds: UInt64 = 100_000_000
    /// Statuses per feedback packet: well under an MTU.
    static let maximumPerFeedback = 300

    let extensionID: UInt8
    private var arrivals: [(sequenceNumber: UInt16, arrivalMicroseconds: Int64)] = []
    private var feedbackCount: UInt8 = 0
    private(set) var nextFeedback = MonotonicInstant(nanoseconds: 0)

    init(extensionID: UInt8) {
        self.extensionID = extensionID
        arrivals.reserveCapacity(1024)
    }

    /// Records the packet's transport-wide number, read from its header (SRTP leaves the header
    /// and its extensions in clear, RFC 3711 §3.1). Parsed by hand: the SRTP tag at the end would
    /// be taken for the padding count of a padding packet.
    mutating func record(header datagram: UnsafeRawBufferPointer, arrivalNanoseconds: UInt64) {
        guard datagram.count >= 16, datagram[0] & 0x10 != 0 else { return }
        var offset = 12 + Int(datagram[0] & 0x0F) * 4
        guard offset + 4 <= datagram.count else { return }
        let profile = UInt16(datagram[offset]) << 8 | UInt16(datagram[offset + 1])
        let end = min(datagram.count, offset + 4 + (Int(datagram[offset + 2]) << 8 | Int(datagram[offset + 3])) * 4)
        offset += 4
        let oneByte = profile == 0xBEDE
        guard oneByte || profile & 0xFFF0 == 0x1000 else { return }
        while offset < end {
            let first = datagram[offset]
            if first == 0 { offset += 1; continue }  // padding
            let id = oneByte ? first >> 4 : first
            guard !oneByte || id != 15, offset + (oneByte ? 1 : 2) <= end else { return }
            let length = oneByte ? Int(first & 0x0F) + 1 : Int(datagram[offset + 1])
            let value = offset + (oneByte ? 1 : 2)
            guard value + length <= end else { return }
            if id == extensionID, length == 2 {
                record(UInt16(datagram[value]) << 8 | UInt16(datagram[value + 1]), arrivalNanoseconds: arrivalNanoseconds)
                return
            }
            offset = value + length
        }
    }

    mutating func record(_ sequenceNumber: UInt16, arrivalNanoseconds: UInt64) {
        guard arrivals.count < 8192 else { return }
        arrivals.append((sequenceNumber, Int64(arrivalNanoseconds / 1_000)))
    }

    /// The feedback due at `now` (none before the interval is over or without arrivals).
    mutating func feedback(now: MonotonicInstant, senderSSRC: UInt32, mediaSSRC: UInt32) -> [RTCPTransportWideFeedback] {
        guard now >= nextFeedback else { return [] }
        nextFeedback = now.adding(nanoseconds: Self.intervalNanoseconds)
        guard let first = arrivals.first?.sequenceNumber else { return [] }
        // Order by distance from the first number (wrap-aware); duplicates keep their first arrival.
        arrivals.sort { ($0.sequenceNumber &- first) < ($1.sequenceNumber &- first) }
        var unique: [(sequenceNumber: UInt16, arrivalMicroseconds: Int64)] = []
        unique.reserveCapacity(arrivals.count)
        for arrival in arrivals where unique.last?.sequenceNumber != arrival.sequenceNumber { unique.append(arrival) }
        arrivals.removeAll(keepingCapacity: true)
        var messages: [RTCPTransportWideFeedback] = []
        var start = 0
        while start < unique.count {
            let end = min(start + Self.maximumPerFeedback, unique.count)
            if let message = try? RTCPTransportWideFeedback(
                senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, feedbackPacketCount: feedbackCount,
                arrivals: Array(unique[start..<end]))
            {
                messages.append(message)
                feedbackCount &+= 1
            }
            start = end
        }
        return messages
    }
}
