import Testing
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
