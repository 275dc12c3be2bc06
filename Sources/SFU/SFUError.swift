/// What the `SFU` API throws.
public enum SFUError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The options cannot work (a malformed address, an empty port range, …); nothing was bound.
    case invalidOptions(String)
    /// `run()` was called a second time on the same server.
    case alreadyStarted
    /// The server is stopping or stopped (or failed to start): it takes no more requests.
    case notRunning
    /// The Janus core or the VideoRoom plugin refused the request, with Janus's error code and
    /// reason: 403/458/… from the core (janus-api.md §6), 42x/43x/499 from the VideoRoom (§8.12).
    case janus(code: Int, reason: String)
    /// No answer in time (an asynchronous plugin request whose event never came).
    case timeout

    /// The Janus error code, for `.janus`.
    public var janusCode: Int? {
        if case .janus(let code, _) = self { return code }
        return nil
    }

    /// A one-line English description.
    public var description: String {
        switch self {
        case .invalidOptions(let reason): "invalid options: \(reason)"
        case .alreadyStarted: "the server was already started"
        case .notRunning: "the server is not running"
        case .janus(let code, let reason): "Janus error \(code): \(reason)"
        case .timeout: "no answer in time"
        }
    }
}
