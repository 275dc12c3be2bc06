import RTP
import SFUBase
import Synchronization

/// How one worker's event loop is woken by the others: its doorbell (the command eventfd), and
/// whether it is (about to be) asleep in its wait. Shared by every worker; the flag is the only
/// mutable part.
package final class WorkerWakeUp: Sendable {
    let doorbell: any WorkerDoorbell
    /// Set by the worker just before it may block; a producer that finds it set clears it and
    /// rings. So a burst of packets costs at most one wake-up syscall per batch.
    let mayBeAsleep = Atomic<Bool>(false)
    package init(doorbell: any WorkerDoorbell) { self.doorbell = doorbell }
}

/// The data-plane links of one worker to all others (issue 4): its own slab of decrypted packets,
/// one SPSC ring to every other worker (slot indices out) and one from every other worker (slot
/// indices in, with the producer's slab to read and release them).
///
/// Producer side (publisher's worker): `handOff` copies a decrypted packet into a slab slot once
/// and pushes the slot's index to every consumer worker that has subscribers of the stream.
/// Consumer side: `forEachInbound` pops slot indices; the worker re-encrypts per subscriber and
/// releases the slot. The variable state is confined to the owning worker thread; the slab,
/// rings and wake-ups are the lock-free shared parts.
package final class CrossWorkerFanOut {
    let workerIndex: Int
    package let slab: PacketSlab
    let statistics: WorkerStatistics
    /// Rings this worker produces into, by consumer worker (nil for itself). Set by `connect`.
    private(set) var outbound: [SlotRing?] = []
    /// Rings this worker consumes, and the slabs their slots live in, by producer worker.
    private(set) var inbound: [(ring: SlotRing, slab: PacketSlab)?] = []
    private(set) var wakeUps: [WorkerWakeUp] = []
    /// Every worker's command queue: routing changes and feedback for publishers elsewhere.
    private(set) var commandQueues: [WorkerCommandQueue] = []
    /// Consumers pushed to since their last wake-up check, one bit per worker index.
    private var pendingWakeUps: [Bool] = []
    private var anyPendingWakeUp = false

    static let defaultSlabSlots = 2048
    static let defaultRingCapacity = 512

    init(workerIndex: Int, statistics: WorkerStatistics, slabSlots: Int = CrossWorkerFanOut.defaultSlabSlots) {
        self.workerIndex = workerIndex
        self.slab = PacketSlab(capacity: slabSlots)
        self.statistics = statistics
    }

    /// Wires every worker to every other before any of them starts (engine set-up, one thread).
    package static func connect(_ fanOuts: [CrossWorkerFanOut], wakeUps: [WorkerWakeUp], commandQueues: [WorkerCommandQueue],
                        ringCapacity: Int = CrossWorkerFanOut.defaultRingCapacity) {
        let count = fanOuts.count
        for producer in fanOuts {
            producer.outbound = (0..<count).map { $0 == producer.workerIndex ? nil : SlotRing(capacity: ringCapacity) }
            producer.wakeUps = wakeUps
            producer.commandQueues = commandQueues
            producer.pendingWakeUps = Array(repeating: false, count: count)
        }
        for consumer in fanOuts {
            consumer.inbound = fanOuts.map { producer in
                producer.outbound[consumer.workerIndex].map { ($0, producer.slab) }
            }
        }
    }

    /// Drops the links (after the workers stopped) so workers and rings can be freed.
    package func disconnect() {
        outbound = []
        inbound = []
        wakeUps = []
        commandQueues = []
    }

    // MARK: Producer

    /// Copies the packet into a slot and queues it for every worker in `consumers`. A full ring
    /// or an exhausted slab drops the packet for that consumer (counted), never blocks.
    @inline(__always)
    func handOff(_ packet: UnsafeRawBufferPointer, route: RouteKey, layer: UInt8, liveLayers: UInt8,
                 consumers: UnsafeBufferPointer<RemoteConsumer>) {
        guard !consumers.isEmpty else { return }
        guard packet.count <= PacketSlab.slotBytes, let slot = slab.allocate() else {
            statistics.fanOutDrops.add(consumers.count, ordering: .relaxed)
            statistics.slabExhaustedDrops.add(consumers.count, ordering: .relaxed)
            return
        }
        let destination = slab.buffer(slot)
        destination.baseAddress.unsafelyUnwrapped.copyMemory(
            from: packet.baseAddress.unsafelyUnwrapped, byteCount: packet.count)
        let header = slab.header(slot)
        header.pointee.kind = .media
        header.pointee.layer = layer
        header.pointee.liveLayers = liveLayers
        header.pointee.length = packet.count
        header.pointee.route = route
        publish(slot, to: consumers)
    }

    /// Queues an already filled slot for `consumers`.
    @inline(__always)
    func publish(_ slot: Int, to consumers: UnsafeBufferPointer<RemoteConsumer>) {
        slab.setReaders(slot, consumers.count)
        var pushed = 0
        for consumer in consumers {
            if let ring = outbound[consumer.worker], ring.push(slot) {
                pendingWakeUps[consumer.worker] = true
                pushed += 1
            } else {
                slab.release(slot)
                statistics.fanOutDrops.add(1, ordering: .relaxed)
            }
        }
        if pushed > 0 {
            anyPendingWakeUp = true
            statistics.slotsHandedOff.add(pushed, ordering: .relaxed)
        }
    }

    /// Wakes consumers that got slots since the last call and may be asleep. Called once per
    /// receive batch, so a burst costs one eventfd write per consumer at most.
    package func wakeConsumers() {
        guard anyPendingWakeUp else { return }
        anyPendingWakeUp = false
        // Pairs with the fence in `prepareToSleep`: either we see the flag or the consumer sees our tail.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        for index in pendingWakeUps.indices where pendingWakeUps[index] {
            pendingWakeUps[index] = false
            if wakeUps[index].mayBeAsleep.exchange(false, ordering: .sequentiallyConsistent) {
                wakeUps[index].doorbell.ring()
            }
        }
    }

    // MARK: Consumer

    /// Announces that this worker may block; returns false when a ring already has slots
    /// (then do not block).
    package func prepareToSleep() -> Bool {
        wakeUps[workerIndex].mayBeAsleep.store(true, ordering: .sequentiallyConsistent)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        for link in inbound {
            if let link, link.ring.hasPending { return false }
        }
        return true
    }

    package func awoke() {
        wakeUps[workerIndex].mayBeAsleep.store(false, ordering: .relaxed)
    }

    /// Runs `body` on up to `limit` slots from each producer, then releases them. `body` gets
    /// runs of consecutive slots from one producer (so the caller can process them
    /// subscriber-major and keep each subscriber's datagrams adjacent for GSO).
    @inline(__always)
    package func drainInbound(limit: Int, scratch: UnsafeMutableBufferPointer<Int>,
                      _ body: (PacketSlab, UnsafeBufferPointer<Int>) -> Void) {
        for link in inbound {
            guard let link else { continue }
            var count = 0
            while count < min(limit, scratch.count), let slot = link.ring.pop() {
                scratch[count] = slot
                count += 1
            }
            guard count > 0 else { continue }
            let taken = UnsafeBufferPointer(rebasing: scratch[0..<count])
            body(link.slab, taken)
            for slot in taken { link.slab.release(slot) }
        }
    }

    /// Sends `command` to worker `index` (control traffic: bindings, keyframe requests, NACKs).
    func send(to index: Int, _ command: @escaping WorkerCommandQueue.Command) {
        guard commandQueues.indices.contains(index) else { return }
        commandQueues[index].enqueue(command)
    }
}
