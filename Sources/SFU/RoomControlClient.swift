import Synchronization

/// `SFUServer.videoRoomRequest`'s way in (any VideoRoom body; the typed room API calls the
/// plugin directly): a Janus session with one `janus.plugin.videoroom` handle
/// inside the server's own `JanusCore`. Every request is a Janus `message` through
/// `JanusCore.handle`, so it meets exactly the validation, secrets, plugin dispatch and error
/// codes a Janus client meets. The session is made on first use and made again if it expired
/// (the core's session timeout applies to it too).
///
/// An actor: requests from any task are sent one at a time.
actor RoomControlClient {
    private let core: JanusCore
    private let apiSecret: String?
    private let replies = TransactionReplies()
    private var ids: (session: UInt64, handle: UInt64)?
    private var nextTransaction: UInt64 = 0

    init(core: JanusCore, apiSecret: String?) {
        self.core = core
        self.apiSecret = apiSecret
    }

    /// Sends `body` to the VideoRoom and returns its `plugindata.data`. Synchronous requests are
    /// answered in the `success`; asynchronous ones by an event with our transaction, awaited up
    /// to `timeout`. A Janus error (core or plugin `error_code`) throws `SFUError.janus`.
    func request(_ body: JSONValue, timeout: Duration) async throws(SFUError) -> JSONObject {
        for attempt in 0..<2 {
            let (session, handle) = try await handleIDs()
            let transaction = makeTransaction()
            replies.expect(transaction)
            var message: JSONObject = [
                "janus": "message", "transaction": .string(transaction), "session_id": .uint(session),
                "handle_id": .uint(handle), "body": body,
            ]
            if let apiSecret { message["apisecret"] = .string(apiSecret) }
            let reply = await core.handleTrusted(request: .object(message), connection: replies)
            let data: JSONObject
            switch reply["janus"]?.stringValue {
            case "success"?:
                replies.forget(transaction)
                data = reply["plugindata"]?["data"]?.objectValue ?? [:]
            case "ack"?:
                guard let event = await replies.wait(transaction, timeout: timeout) else { throw .timeout }
                data = event
            default:
                replies.forget(transaction)
                let error = Self.coreError(reply)
                if attempt == 0, error.janusCode == JanusError.sessionNotFound || error.janusCode == JanusError.handleNotFound {
                    ids = nil  // the session expired: make a new one and try once more
                    continue
                }
                throw error
            }
            if let code = data["error_code"]?.int64Value {
                throw .janus(code: Int(code), reason: data["error"]?.stringValue ?? "")
            }
            return data
        }
        throw .notRunning
    }

    private func handleIDs() async throws(SFUError) -> (UInt64, UInt64) {
        if let ids { return ids }
        var create: JSONObject = ["janus": "create", "transaction": .string(makeTransaction())]
        if let apiSecret { create["apisecret"] = .string(apiSecret) }
        let created = await core.handleTrusted(request: .object(create), connection: replies)
        guard let session = created["data"]?["id"]?.uint64Value else { throw Self.coreError(created) }
        var attach: JSONObject = [
            "janus": "attach", "transaction": .string(makeTransaction()), "session_id": .uint(session),
            "plugin": "janus.plugin.videoroom", "opaque_id": "sfu-room-api",
        ]
        if let apiSecret { attach["apisecret"] = .string(apiSecret) }
        let attached = await core.handleTrusted(request: .object(attach), connection: replies)
        guard let handle = attached["data"]?["id"]?.uint64Value else { throw Self.coreError(attached) }
        ids = (session, handle)
        return (session, handle)
    }

    private func makeTransaction() -> String {
        nextTransaction += 1
        return "sfu-room-api-\(nextTransaction)"
    }

    private static func coreError(_ reply: JSONValue) -> SFUError {
        guard let code = reply["error"]?["code"]?.int64Value else { return .notRunning }
        return .janus(code: Int(code), reason: reply["error"]?["reason"]?.stringValue ?? "")
    }
}

/// The control session's event sink: hands each plugin event carrying one of our transactions
/// to the request waiting for it, and drops everything else. Never blocks (the core calls
/// `send` under the session channel's lock).
final class TransactionReplies: JanusEventSink {
    private enum Slot {
        case expected
        case arrived(JSONObject)
        case waiting(CheckedContinuation<JSONObject?, Never>)
    }

    private let slots = Mutex<[String: Slot]>([:])

    func expect(_ transaction: String) { slots.withLock { $0[transaction] = .expected } }

    func forget(_ transaction: String) { resolve(transaction, with: nil) }

    func send(_ message: JSONValue) {
        guard message["janus"]?.stringValue == "event", let transaction = message["transaction"]?.stringValue else {
            return
        }
        resolve(transaction, with: message["plugindata"]?["data"]?.objectValue ?? [:])
    }

    /// The event for `transaction`, or nil after `timeout` (or when forgotten).
    func wait(_ transaction: String, timeout: Duration) async -> JSONObject? {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.resolve(transaction, with: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready: JSONObject?? = slots.withLock { slots in
                switch slots[transaction] {
                case .arrived(let data)?:
                    slots[transaction] = nil
                    return .some(data)
                case .expected?:
                    slots[transaction] = .waiting(continuation)
                    return .none
                default:
                    return .some(nil)
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func resolve(_ transaction: String, with data: JSONObject?) {
        let waiter: CheckedContinuation<JSONObject?, Never>? = slots.withLock { slots in
            switch slots[transaction] {
            case .expected?:
                if let data { slots[transaction] = .arrived(data) } else { slots[transaction] = nil }
                return nil
            case .waiting(let continuation)?:
                slots[transaction] = nil
                return continuation
            default:
                return nil
            }
        }
        waiter?.resume(returning: data)
    }
}

extension JSONValue {
    static func uint(_ value: UInt64) -> JSONValue { .int(Int64(clamping: value)) }
}
