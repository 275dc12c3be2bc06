/// Keeps an outgoing RTP sequence number continuous when forwarding pauses and resumes
/// (a receiver seeing a jump would NACK packets that were never meant for it).
struct SequenceRewriter {
    private var offset: UInt16 = 0
    private var lastOutput: UInt16 = 0
    private var started = false
    private var resync = false
    /// How many outgoing numbers (up to `lastOutput`) the current offset has produced; older
    /// ones were sent under another offset (another source, or before a pause).
    private var span = 0
    /// The first incoming number of the current mapping: a late packet from before it belongs
    /// to the previous mapping, and rewriting it now could repeat an outgoing number. It trails
    /// the highest incoming number by at most `lateWindow`, so that on a long stream the
    /// comparison (half the sequence space either way) never turns on the stream itself.
    private var spanStart: UInt16 = 0

    /// How far behind the newest packet a late one is still taken (older ones are refused).
    static let lateWindow: UInt16 = 0x4000

    /// What is currently added to incoming sequence numbers (to map feedback back).
    var currentOffset: UInt16 { offset }

    /// Call when packets of this stream start being dropped on purpose.
    mutating func pause() { resync = started }

    /// True when `outgoing` was produced by the current offset, so `outgoing - currentOffset`
    /// names the packet that was sent under it (NACK answers must not resend another packet).
    func isCurrentMapping(_ outgoing: UInt16) -> Bool {
        let distance = lastOutput &- outgoing
        return started && distance < 0x8000 && Int(distance) < span
    }

    /// The outgoing number for an incoming one, or nil for a late packet from before the current
    /// mapping began (another source, or before a pause): it was never meant for this stream now,
    /// and its number could collide with one already sent.
    @inline(__always)
    mutating func rewriteIfCurrent(_ incoming: UInt16) -> UInt16? {
        if started && !resync && Int16(bitPattern: incoming &- spanStart) < 0 { return nil }
        return rewrite(incoming)
    }

    /// The outgoing sequence number for an incoming one.
    @inline(__always)
    mutating func rewrite(_ incoming: UInt16) -> UInt16 {
        if resync {
            offset = lastOutput &+ 1 &- incoming
            resync = false
            span = 0
            spanStart = incoming
        }
        if !started { spanStart = incoming }
        let output = incoming &+ offset
        // Only move forward; a late (reordered) packet keeps its mapping but not the high mark.
        if !started {
            lastOutput = output
            span = 1
        } else if Int16(bitPattern: output &- lastOutput) > 0 {
            span = min(span + Int(output &- lastOutput), 0x10000)
            lastOutput = output
            let newest = lastOutput &- offset
            if newest &- spanStart > Self.lateWindow { spanStart = newest &- Self.lateWindow }
        }
        started = true
        return output
    }
}
