import Foundation
import Glibc
import ICE

/// One Janus session over the WebSocket transport (subprotocol `janus-protocol`): a blocking
/// TCP socket, a reader thread that decodes frames (`WebSocketFrameDecoder`), answers pings
/// and files replies and events by transaction, and a keepalive every 20 s (Janus drops a
/// session after 60 s of silence; the REST transport's long poll keeps it alive instead).
/// Thread-safe: requests may come from any thread; writes are serialized by `writeLock`.
final class JanusWebSocketClient: JanusClient, @unchecked Sendable {
    private let descriptor: Int32
    private let writeLock = NSLock()
    private let condition = NSCondition()
    private var replies: [String: JSONObject] = [:]
    private var closed = false
    private var sessionID: Int64 = 0

    /// Opens the connection and completes the opening handshake (RFC 6455 §4.1).
    init(url: String) throws {
        guard let parsed = URL(string: url), parsed.scheme == "ws", let host = parsed.host else {
            throw JanusError.transport("bad WebSocket URL \(url)")
        }
        let port = UInt16(parsed.port ?? 80)
        guard let address = TransportAddress(host == "localhost" ? "127.0.0.1" : host, port: port) else {
            throw JanusError.transport("\(host) is not a numeric address")
        }
        let fd = socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw JanusError.transport("socket: errno \(errno)") }
        let connected = address.withSockAddr { pointer, length in connect(fd, pointer, length) }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw JanusError.transport("connect \(host):\(port): \(String(cString: strerror(code)))")
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        descriptor = fd
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let path = parsed.path.isEmpty ? "/" : parsed.path
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: janus-protocol\r\n\r\n"
        try writeAll(Array(request.utf8))
        let (head, rest) = try readHandshake()
        guard head.hasPrefix("HTTP/1.1 101") else {
            Glibc.close(fd)
            throw JanusError.transport("WebSocket upgrade refused: \(head.prefix(200))")
        }
        let thread = Thread { [self] in self.readLoop(initial: rest) }
        thread.name = "janus-websocket"
        thread.start()
    }

    deinit { Glibc.close(descriptor) }

    // MARK: Janus API

    func createSession() throws {
        sessionID = try JanusReplies.createdID(request(["janus": "create"]), what: "create")
        let thread = Thread { [self] in self.keepAliveLoop() }
        thread.name = "janus-keepalive"
        thread.start()
    }

    func attach(plugin: String) throws -> Int64 {
        try JanusReplies.createdID(request(["janus": "attach", "plugin": plugin, "session_id": sessionID]), what: "attach")
    }

    func message(handle: Int64, body: JSONObject, jsep: JSONObject?, timeout: Double) throws -> PluginReply {
        var object: JSONObject = ["janus": "message", "session_id": sessionID, "handle_id": handle, "body": body]
        if let jsep { object["jsep"] = jsep }
        return try JanusReplies.pluginReply(request(object, timeout: timeout), request: body)
    }

    func destroy() {
        if sessionID != 0 { _ = try? request(["janus": "destroy", "session_id": sessionID], timeout: 5) }
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        try? send(.close, [0x03, 0xE8])  // 1000: normal closure
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Sends `object` with a fresh transaction and waits for its first reply that is not an ack.
    private func request(_ object: JSONObject, timeout: Double = 15) throws -> JSONObject {
        let transaction = JanusReplies.transaction()
        var object = object
        object["transaction"] = transaction
        try send(.text, Array(try JSONSerialization.data(withJSONObject: object)))
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let reply = replies.removeValue(forKey: transaction) { return reply }
            if closed { throw JanusError.transport("WebSocket closed") }
            if !condition.wait(until: deadline) { throw JanusError.timeout("reply to \(object["janus"] ?? "?")") }
        }
    }

    // MARK: Socket

    private func send(_ opcode: WebSocketOpcode, _ payload: [UInt8]) throws {
        let mask = (UInt8.random(in: 0...255), UInt8.random(in: 0...255), UInt8.random(in: 0...255), UInt8.random(in: 0...255))
        let frame = WebSocketFrame.encode(opcode, payload: payload, maskKey: mask)
        writeLock.lock()
        defer { writeLock.unlock() }
        try writeAll(frame)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw JanusError.transport("WebSocket write: errno \(errno)") }
            offset += written
        }
    }

    /// The response head of the handshake and whatever frame bytes followed it.
    private func readHandshake() throws -> (String, [UInt8]) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw JanusError.transport("WebSocket handshake: connection closed") }
            received += chunk[0..<count]
            if let end = Self.headerEnd(received) {
                return (String(decoding: received[0..<end], as: UTF8.self), Array(received[(end + 4)...]))
            }
        }
        throw JanusError.transport("WebSocket handshake: response too long")
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func readLoop(initial: [UInt8]) {
        var decoder = WebSocketFrameDecoder()
        var pending = initial
        var chunk = [UInt8](repeating: 0, count: 65_536)
        loop: while true {
            let messages: [WebSocketMessage]
            do { messages = try decoder.feed(pending) } catch { break loop }
            for message in messages {
                switch message.opcode {
                case .text, .binary: file(message.payload)
                case .ping: try? send(.pong, message.payload)
                case .close: break loop
                case .pong, .continuation: break
                }
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            pending = Array(chunk[0..<count])
        }
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Files a reply or event under its transaction (acks only announce that one follows).
    private func file(_ payload: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload))) as? JSONObject,
            let transaction = object["transaction"] as? String, object["janus"] as? String != "ack"
        else { return }
        condition.lock()
        replies[transaction] = object
        condition.broadcast()
        condition.unlock()
    }

    private func keepAliveLoop() {
        while true {
            condition.lock()
            _ = condition.wait(until: Date().addingTimeInterval(20))
            let done = closed
            condition.unlock()
            if done { return }
            let object: JSONObject = ["janus": "keepalive", "session_id": sessionID, "transaction": JanusReplies.transaction()]
            guard let data = try? JSONSerialization.data(withJSONObject: object) else { continue }
            try? send(.text, Array(data))
        }
    }
}
