import SFUBase
/// The VP8 RTP payload descriptor (RFC 7741 §4.2), parsed from the start of an RTP payload.
///
/// Holds what forwarding needs: whether a packet starts a keyframe, the picture id and the
/// temporal layer. A value type; parsing never traps on malformed bytes (it returns nil).
public struct VP8PayloadDescriptor: Sendable, Equatable {
    /// N bit: the frame is not used as a reference.
    public var isNonReference: Bool
    /// S bit: the packet starts a VP8 partition.
    public var isStartOfPartition: Bool
    /// PID: the partition index (0 = first partition).
    public var partitionIndex: UInt8
    /// The picture id (7 or 15 bits), when the I bit is set.
    public var pictureID: UInt16?
    /// True when the picture id is in the 15-bit form (M bit).
    public var pictureIDIs15Bit: Bool
    /// TL0PICIDX, when the L bit is set.
    public var tl0PictureIndex: UInt8?
    /// TID, the temporal layer index, when the T bit is set.
    public var temporalLayer: UInt8?
    /// Y bit: layer sync, meaningful when the T bit is set.
    public var layerSync: Bool
    /// KEYIDX, when the K bit is set.
    public var keyIndex: UInt8?
    /// Bytes of descriptor: the VP8 payload header follows.
    public var length: Int
    /// True when this packet carries the start of a VP8 keyframe (RFC 7741 §4.3: S=1, PID=0
    /// and the P bit of the VP8 payload header clear).
    public var isKeyframe: Bool

    /// Parses the descriptor at the start of `payload`; nil when truncated.
    public init?(payload: UnsafeRawBufferPointer) {
        guard payload.count >= 1 else { return nil }
        let first = payload.readUInt8(at: 0)
        isNonReference = first & 0x20 != 0
        isStartOfPartition = first & 0x10 != 0
        partitionIndex = first & 0x07
        pictureID = nil
        pictureIDIs15Bit = false
        tl0PictureIndex = nil
        temporalLayer = nil
        layerSync = false
        keyIndex = nil
        var offset = 1
        if first & 0x80 != 0 {
            guard payload.count > offset else { return nil }
            let ext = payload.readUInt8(at: offset)
            offset += 1
            if ext & 0x80 != 0 {  // I
                guard payload.count > offset else { return nil }
                let b = payload.readUInt8(at: offset)
                if b & 0x80 != 0 {
                    guard payload.count > offset + 1 else { return nil }
                    pictureID = UInt16(b & 0x7F) << 8 | UInt16(payload.readUInt8(at: offset + 1))
                    pictureIDIs15Bit = true
                    offset += 2
                } else {
                    pictureID = UInt16(b)
                    offset += 1
                }
            }
            if ext & 0x40 != 0 {  // L
                guard payload.count > offset else { return nil }
                tl0PictureIndex = payload.readUInt8(at: offset)
                offset += 1
            }
            if ext & 0x30 != 0 {  // T or K share one byte
                guard payload.count > offset else { return nil }
                let b = payload.readUInt8(at: offset)
                if ext & 0x20 != 0 {
                    temporalLayer = b >> 6
                    layerSync = b & 0x20 != 0
                }
                if ext & 0x10 != 0 { keyIndex = b & 0x1F }
                offset += 1
            }
        }
        length = offset
        if isStartOfPartition, partitionIndex == 0, payload.count > offset {
            isKeyframe = payload.readUInt8(at: offset) & 0x01 == 0
        } else {
            isKeyframe = false
        }
    }

    /// Parses the descriptor at the start of `payload`; nil when truncated.
    public init?(payload: UnsafeMutableRawBufferPointer) {
        self.init(payload: UnsafeRawBufferPointer(payload))
    }

    /// Offset of the picture id within the descriptor, when present (for in-place rewriting).
    public var pictureIDOffset: Int? { pictureID == nil ? nil : 2 }

    /// Offset of TL0PICIDX within the descriptor, when present (for in-place rewriting).
    public var tl0PictureIndexOffset: Int? {
        guard tl0PictureIndex != nil else { return nil }
        guard pictureID != nil else { return 2 }
        return pictureIDIs15Bit ? 4 : 3
    }

    /// Rewrites TL0PICIDX in place. `payload` must be the one this descriptor was parsed from.
    public static func rewriteTL0PictureIndex(
        _ index: UInt8, in payload: UnsafeMutableRawBufferPointer, descriptor: VP8PayloadDescriptor
    ) {
        guard let offset = descriptor.tl0PictureIndexOffset, payload.count >= descriptor.length else { return }
        payload.writeUInt8(index, at: offset)
    }

    /// Rewrites the picture id in place, keeping its width (7-bit ids are truncated to 7 bits).
    /// `payload` must be the one this descriptor was parsed from.
    public static func rewritePictureID(
        _ pictureID: UInt16, in payload: UnsafeMutableRawBufferPointer, descriptor: VP8PayloadDescriptor
    ) {
        guard descriptor.pictureID != nil, payload.count >= descriptor.length else { return }
        if descriptor.pictureIDIs15Bit {
            payload.writeUInt8(0x80 | UInt8(truncatingIfNeeded: pictureID >> 8) & 0x7F, at: 2)
            payload.writeUInt8(UInt8(truncatingIfNeeded: pictureID), at: 3)
        } else {
            payload.writeUInt8(UInt8(truncatingIfNeeded: pictureID) & 0x7F, at: 2)
        }
    }
}

extension RTPPacket {
    /// The VP8 payload descriptor of this packet, assuming its payload type is VP8.
    public var vp8Descriptor: VP8PayloadDescriptor? {
        VP8PayloadDescriptor(payload: UnsafeRawBufferPointer(payload))
    }
}
