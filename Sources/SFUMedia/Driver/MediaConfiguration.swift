import ICE

/// Where and how the media plane listens.
///
/// Addresses are explicit: the server binds exactly these and advertises exactly these in its ICE
/// candidates (no interface scanning unless the caller asks for it), so a node with several
/// interfaces never leaks or uses one it was not told to.
public struct MediaConfiguration: Sendable {
    /// Addresses the media sockets bind to and advertise (IPv4 and/or IPv6 text form).
    public var iceAddresses: [String]
    /// Advertised address per bound address when behind 1:1 NAT (like Janus `nat_1_1_mapping`);
    /// missing entries advertise the bound address itself.
    public var advertisedAddresses: [String: String]
    /// Inclusive UDP port range; worker `i` binds `lowPort + i` on every ICE address.
    /// `lowPort == 0` binds ephemeral ports (tests).
    public var lowPort: UInt16
    public var highPort: UInt16
    /// Media worker threads; 0 means one per core.
    public var workerCount: Int
    /// Socket buffer sizes requested from the kernel (bytes).
    public var socketReceiveBuffer: Int
    public var socketSendBuffer: Int
    /// Seconds without a valid ICE check before the transport is declared failed (RFC 7675).
    public var consentTimeout: Double
    /// Where a room's PeerConnections go (see `MediaEngine.allocateTransport(room:)`).
    public var roomPlacement: RoomPlacement
    /// Send adjacent datagrams to one destination as one UDP GSO send where the kernel allows.
    public var udpGSO: Bool
    /// Lost packets a second on one m-line that make the server report a slow link (Janus
    /// `slowlink_threshold`); 0 turns the reports off.
    public var slowLinkThreshold: Int

    public init(
        iceAddresses: [String] = ["127.0.0.1"],
        advertisedAddresses: [String: String] = [:],
        lowPort: UInt16 = 20000,
        highPort: UInt16 = 20100,
        workerCount: Int = 0,
        socketReceiveBuffer: Int = 4 << 20,
        socketSendBuffer: Int = 4 << 20,
        consentTimeout: Double = 30,
        roomPlacement: RoomPlacement = .spread,
        udpGSO: Bool = true,
        slowLinkThreshold: Int = 4
    ) {
        self.iceAddresses = iceAddresses
        self.advertisedAddresses = advertisedAddresses
        self.lowPort = lowPort
        self.highPort = highPort
        self.workerCount = workerCount
        self.socketReceiveBuffer = socketReceiveBuffer
        self.socketSendBuffer = socketSendBuffer
        self.consentTimeout = consentTimeout
        self.roomPlacement = roomPlacement
        self.udpGSO = udpGSO
        self.slowLinkThreshold = slowLinkThreshold
    }
}

/// Placement of a room's transports over the media workers.
public enum RoomPlacement: String, Sendable, CaseIterable {
    /// Least-loaded worker per PeerConnection: large rooms use every core (cross-worker fan-out).
    case spread
    /// All of a room on one worker: no cross-thread hand-off, for many small rooms.
    case together
}
