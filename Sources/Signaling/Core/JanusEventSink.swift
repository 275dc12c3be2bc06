/// Where a session's events go when a persistent connection (a WebSocket) owns the session.
///
/// The core calls `send` while holding the session's event-channel lock, so that events keep the
/// order in which plugins pushed them: an implementation must not block and must not call back
/// into the core (hand the message to the connection's event loop and return).
/// Identity (`===`) identifies the connection: sessions created or claimed through a sink are
/// destroyed when that connection closes (`JanusCore.connectionClosed`).
public protocol JanusEventSink: AnyObject, Sendable {
    func send(_ message: JSONValue)
}
