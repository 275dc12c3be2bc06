import RTP

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

/// One consumer fed by a producer, as the producer's worker sees it.
struct ForwardTarget {
    /// Not retained: the worker removes targets before it releases a transport, and forwarding
    /// must not touch reference counts per packet.
    unowned(unsafe) let subscriber: WebRTCTransport
    let streamIndex: Int
    /// Publisher extension ids → the subscriber's (by URI); others are dropped.
    let extensionMap: RTPHeaderExtensionIDMap
}
