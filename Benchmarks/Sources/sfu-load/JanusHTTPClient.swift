import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One Janus session over the REST (HTTP long-poll) transport: `POST /janus` creates it,
/// `POST /janus/<session>/<handle>` sends messages, `GET /janus/<session>?maxev=N` (a thread of
/// its own) collects the asynchronous events, which `message` matches by transaction.
/// Thread-safe: every method may be called from any thread.
final class JanusHTTPClient: JanusClient, @unchecked Sendable {
    let base: URL
    private(set) var sessionID: Int64 = 0
    private let condition = NSCondition()
    private var eventsByTransaction: [String: JSONObject] = [:]
    private var stopped = false
    private var poller: Thread?
    private let urlSession: URLSession

    init(url: String) throws {
        guard let base = URL(string: url) else { throw JanusError.transport("bad URL \(url)") }
        self.base = base
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 90
        configuration.httpMaximumConnectionsPerHost = 8
        urlSession = URLSession(configuration: configuration)
    }

    // MARK: Requests

    /// Creates the session and starts long-polling for its events.
    func createSession() throws {
        sessionID = try JanusReplies.createdID(
            post(base, ["janus": "create", "transaction": JanusReplies.transaction()]), what: "create")
        let thread = Thread { [self] in self.pollLoop() }
        thread.name = "janus-long-poll"
        poller = thread
        thread.start()
    }

    /// Attaches a handle to `plugin`.
    func attach(plugin: String) throws -> Int64 {
        try JanusReplies.createdID(
            post(sessionURL, ["janus": "attach", "plugin": plugin, "transaction": JanusReplies.transaction()]),
            what: "attach")
    }

    /// Sends a plugin message; when Janus only acknowledges it, waits for the event carrying
    /// the same transaction.
    func message(handle: Int64, body: JSONObject, jsep: JSONObject?, timeout: Double) throws -> PluginReply {
        let transaction = JanusReplies.transaction()
        var request: JSONObject = ["janus": "message", "transaction": transaction, "body": body]
        if let jsep { request["jsep"] = jsep }
        var reply = try post(sessionURL.appendingPathComponent(String(handle)), request)
        if reply["janus"] as? String == "ack" {
            reply = try waitEvent(transaction: transaction, timeout: timeout)
        }
        return try JanusReplies.pluginReply(reply, request: body)
    }

    /// Destroys the session (and with it every handle) and stops polling.
    func destroy() {
        condition.lock()
        stopped = true
        condition.unlock()
        if sessionID != 0 {
            _ = try? post(sessionURL, ["janus": "destroy", "transaction": JanusReplies.transaction()], timeout: 5)
        }
    }

    private var sessionURL: URL { base.appendingPathComponent(String(sessionID)) }

    // MARK: Long poll

    private func pollLoop() {
        while true {
            condition.lock()
            let done = stopped
            condition.unlock()
            if done { return }
            var components = URLComponents(url: sessionURL, resolvingAgainstBaseURL: false)
            components?.queryItems = [URLQueryItem(name: "maxev", value: "20")]
            guard let url = components?.url, let (status, body) = try? send(URLRequest(url: url), timeout: 70),
                status == 200
            else {
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            let parsed = try? JSONSerialization.jsonObject(with: body)
            let events = (parsed as? [JSONObject]) ?? (parsed as? JSONObject).map { [$0] } ?? []
            condition.lock()
            for event in events {
                if let transaction = event["transaction"] as? String, event["janus"] as? String != "ack" {
                    eventsByTransaction[transaction] = event
                }
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    private func waitEvent(transaction: String, timeout: Double) throws -> JSONObject {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let event = eventsByTransaction.removeValue(forKey: transaction) { return event }
            if !condition.wait(until: deadline) { throw JanusError.timeout("event of transaction \(transaction)") }
        }
    }

    // MARK: HTTP

    private func post(_ url: URL, _ object: JSONObject, timeout: Double = 15) throws -> JSONObject {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: object)
        let (status, body) = try send(request, timeout: timeout)
        guard status == 200, let reply = (try? JSONSerialization.jsonObject(with: body)) as? JSONObject else {
            throw JanusError.badResponse("HTTP \(status): \(String(decoding: body, as: UTF8.self))")
        }
        try JanusReplies.checkError(reply)
        return reply
    }

    /// Blocking request (the harness's control plane is plain sequential code).
    private func send(_ request: URLRequest, timeout: Double) throws -> (Int, Data) {
        final class Box: @unchecked Sendable {
            var result: Result<(Int, Data), JanusError> = .failure(.timeout("HTTP"))
        }
        var request = request
        request.timeoutInterval = timeout
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        urlSession.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(.transport(error.localizedDescription))
            } else {
                box.result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result.get()
    }
}
