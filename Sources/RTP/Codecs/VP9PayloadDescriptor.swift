import SFUBase
/// The VP9 RTP payload descriptor (RFC 9628 §4.2), as far as forwarding needs: keyframe,
/// picture id, temporal and spatial layer. A value; parsing returns nil on truncation.
public struct VP9PayloadDescriptor: Sendable, Equatable {
    /// P bit: the picture is inter-predicted.
    public var isInterPicture: Bool
    /// B bit: first packet of a frame (of one spatial layer).
    public var isStartOfFrame: Bool
    /// E bit: last packet of a frame.
    public var isEndOfFrame: Bool
    /// F bit: flexible mode.
    public var isFlexibleMode: Bool
    /// V bit: a scalability structure follows.
    public var hasScalabilityStructure: Bool
    public var pictureID: UInt16?
    public var pictureIDIs15Bit: Bool
    /// TID, when the L bit is set.
    public var temporalLayer: UInt8?
    /// SID, when the L bit is set.
    public var spatialLayer: UInt8?
    /// U bit: switching up point, meaningful with the L bit.
    public var isSwitchingUpPoint: Bool
    /// D bit: inter-layer dependency, meaningful with the L bit.
    public var dependsOnLowerSpatialLayer: Bool
    /// TL0PICIDX (non-flexible mode with the L bit).
    public var tl0PictureIndex: UInt8?
    /// True for the first packet of a keyframe: not inter-predicted, start of frame, base
    /// spatial layer.
    public var isKeyframe: Bool

    public init?(payload: UnsafeRawBufferPointer) {
        guard payload.count >= 1 else { return nil }
        let first = payload.readUInt8(at: 0)
        let hasPictureID = first & 0x80 != 0
        isInterPicture = first & 0x40 != 0
        let hasLayers = first & 0x20 != 0
        isFlexibleMode = first & 0x10 != 0
        isStartOfFrame = first & 0x08 != 0
        isEndOfFrame = first & 0x04 != 0
        hasScalabilityStructure = first & 0x02 != 0
        pictureID = nil
        pictureIDIs15Bit = false
        temporalLayer = nil
        spatialLayer = nil
        isSwitchingUpPoint = false
        dependsOnLowerSpatialLayer = false
        tl0PictureIndex = nil
        var offset = 1
        if hasPictureID {
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
        if hasLayers {
            guard payload.count > offset else { return nil }
            let b = payload.readUInt8(at: offset)
            temporalLayer = b >> 5
            isSwitchingUpPoint = b & 0x10 != 0
            spatialLayer = (b >> 1) & 0x07
            dependsOnLowerSpatialLayer = b & 0x01 != 0
            offset += 1
            if !isFlexibleMode {
                guard payload.count > offset else { return nil }
                tl0PictureIndex = payload.readUInt8(at: offset)
            }
        }
        isKeyframe = !isInterPicture && isStartOfFrame && (spatialLayer ?? 0) == 0
    }

    public init?(payload: UnsafeMutableRawBufferPointer) {
        self.init(payload: UnsafeRawBufferPointer(payload))
    }
}

/// H.264 RTP payload inspection (RFC 6184 §5): whether a packet starts a keyframe.
public enum H264Payload {
    /// NAL unit types that start a decodable picture: IDR slice (5), SPS (7).
    static func isKeyframeNAL(_ type: UInt8) -> Bool { type == 5 || type == 7 }

    /// True when the packet carries an IDR slice or SPS: as a single NAL unit, inside a
    /// STAP-A aggregate (§5.7.1), or as the first fragment of an FU-A (§5.8).
    public static func isKeyframe(payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 1 else { return false }
        let type = payload.readUInt8(at: 0) & 0x1F
        switch type {
        case 1...23:
            return isKeyframeNAL(type)
        case 24:  // STAP-A: 16-bit size then NAL unit, repeated
            var offset = 1
            while offset + 2 < payload.count {
                let size = Int(payload.readUInt16(at: offset))
                guard size > 0, offset + 2 + size <= payload.count else { return false }
                if isKeyframeNAL(payload.readUInt8(at: offset + 2) & 0x1F) { return true }
                offset += 2 + size
            }
            return false
        case 28:  // FU-A: FU header S bit and original type
            guard payload.count >= 2 else { return false }
            let header = payload.readUInt8(at: 1)
            return header & 0x80 != 0 && isKeyframeNAL(header & 0x1F)
        default:
            return false
        }
    }

    public static func isKeyframe(payload: UnsafeMutableRawBufferPointer) -> Bool {
        isKeyframe(payload: UnsafeRawBufferPointer(payload))
    }
}
