import RTP

/// A transport's place in its worker's `Router`: a slot, and the generation of the transport in
/// it. A slot is reused after its transport leaves, under the next generation, so a handle kept
/// after its transport's removal resolves to nothing rather than to the slot's next occupant.
struct TransportHandle: Hashable {
    var slot: UInt32
    var generation: UInt32

    /// Not installed in any router yet.
    static let unassigned = TransportHandle(slot: .max, generation: 0)
}

/// One m-line of a transport, as a producer (what its peer sends us) or as a consumer (what we
/// send its peer); which one is clear from where the handle is used.
struct StreamHandle: Hashable {
    var transport: TransportHandle
    var stream: Int
}

/// A consumer fed by a producer on the same worker, as the producer's route lists it.
struct LocalConsumerLink {
    var consumer: StreamHandle
    /// Producer extension ids → the consumer's (by URI); others are dropped.
    var extensionMap: RTPHeaderExtensionIDMap
}

/// What feeds a consumer, as its router knows it.
enum ConsumerSource {
    /// A producer on this worker.
    case local(StreamHandle)
    /// A producer on another worker, through the cross-worker rings.
    case remote(RemoteSource)
}

/// A consumer's source on another worker, as the consumer's worker knows it.
struct RemoteSource {
    var worker: Int
    var publisher: UInt64
    var mid: String
    /// Distinguishes this binding from earlier ones of the same m-line: an attach reply from
    /// the publisher's worker for an older generation is ignored.
    var generation: UInt64
    /// Whether the publisher's worker was asked to send (and must be told to stop).
    var subscribed: Bool
    /// The publisher's m-line index, known once the publisher's worker attached the route.
    var publisherStream: Int?

    var route: RouteKey? { publisherStream.map { RouteKey(publisher: publisher, stream: $0) } }
}

/// Where one producer's packets go: consumers on this worker, and other workers with consumers
/// of it (each gets one slab slot per packet).
struct ProducerRoute {
    var local: [LocalConsumerLink] = []
    var remoteWorkers: [RemoteConsumer] = []

    var isEmpty: Bool { local.isEmpty && remoteWorkers.isEmpty }
}

/// A worker with consumers of a producer, as the producer's worker counts them.
struct RemoteConsumer {
    var worker: Int
    var subscriptions: Int
}

/// Consumers on this worker of one producer on another worker.
struct RemoteRoute {
    var codec: CodecFamily
    var consumers: [LocalConsumerLink]
}
