import SFUMedia
/// A Janus plugin package (`janus.plugin.echotest`, `janus.plugin.videoroom`, …).
///
/// The core (sessions, handles, transports) owns the Janus envelope; a plugin only sees the
/// `body`/`jsep` of messages for its handles and answers with `PluginMessageResult`, and pushes
/// events and PeerConnection notifications through the handle's `PluginHandleContext`.
public protocol JanusPlugin: Sendable {
    /// The package name clients attach to, e.g. `janus.plugin.echotest`.
    var package: String { get }
    /// What `info` reports for this plugin.
    var info: JanusPluginInfo { get }
    /// Called on `attach`. Throwing refuses the handle (the core answers 461).
    func attach(context: PluginHandleContext) async throws -> any JanusPluginSession
    /// Live figures for metrics and the support bundle (e.g. `rooms`, `publishers`); default none.
    func statistics() async -> [String: Int]
    /// Every secret the plugin holds (room secrets, pins, ACL tokens), so that a support
    /// bundle can prove none of them leaks; default none.
    func secrets() async -> [String]
}

extension JanusPlugin {
    public func statistics() async -> [String: Int] { [:] }
    public func secrets() async -> [String] { [] }
}

/// The `plugins` entry of `server_info`.
public struct JanusPluginInfo: Sendable, Hashable {
    public var name: String
    public var author: String
    public var description: String
    public var versionString: String
    public var version: Int

    public init(name: String, author: String, description: String, versionString: String, version: Int) {
        self.name = name
        self.author = author
        self.description = description
        self.versionString = versionString
        self.version = version
    }
}

/// One handle's plugin-side state. Methods may be called concurrently from different
/// connections; an implementation serialises itself (an actor is the natural choice).
public protocol JanusPluginSession: AnyObject, Sendable {
    /// A `message` request. `jsep` has already been checked by the core: an object with string
    /// `type` ∈ {offer, answer} and a string `sdp` starting with `v=`.
    func handleMessage(transaction: String, body: JSONObject, jsep: JSEP?) async -> PluginMessageResult
    /// `trickle` candidates (already validated and acked by the core), possibly before any JSEP.
    /// `completed` is true for end-of-candidates.
    func handleTrickle(candidates: [TrickleCandidate], completed: Bool) async
    /// The `hangup` request: close the PeerConnection, keep the handle.
    func hangup(reason: String) async
    /// The handle is going away (`detach`, session destroy or timeout). Release everything.
    func destroy() async
    /// What the Admin API's `handle_info` shows of this handle (Janus `query_session`).
    func adminInfo() async -> PluginAdminInfo
}

/// A handle's plugin side as the Admin API's `handle_info` shows it.
public struct PluginAdminInfo: Sendable {
    /// Janus `plugin_specific`: the plugin's own view of the handle.
    public var pluginSpecific: JSONObject?
    /// The handle's PeerConnection on the media plane (for `webrtc`), nil when it has none.
    public var transport: TransportAllocation?
    /// The last SDP we sent on it (`sdps.local`).
    public var localSDP: String?

    public init(pluginSpecific: JSONObject? = nil, transport: TransportAllocation? = nil, localSDP: String? = nil) {
        self.pluginSpecific = pluginSpecific
        self.transport = transport
        self.localSDP = localSDP
    }
}

extension JanusPluginSession {
    public func adminInfo() async -> PluginAdminInfo { PluginAdminInfo() }
}

/// The outcome of a `message` as the core puts it on the wire.
public enum PluginMessageResult: Sendable {
    /// `{"janus":"success","sender":H,"plugindata":{"plugin":P,"data":data}}`.
    case success(JSONObject)
    /// `{"janus":"ack"}` (with optional `hint`); the result follows as an event pushed through
    /// the context with the same transaction.
    case ack(hint: String?)
    /// A core-level error (`{"janus":"error"}`), e.g. 465 for an SDP the plugin cannot use.
    case error(JanusError)
}

/// A JSEP object as carried in `message`/`event`.
public struct JSEP: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case offer, answer }
    public var type: Kind
    public var sdp: String
    /// `trickle:false` from the client means its candidates are in the SDP.
    public var trickle: Bool?
    /// `e2ee:true`: insertable streams; payloads are forwarded untouched.
    public var e2ee: Bool?
    /// Other keys (rid_order, svc, force_relay, …) kept as given.
    public var extra: JSONObject

    public init(type: Kind, sdp: String, trickle: Bool? = nil, e2ee: Bool? = nil, extra: JSONObject = [:]) {
        self.type = type
        self.sdp = sdp
        self.trickle = trickle
        self.e2ee = e2ee
        self.extra = extra
    }
}

/// One trickled ICE candidate.
public struct TrickleCandidate: Sendable, Hashable {
    public var candidate: String
    public var sdpMid: String?
    public var sdpMLineIndex: Int?

    public init(candidate: String, sdpMid: String?, sdpMLineIndex: Int?) {
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
    }
}

/// What a plugin may push to its handle's session event channel.
public enum PluginEvent: Sendable {
    /// `{"janus":"event","sender":H,"transaction"?:T,"plugindata":{plugin,data},"jsep"?:{…}}`.
    case event(transaction: String?, data: JSONObject, jsep: JSEP?)
    /// `{"janus":"webrtcup","sender":H}`: ICE and DTLS are up.
    case webrtcUp
    /// `{"janus":"media","sender":H,"mid":M,"type":"audio"|"video","receiving":B}`.
    case media(mid: String, type: String, receiving: Bool, substream: Int?)
    /// `{"janus":"slowlink","sender":H,"mid":M,"media":…,"uplink":B,"lost":N}`.
    case slowLink(mid: String, media: String, uplink: Bool, lost: Int)
    /// `{"janus":"hangup","sender":H,"reason":R}`: the PeerConnection closed.
    case hangup(reason: String)
    /// The plugin ends the handle itself (`{"janus":"detached"}` and the handle is removed).
    case detached
}

/// Given to a plugin session at `attach`: who it is and how to talk back.
public struct PluginHandleContext: Sendable {
    public let sessionID: UInt64
    public let handleID: UInt64
    public let opaqueID: String?
    /// Pushes an event to the owning session's event channel (WebSocket or long-poll queue).
    /// Safe from any thread; never blocks; events keep their order.
    public let push: @Sendable (PluginEvent) -> Void

    public init(sessionID: UInt64, handleID: UInt64, opaqueID: String?, push: @escaping @Sendable (PluginEvent) -> Void) {
        self.sessionID = sessionID
        self.handleID = handleID
        self.opaqueID = opaqueID
        self.push = push
    }
}
