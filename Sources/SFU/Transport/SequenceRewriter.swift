/// Keeps an outgoing RTP sequence number continuous when forwarding pauses and resumes
/// (a receiver seeing a jump would NACK packets that were never meant for it).
struct SequenceRewriter {
    private var offset: UInt16 = 0
    private var lastOutput: UInt16 = 0
    private var started = false
    private var resync = false

    /// What is currently added to incoming sequence numbers (to map feedback back).
    var currentOffset: UInt16 { offset }

    /// Call when packets of this stream start being dropped on purpose.
    mutating func pause() { resync = started }

    /// The outgoing sequence number for an incoming one.
    @inline(__always)
    mutating func rewrite(_ incoming: UInt16) -> UInt16 {
        if resync {
            offset = lastOutput &+ 1 &- incoming
            resync = false
        }
        let output = incoming &+ offset
        // Only move forward; a late (reordered) packet keeps its mapping but not the high mark.
        if !started || Int16(bitPattern: output &- lastOutput) > 0 { lastOutput = output }
        started = true
        return output
    }
}
