import Foundation
import Logging
import SFUBase
import Synchronization
import Testing

@testable import MediaCore
@testable import SFUMedia

/// The lock-free pieces of the cross-worker data plane, exercised from real threads (these are
/// the tests `scripts/tsan.sh` runs under ThreadSanitizer).
@Suite struct FanOutPrimitiveTests {
    @Test func aSlotRingDeliversEverySlotInOrderAcrossThreads() async throws {
        let ring = SlotRing(capacity: 64)
        let total = 50_000
        let producer = Thread {
            var next = 0
            while next < total {
                if ring.push(next & 0xFFFF) { next += 1 }
            }
        }
        producer.start()
        var expected = 0
        var outOfOrder = 0
        while expected < total {
            guard let slot = ring.pop() else { continue }
            if slot != expected & 0xFFFF { outOfOrder += 1 }
            expected += 1
        }
        #expect(outOfOrder == 0)
        #expect(ring.pop() == nil)
    }

    @Test func aFullRingRefusesInsteadOfBlocking() {
        let ring = SlotRing(capacity: 4)
        for slot in 0..<4 { #expect(ring.push(slot)) }
        #expect(!ring.push(99))
        #expect(ring.pop() == 0)
        #expect(ring.push(4))
    }

    @Test func slabSlotsComeBackWhenTheLastReaderReleasesThem() async throws {
        let slab = PacketSlab(capacity: 16)
        var taken: [Int] = []
        for _ in 0..<16 {
            guard let slot = slab.allocate() else { break }
            slab.setReaders(slot, 2)
            taken.append(slot)
        }
        #expect(taken.count == 16)
        #expect(slab.allocate() == nil)
        // Two reader threads release every slot once each.
        let slots = taken
        let readers = (0..<2).map { _ in
            Thread { for slot in slots { slab.release(slot) } }
        }
        for reader in readers { reader.start() }
        #expect(await EngineTest.eventually { slab.slotsInUse == 0 })
        #expect(slab.allocate() != nil)
    }

    @Test func theCommandQueueRunsEveryCommandFromManyProducersOnce() async throws {
        let worker = try MediaWorker(index: 0, sockets: [], logger: Logger(label: "queue-test"))
        let queue = worker.commands
        let ran = Atomic<Int>(0)
        let perProducer = 2_000
        let producers = (0..<4).map { _ in
            Thread {
                for _ in 0..<perProducer { queue.enqueue { _, _ in ran.add(1, ordering: .relaxed) } }
            }
        }
        for producer in producers { producer.start() }
        let deadline = Date().addingTimeInterval(10)
        while ran.load(ordering: .relaxed) < 4 * perProducer, Date() < deadline {
            queue.drain(into: worker.core, now: MonotonicInstant(nanoseconds: 0))
        }
        #expect(ran.load(ordering: .relaxed) == 4 * perProducer)
    }
}
