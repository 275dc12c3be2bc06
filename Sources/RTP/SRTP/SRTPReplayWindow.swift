/// Per-SSRC packet-index state: highest index seen and a 128-entry replay bitmap
/// (RFC 3711 §3.3.2). Used for both the 48-bit SRTP index and the 31-bit SRTCP index.
struct SRTPReplayWindow {
    static let size: UInt64 = 128

    private(set) var highest: UInt64 = 0
    /// Bit k of (low, high) set means index `highest - k` was accepted.
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private(set) var hasReceived = false

    /// The rollover-counter estimate of RFC 3711 §3.3.1 / Appendix A. As libsrtp does, a
    /// guess that would need a negative ROC is taken as ROC 0.
    @inline(__always)
    func estimateIndex(sequenceNumber seq: UInt16) -> UInt64 {
        guard hasReceived else { return UInt64(seq) }
        let localROC = highest >> 16
        let localSeq = UInt16(truncatingIfNeeded: highest)
        var roc = localROC
        if localSeq < 0x8000 {
            if seq > localSeq, seq - localSeq > 0x8000, localROC > 0 { roc = localROC - 1 }
        } else {
            if localSeq - 0x8000 > seq { roc = (localROC + 1) & 0xFFFF_FFFF }
        }
        return roc << 16 | UInt64(seq)
    }

    /// True when `index` is new: ahead of the window, or inside it and not yet seen.
    @inline(__always)
    func isFresh(_ index: UInt64) -> Bool {
        guard hasReceived, index <= highest else { return true }
        let distance = highest - index
        if distance >= Self.size { return false }
        return distance < 64 ? low & (1 << distance) == 0 : high & (1 << (distance - 64)) == 0
    }

    /// Records `index` as accepted, sliding the window forward when it is the newest.
    @inline(__always)
    mutating func accept(_ index: UInt64) {
        guard hasReceived else {
            hasReceived = true
            highest = index
            low = 1
            high = 0
            return
        }
        if index > highest {
            let shift = index - highest
            if shift >= 128 {
                low = 0
                high = 0
            } else if shift >= 64 {
                high = low << (shift - 64)
                low = 0
            } else {
                high = high << shift | low >> (64 - shift)
                low = low << shift
            }
            low |= 1
            highest = index
        } else {
            let distance = highest - index
            if distance < 64 {
                low |= 1 << distance
            } else if distance < 128 {
                high |= 1 << (distance - 64)
            }
        }
    }
}
