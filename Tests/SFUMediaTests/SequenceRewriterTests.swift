import Testing
@testable import MediaCore
@testable import SFUMedia

@Suite struct SequenceRewriterTests {
    @Test func passesSequenceNumbersThroughUntilPaused() {
        var rewriter = SequenceRewriter()
        #expect(rewriter.rewrite(100) == 100)
        #expect(rewriter.rewrite(101) == 101)
        #expect(rewriter.currentOffset == 0)
    }

    @Test func continuesAfterAPauseWithoutAGap() {
        var rewriter = SequenceRewriter()
        _ = rewriter.rewrite(10)
        _ = rewriter.rewrite(11)
        rewriter.pause()
        // Packets 12…499 were not forwarded; the receiver must see 12 next, not 500.
        #expect(rewriter.rewrite(500) == 12)
        #expect(rewriter.rewrite(501) == 13)
        #expect(rewriter.currentOffset == 12 &- 500)
    }

    @Test func aLatePacketFromBeforeAResyncIsNotRenumbered() {
        var rewriter = SequenceRewriter()
        #expect(rewriter.rewriteIfCurrent(10) == 10)
        #expect(rewriter.rewriteIfCurrent(11) == 11)
        rewriter.pause()
        #expect(rewriteIfCurrent(&rewriter, 500) == 12)
        // 498 belongs to the stretch that was withheld (it would come out as 10: a repeat).
        #expect(rewriteIfCurrent(&rewriter, 498) == nil)
        // A late packet of the current stretch keeps its place.
        #expect(rewriteIfCurrent(&rewriter, 502) == 14)
        #expect(rewriteIfCurrent(&rewriter, 501) == 13)
        // Before anything was sent, older packets than the first are not sent either.
        var fresh = SequenceRewriter()
        #expect(fresh.rewriteIfCurrent(65535) == 65535)
        #expect(fresh.rewriteIfCurrent(65534) == nil)
        #expect(fresh.rewriteIfCurrent(0) == 0)
    }

    /// A long stream (more than half the sequence space after the mapping began, several wraps)
    /// keeps flowing: the late-packet rule must not turn on the stream itself once the distance to
    /// where the mapping began passes 32,768.
    @Test func aLongStreamIsNeverTakenForLatePackets() {
        var rewriter = SequenceRewriter()
        var incoming: UInt16 = 40_000
        var refused = 0
        for _ in 0..<200_000 {
            if rewriter.rewriteIfCurrent(incoming) == nil { refused += 1 }
            incoming &+= 1
        }
        #expect(refused == 0)
        // After a pause and a long stretch, a packet from far before is still refused...
        rewriter.pause()
        _ = rewriter.rewriteIfCurrent(incoming &+ 500)
        for step in 1...40_000 { _ = rewriter.rewriteIfCurrent(incoming &+ 500 &+ UInt16(truncatingIfNeeded: step)) }
        #expect(rewriter.rewriteIfCurrent(incoming &+ 400) == nil)
        // ...and the current stretch's recent reordering is still taken.
        let latest = incoming &+ 500 &+ 40_000
        #expect(rewriter.rewriteIfCurrent(latest &- 3) != nil)
    }

    private func rewriteIfCurrent(_ rewriter: inout SequenceRewriter, _ incoming: UInt16) -> UInt16? {
        rewriter.rewriteIfCurrent(incoming)
    }

    @Test func wrapsAround() {
        var rewriter = SequenceRewriter()
        _ = rewriter.rewrite(65534)
        rewriter.pause()
        #expect(rewriter.rewrite(3) == 65535)
        #expect(rewriter.rewrite(4) == 0)
    }

    @Test func reorderedPacketKeepsMappingButNotHighMark() {
        var rewriter = SequenceRewriter()
        _ = rewriter.rewrite(20)
        _ = rewriter.rewrite(22)
        #expect(rewriter.rewrite(21) == 21)
        rewriter.pause()
        #expect(rewriter.rewrite(1000) == 23)
    }
}
