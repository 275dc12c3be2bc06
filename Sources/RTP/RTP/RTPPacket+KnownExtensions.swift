import SFUBase
// Typed access to header extensions an SFU reads or rewrites on every packet. The ids are
// negotiated per session in SDP (RFC 8285 §5), so callers pass them in.

extension RTPPacket {
    /// Transport-wide sequence number
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), 2 bytes.
    public func transportSequenceNumber(id: UInt8) -> UInt16? {
        guard let value = extensionElement(id: id), value.count == 2 else { return nil }
        return value.readUInt16(at: 0)
    }

    /// Rewrites the transport-wide sequence number in place; false when the element is absent.
    @discardableResult
    public func setTransportSequenceNumber(_ sequenceNumber: UInt16, id: UInt8) -> Bool {
        guard let value = extensionElement(id: id), value.count == 2 else { return false }
        value.writeUInt16(sequenceNumber, at: 0)
        return true
    }

    /// Client-to-mixer audio level (RFC 6464 §3): level in -dBov (0 loudest … 127 silence)
    /// and the voice-activity flag.
    public func audioLevel(id: UInt8) -> (level: UInt8, voiceActivity: Bool)? {
        guard let value = extensionElement(id: id), value.count >= 1 else { return nil }
        let byte = value.readUInt8(at: 0)
        return (byte & 0x7F, byte & 0x80 != 0)
    }

    /// A text-valued extension such as MID or RID (RFC 8843 §15, RFC 8852 §3), or nil.
    /// Allocates a String: for signalling-rate use (first packets of a stream), not per packet.
    public func textExtension(id: UInt8) -> String? {
        guard let value = extensionElement(id: id) else { return nil }
        return decodeUTF8(Array(value))
    }
}
