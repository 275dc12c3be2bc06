import RTP

/// Keeps VP8 picture ids and TL0PICIDX continuous when a forwarded stream changes the encoding
/// it comes from (a simulcast layer switch). A receiver tracks frame references by picture id
/// (RFC 7741 §4.2): the new layer's ids would otherwise jump, and frames that look older than
/// the last decoded one are thrown away.
///
/// Works in place on one consumer's copy of a payload as it is sent; confined to the consumer's
/// worker thread like the consumer that holds it.
struct VP8PictureContinuity {
    private var pictureOffset: UInt16 = 0
    private var tl0Offset: UInt8 = 0
    private var lastPicture: UInt16?
    private var lastTL0: UInt8?
    private var resync = false

    /// The next packet comes from another encoding: continue its numbering from the last one.
    mutating func sourceChanged() { resync = lastPicture != nil || lastTL0 != nil }

    /// Rewrites the descriptor of a packet sent before (a retransmission) with the current
    /// offsets, leaving the continuity's state alone.
    func apply(to payload: UnsafeMutableRawBufferPointer) {
        guard let descriptor = VP8PayloadDescriptor(payload: payload) else { return }
        if let picture = descriptor.pictureID, pictureOffset != 0 {
            let mask: UInt16 = descriptor.pictureIDIs15Bit ? 0x7FFF : 0x7F
            VP8PayloadDescriptor.rewritePictureID((picture &+ pictureOffset) & mask, in: payload, descriptor: descriptor)
        }
        if let tl0 = descriptor.tl0PictureIndex, tl0Offset != 0 {
            VP8PayloadDescriptor.rewriteTL0PictureIndex(tl0 &+ tl0Offset, in: payload, descriptor: descriptor)
        }
    }

    /// Rewrites the descriptor at the start of `payload` (a VP8 RTP payload) in place.
    mutating func rewrite(_ payload: UnsafeMutableRawBufferPointer) {
        guard let descriptor = VP8PayloadDescriptor(payload: payload) else { return }
        if resync {
            resync = false
            if let picture = descriptor.pictureID, let last = lastPicture { pictureOffset = last &+ 1 &- picture }
            if let tl0 = descriptor.tl0PictureIndex, let last = lastTL0 { tl0Offset = last &+ 1 &- tl0 }
        }
        if let picture = descriptor.pictureID {
            let mask: UInt16 = descriptor.pictureIDIs15Bit ? 0x7FFF : 0x7F
            let output = (picture &+ pictureOffset) & mask
            if pictureOffset != 0 { VP8PayloadDescriptor.rewritePictureID(output, in: payload, descriptor: descriptor) }
            lastPicture = output
        }
        if let tl0 = descriptor.tl0PictureIndex {
            let output = tl0 &+ tl0Offset
            if tl0Offset != 0 {
                VP8PayloadDescriptor.rewriteTL0PictureIndex(output, in: payload, descriptor: descriptor)
            }
            lastTL0 = output
        }
    }
}
