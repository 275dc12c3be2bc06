/// Small value types shared by the SDP model (RFC 8866 and the WebRTC
/// attributes). All are plain `Sendable` values, usable from any thread.

/// The media type of an `m=` line (RFC 8866 §5.14).
public enum MediaKind: Sendable, Hashable {
    case audio
    case video
    case application
    case other(String)

    public init(_ token: String) {
        switch token {
        case "audio": self = .audio
        case "video": self = .video
        case "application": self = .application
        default: self = .other(token)
        }
    }

    public var token: String {
        switch self {
        case .audio: "audio"
        case .video: "video"
        case .application: "application"
        case .other(let s): s
        }
    }
}

/// Media direction attribute (RFC 8866 §6.7, RFC 3264 §6.1).
public enum MediaDirection: String, Sendable, Hashable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// The direction seen from the other side.
    public var reversed: MediaDirection {
        switch self {
        case .sendonly: .recvonly
        case .recvonly: .sendonly
        case .sendrecv, .inactive: self
        }
    }

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }
}

/// `a=setup` (RFC 4145 §4, RFC 5763 §5).
public enum DTLSSetup: String, Sendable, Hashable {
    case actpass, active, passive, holdconn
}

/// `c=` (RFC 8866 §5.7).
public struct SDPConnection: Sendable, Hashable {
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// `IN IP4 <a>` or `IN IP6 <a>` picked from the address' shape.
    public init(address: String) {
        self.init(addressType: address.contains(":") ? "IP6" : "IP4", address: address)
    }

    var text: String { "\(networkType) \(addressType) \(address)" }
}

/// `o=` (RFC 8866 §5.2). The session id is kept as text: browsers use values up
/// to 2^63 and Firefox puts a product name in the username.
public struct SDPOrigin: Sendable, Hashable {
    public var username: String
    public var sessionID: String
    public var sessionVersion: String
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(
        username: String = "-", sessionID: String, sessionVersion: String,
        networkType: String = "IN", addressType: String = "IP4", address: String = "0.0.0.0"
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    var text: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}

/// `b=<type>:<value>` (RFC 8866 §5.8; `TIAS` is RFC 3890, bits per second).
public struct SDPBandwidth: Sendable, Hashable {
    public var type: String
    public var value: Int

    public init(type: String, value: Int) {
        self.type = type
        self.value = value
    }
}

/// `a=group:<semantics> <mid>...` (RFC 5888 §5; BUNDLE is RFC 8843).
public struct SDPGroup: Sendable, Hashable {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }
}

/// `a=fingerprint:<hash-func> <hex>` (RFC 8122 §5).
public struct SDPFingerprint: Sendable, Hashable {
    public var hashFunction: String
    public var value: String

    public init(hashFunction: String, value: String) {
        self.hashFunction = hashFunction
        self.value = value
    }

    /// Parses `"sha-256 AB:CD:..."`.
    public init?(_ text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        self.init(hashFunction: String(parts[0]), value: String(parts[1]))
    }

    /// `"sha-256 AB:CD:..."`, the form used in the SDP and by the DTLS layer.
    public var text: String { "\(hashFunction) \(value)" }
}

/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285 §8).
public struct SDPExtension: Sendable, Hashable {
    public var id: Int
    public var direction: MediaDirection?
    public var uri: String
    public var attributes: String?

    public init(id: Int, direction: MediaDirection? = nil, uri: String, attributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.attributes = attributes
    }
}

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1).
public struct SDPSSRCAttribute: Sendable, Hashable {
    public var ssrc: UInt32
    public var attribute: String
    public var value: String?

    public init(ssrc: UInt32, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.value = value
    }
}

/// `a=ssrc-group:<semantics> <ssrc>...` (RFC 5576 §4.2; FID is RFC 4588 RTX, SIM is legacy simulcast).
public struct SDPSSRCGroup: Sendable, Hashable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }
}

/// `a=rid:<id> send|recv [<params>]` (RFC 8851 §10).
public struct SDPRid: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable { case send, recv }
    public var id: String
    public var direction: Direction
    /// Restrictions such as `pt=96;max-width=1280`, verbatim.
    public var params: String?

    public init(id: String, direction: Direction, params: String? = nil) {
        self.id = id
        self.direction = direction
        self.params = params
    }
}

/// `a=simulcast` (RFC 8853 §5.1): each list is a `;`-separated sequence of
/// streams, each stream a `,`-separated list of alternative rids.
public struct SDPSimulcast: Sendable, Hashable {
    public struct Stream: Sendable, Hashable {
        public var rid: String
        /// `~rid`: the stream exists but is not being sent.
        public var paused: Bool

        public init(rid: String, paused: Bool = false) {
            self.rid = rid
            self.paused = paused
        }
    }

    public var send: [[Stream]]
    public var recv: [[Stream]]

    public init(send: [[Stream]] = [], recv: [[Stream]] = []) {
        self.send = send
        self.recv = recv
    }
}

/// `a=candidate` (RFC 8839 §5.1). `raw` is the attribute value as received;
/// the other fields are parsed from it.
public struct SDPCandidate: Sendable, Hashable {
    public var raw: String
    public var foundation: String
    public var component: Int
    public var transport: String
    public var priority: UInt32
    public var address: String
    public var port: UInt16
    public var type: String

    /// Parses the value after `candidate:`; nil when malformed.
    public init?(_ raw: String) {
        let f = raw.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 8, f[6] == "typ",
            let component = Int(f[1]), let priority = UInt32(f[3]), let port = UInt16(f[5])
        else { return nil }
        self.raw = raw
        self.foundation = String(f[0])
        self.component = component
        self.transport = String(f[2])
        self.priority = priority
        self.address = String(f[4])
        self.port = port
        self.type = String(f[7])
    }

    /// A trickled candidate (Janus `trickle` request, RTCIceCandidate.candidate):
    /// `candidate:...`, with or without `a=`; nil when malformed.
    public init?(trickle text: String) {
        var t = Substring(text).trimmingSpaces
        if t.hasPrefix("a=") { t = t.dropFirst(2) }
        guard t.hasPrefix("candidate:") else { return nil }
        self.init(String(t.dropFirst("candidate:".count)))
    }

    /// A host candidate for one of our addresses.
    public init(foundation: String, component: Int = 1, transport: String = "udp", priority: UInt32,
                address: String, port: UInt16, type: String = "host") {
        self.raw = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type)"
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
    }
}

/// An attribute the model has no field for (or could not parse), kept verbatim.
public struct SDPAttribute: Sendable, Hashable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    var text: String { value.map { "\(name):\($0)" } ?? name }
}

/// A non-attribute line the model has no field for (`i=`, `u=`, `k=`...), verbatim.
public struct SDPLine: Sendable, Hashable {
    public var type: Character
    public var value: String

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}
