import Logging
import RTP
import SFUBase

/// Who feeds whom on one worker: the worker's transports in a table of slots, each producer's
/// route (consumers here, other workers with consumers), each consumer's source (a producer
/// here, or one on another worker). The one owner of routing: transports hold no references
/// to each other, only the router's handles, checked against the slot's generation.
///
/// Confined to the worker's thread. Its tables change only in commands run there, so the
/// packet path reads them without locks.
package final class Router {
    let workerIndex: Int
    let output: PacketOutput
    /// Slab, rings and command queues to the other workers.
    let fanOut: CrossWorkerFanOut
    let statistics: WorkerStatistics
    let logger: Logger

    /// One slot per installed transport (free slots are reused under the next generation).
    private var entries: [Entry] = []
    private var freeSlots: [UInt32] = []
    /// The transports, owned here: a slot's unretained reference is valid while this holds it.
    private(set) var transportsByID: [UInt64: WebRTCTransport] = [:]
    package var transports: Dictionary<UInt64, WebRTCTransport>.Values { transportsByID.values }
    /// Consumers here of producers on other workers, by route (see Router+RemoteRoutes).
    var remoteRoutes: [RouteKey: RemoteRoute] = [:]
    var nextBindingGeneration: UInt64 = 0

    /// Packets of the current receive batch waiting for their local delivery at the batch end.
    /// Capacity reserved once; the packets live in the receive batch's buffers.
    var pendingLocal: [PendingForward] = []
    var pendingDone: [Bool] = []
    /// Packets of one producer, gathered for one delivery loop (local batch or inbound slots).
    /// `RTPPacket` is a trivial view, so the scratch needs no deinitialization.
    let deliveryPackets: UnsafeMutableBufferPointer<DeliveredPacket>
    /// Slot indices taken from one inbound ring at a time.
    package let inboundScratch: UnsafeMutableBufferPointer<Int>

    struct Entry {
        var generation: UInt32 = 0
        /// Unretained: `transportsByID` owns the transport while it is in the slot.
        var transport: Unmanaged<WebRTCTransport>?
        /// By producer m-line index.
        var routes: [ProducerRoute] = []
        /// By consumer m-line index.
        var sources: [ConsumerSource?] = []
    }

    init(workerIndex: Int, output: PacketOutput, fanOut: CrossWorkerFanOut, statistics: WorkerStatistics,
         logger: Logger, batchSize: Int) {
        self.workerIndex = workerIndex
        self.output = output
        self.fanOut = fanOut
        self.statistics = statistics
        self.logger = logger
        deliveryPackets = .allocate(capacity: batchSize)
        inboundScratch = .allocate(capacity: batchSize)
        pendingLocal.reserveCapacity(2 * batchSize)
        pendingDone.reserveCapacity(2 * batchSize)
    }

    deinit {
        deliveryPackets.deallocate()
        inboundScratch.deallocate()
    }

    // MARK: Transports

    /// Takes `transport` into a slot and gives it its handle.
    package func install(_ transport: WebRTCTransport) {
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = UInt32(entries.count)
            entries.append(Entry())
        }
        entries[Int(slot)].transport = Unmanaged.passUnretained(transport)
        transport.handle = TransportHandle(slot: slot, generation: entries[Int(slot)].generation)
        transportsByID[transport.id] = transport
    }

    /// Unlinks `transport` from every producer feeding it and every consumer it feeds (on this
    /// worker and others), and frees its slot.
    func remove(_ transport: WebRTCTransport) {
        let handle = transport.handle
        guard isCurrent(handle) else { return }
        for index in entries[Int(handle.slot)].sources.indices {
            unbind(StreamHandle(transport: handle, stream: index))
        }
        announceRemovedProducers(of: transport)
        for route in entries[Int(handle.slot)].routes {
            for link in route.local { clearSource(of: link.consumer) }
        }
        entries[Int(handle.slot)] = Entry(generation: handle.generation &+ 1)
        freeSlots.append(handle.slot)
        transportsByID.removeValue(forKey: transport.id)
    }

    /// Drops every transport and route (the worker stopped).
    func removeAll() {
        remoteRoutes.removeAll()
        for index in entries.indices { entries[index] = Entry(generation: entries[index].generation &+ 1) }
        freeSlots = (0..<UInt32(entries.count)).reversed()
        transportsByID.removeAll()
    }

    package func transport(id: UInt64) -> WebRTCTransport? { transportsByID[id] }

    /// The transport a handle names, if it is still there.
    func transport(_ handle: TransportHandle) -> WebRTCTransport? {
        guard isCurrent(handle) else { return nil }
        return entries[Int(handle.slot)].transport?.takeUnretainedValue()
    }

    @inline(__always)
    func isCurrent(_ handle: TransportHandle) -> Bool {
        Int(handle.slot) < entries.count && entries[Int(handle.slot)].generation == handle.generation
            && entries[Int(handle.slot)].transport != nil
    }

    /// Runs `body` on the transport `handle` names, without touching its reference count (the
    /// packet path); nothing when it is gone.
    @inline(__always)
    func withTransport(_ handle: TransportHandle, _ body: (WebRTCTransport) -> Void) {
        guard isCurrent(handle), let transport = entries[Int(handle.slot)].transport else { return }
        transport._withUnsafeGuaranteedRef(body)
    }

    // MARK: Routes

    /// The route of producer `producer` (empty when it has none).
    @inline(__always)
    func route(of producer: StreamHandle) -> ProducerRoute? {
        let slot = Int(producer.transport.slot)
        guard slot < entries.count, entries[slot].generation == producer.transport.generation,
            producer.stream < entries[slot].routes.count
        else { return nil }
        return entries[slot].routes[producer.stream]
    }

    func source(of consumer: StreamHandle) -> ConsumerSource? {
        let slot = Int(consumer.transport.slot)
        guard isCurrent(consumer.transport), consumer.stream < entries[slot].sources.count else { return nil }
        return entries[slot].sources[consumer.stream]
    }

    func setSource(_ source: ConsumerSource?, of consumer: StreamHandle) {
        let slot = Int(consumer.transport.slot)
        guard isCurrent(consumer.transport) else { return }
        while entries[slot].sources.count <= consumer.stream { entries[slot].sources.append(nil) }
        entries[slot].sources[consumer.stream] = source
    }

    func modifyRoute(of producer: StreamHandle, _ change: (inout ProducerRoute) -> Void) {
        let slot = Int(producer.transport.slot)
        guard isCurrent(producer.transport) else { return }
        while entries[slot].routes.count <= producer.stream { entries[slot].routes.append(ProducerRoute()) }
        change(&entries[slot].routes[producer.stream])
    }

    /// The consumer stops being fed (its producer went away): it starts afresh on its next source.
    private func clearSource(of consumer: StreamHandle) {
        setSource(nil, of: consumer)
        transport(consumer.transport)?.unbindSource(streamIndex: consumer.stream)
    }
}

/// A received producer packet waiting for its local delivery at the end of the receive batch.
struct PendingForward {
    let producer: StreamHandle
    let packet: DeliveredPacket
}

/// A producer packet on its way to consumers: the packet, its simulcast layer, and the layers its
/// producer was sending when it arrived (bit per layer), for each consumer's layer choice.
struct DeliveredPacket {
    let packet: RTPPacket
    let layer: UInt8
    let liveLayers: UInt8
}
