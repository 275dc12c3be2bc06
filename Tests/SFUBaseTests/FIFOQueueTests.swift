import Testing
@testable import SFUBase

@Suite struct FIFOQueueTests {
    @Test func elementsComeOutInTheOrderTheyWentIn() {
        var queue = FIFOQueue<Int>()
        #expect(queue.isEmpty)
        #expect(queue.popFirst() == nil)
        for value in 0..<5 { queue.append(value) }
        queue.append(contentsOf: [5, 6])
        #expect(queue.count == 7)
        #expect(queue.first == 0)
        var taken: [Int] = []
        while let value = queue.popFirst() { taken.append(value) }
        #expect(taken == Array(0..<7))
        #expect(queue.isEmpty)
    }

    @Test func interleavedAppendsAndPopsKeepOrderAcrossCompaction() {
        // More than `retainedCapacity` taken while more keep arriving: the head is compacted.
        var queue = FIFOQueue<Int>()
        var next = 0
        var expected = 0
        for round in 0..<200 {
            for _ in 0..<3 {
                queue.append(next)
                next += 1
            }
            for _ in 0..<(round % 2 == 0 ? 2 : 3) {
                #expect(queue.popFirst() == expected)
                expected += 1
            }
        }
        #expect(queue.count == next - expected)
        while let value = queue.popFirst() {
            #expect(value == expected)
            expected += 1
        }
        #expect(expected == next)
    }

    @Test func popFirstUpToTakesAtMostWhatIsQueued() {
        var queue = FIFOQueue<String>()
        queue.append(contentsOf: ["a", "b", "c"])
        #expect(queue.popFirst(upTo: 2) == ["a", "b"])
        #expect(queue.popFirst(upTo: 5) == ["c"])
        #expect(queue.popFirst(upTo: 1) == [])
        queue.append("d")
        #expect(queue.popFirst(upTo: -1) == [])
        #expect(queue.count == 1)
        queue.removeAll()
        #expect(queue.isEmpty)
    }

    @Test func aTakenElementIsReleasedAtOnce() {
        final class Token {}
        weak var weakToken: Token?
        var queue = FIFOQueue<Token>()
        do {
            let token = Token()
            weakToken = token
            queue.append(token)
            queue.append(Token())
        }
        _ = queue.popFirst()
        // The queue still holds the second element, but not the first.
        #expect(weakToken == nil)
        #expect(queue.count == 1)
    }
}
