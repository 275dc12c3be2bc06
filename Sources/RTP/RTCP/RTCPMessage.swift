/// An RTCP packet that knows how to write itself into a caller buffer.
public protocol RTCPWritable {
    /// Writes the packet at the start of `buffer`; returns its length (a multiple of 4).
    func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int
}

extension RTCPSenderReport: RTCPWritable {}
extension RTCPReceiverReport: RTCPWritable {}
extension RTCPSourceDescription: RTCPWritable {}
extension RTCPGoodbye: RTCPWritable {}
extension RTCPGenericNACK: RTCPWritable {}
extension RTCPPictureLossIndication: RTCPWritable {}
extension RTCPFullIntraRequest: RTCPWritable {}
extension RTCPReceiverEstimatedMaxBitrate: RTCPWritable {}
extension RTCPTransportWideFeedback: RTCPWritable {}

/// Appends RTCP packets one after another into a caller buffer to form a compound packet
/// (RFC 3550 §6.1: an SR or RR first, then SDES with the CNAME).
public struct RTCPCompoundWriter {
    public let buffer: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    public private(set) var length = 0

    public init(buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    public mutating func append(_ packet: some RTCPWritable) throws(RTCPError) {
        let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[length...])
        length += try packet.write(into: rest)
    }
}

/// One RTCP packet parsed into its typed form; `.other` keeps what is not understood
/// (APP, XR, unknown feedback) so callers can count or forward it.
public enum RTCPMessage: Sendable, Equatable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
    case goodbye(RTCPGoodbye)
    case genericNACK(RTCPGenericNACK)
    case pictureLossIndication(RTCPPictureLossIndication)
    case fullIntraRequest(RTCPFullIntraRequest)
    case receiverEstimatedMaxBitrate(RTCPReceiverEstimatedMaxBitrate)
    case transportWideFeedback(RTCPTransportWideFeedback)
    case other(packetType: UInt8, count: UInt8)

    /// Parses `packet` by type and format.
    public init(_ packet: RTCPPacket) throws(RTCPError) {
        switch (packet.packetType, packet.feedbackFormat) {
        case (RTCPPacketType.senderReport, _): self = .senderReport(try RTCPSenderReport(packet))
        case (RTCPPacketType.receiverReport, _): self = .receiverReport(try RTCPReceiverReport(packet))
        case (RTCPPacketType.sourceDescription, _): self = .sourceDescription(try RTCPSourceDescription(packet))
        case (RTCPPacketType.goodbye, _): self = .goodbye(try RTCPGoodbye(packet))
        case (RTCPPacketType.transportFeedback, RTCPFeedbackFormat.genericNACK):
            self = .genericNACK(try RTCPGenericNACK(packet))
        case (RTCPPacketType.transportFeedback, RTCPFeedbackFormat.transportWideCC):
            self = .transportWideFeedback(try RTCPTransportWideFeedback(packet))
        case (RTCPPacketType.payloadSpecificFeedback, RTCPFeedbackFormat.pictureLossIndication):
            self = .pictureLossIndication(try RTCPPictureLossIndication(packet))
        case (RTCPPacketType.payloadSpecificFeedback, RTCPFeedbackFormat.fullIntraRequest):
            self = .fullIntraRequest(try RTCPFullIntraRequest(packet))
        case (RTCPPacketType.payloadSpecificFeedback, RTCPFeedbackFormat.applicationLayer)
        where RTCPReceiverEstimatedMaxBitrate.matches(packet):
            self = .receiverEstimatedMaxBitrate(try RTCPReceiverEstimatedMaxBitrate(packet))
        default:
            self = .other(packetType: packet.packetType, count: packet.count)
        }
    }

    /// Parses every packet of a compound packet; malformed members become errors in place.
    public static func parseCompound(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int
    ) throws(RTCPError) -> [Result<RTCPMessage, RTCPError>] {
        let compound = try RTCPCompoundPacket(buffer: buffer, length: length)
        var out: [Result<RTCPMessage, RTCPError>] = []
        for packet in compound {
            do throws(RTCPError) { out.append(.success(try RTCPMessage(packet))) } catch { out.append(.failure(error)) }
        }
        return out
    }
}
