import Testing

@testable import MediaCore
@testable import SFUMedia

/// `SequenceRewriter.isCurrentMapping`: NACK answers may only use the offset that produced the
/// requested number.
@Suite struct EngineSequenceMappingTests {
    @Test func onlyNumbersOfTheCurrentMappingAreCurrent() {
        var rewriter = SequenceRewriter()
        #expect(!rewriter.isCurrentMapping(0))
        for incoming: UInt16 in 100...109 { _ = rewriter.rewrite(incoming) }
        #expect(rewriter.isCurrentMapping(100) && rewriter.isCurrentMapping(109))
        #expect(!rewriter.isCurrentMapping(99) && !rewriter.isCurrentMapping(110))
        rewriter.pause()
        #expect(rewriter.isCurrentMapping(105), "still the mapping in force until the next packet")
        #expect(rewriter.rewrite(5000) == 110)
        #expect(!rewriter.isCurrentMapping(105), "sent under the old offset")
        #expect(rewriter.isCurrentMapping(110))
    }

    @Test func wrapsAround() {
        var rewriter = SequenceRewriter()
        for incoming in [UInt16(65_534), 65_535, 0, 1] { _ = rewriter.rewrite(incoming) }
        #expect(rewriter.isCurrentMapping(65_534) && rewriter.isCurrentMapping(1))
        #expect(!rewriter.isCurrentMapping(65_533) && !rewriter.isCurrentMapping(2))
    }
}
