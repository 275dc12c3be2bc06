/// What an HTTP request URI addresses in the Janus REST API (janus-api.md §7.1). Pure parsing,
/// no I/O; paths outside the base path or deeper than `<sid>/<hid>` give nil (the transport
/// answers 404). Id segments are read as Janus's HTTP transport reads them (`strtoull`): their
/// leading digits, 0 when there are none, and an id of 0 counts as absent.
struct JanusHTTPRoute: Equatable {
    enum Target: Equatable {
        case root
        case info
        case ping
        case session(UInt64)
        case handle(UInt64, UInt64)
    }

    var target: Target
    /// Query parameters (`maxev`, `rid`, `apisecret`, `token`), last occurrence wins.
    var query: [String: String]

    /// The session id the path puts into a POSTed request (nil: none, e.g. `/janus/abc`).
    var pathSessionID: UInt64? {
        switch target {
        case .session(let sid), .handle(let sid, _): return sid > 0 ? sid : nil
        default: return nil
        }
    }

    /// The handle id the path puts into a POSTed request (nil: none, e.g. `/janus/<sid>/0`).
    var pathHandleID: UInt64? {
        if case .handle(_, let hid) = target, hid > 0 { return hid }
        return nil
    }

    /// `maxev` as Janus reads it: absent, unparseable or < 1 means 1.
    var maxEvents: Int {
        guard let text = query["maxev"], let value = Int(text), value >= 1 else { return 1 }
        return min(value, 1000)
    }

    static func parse(uri: String, basePath: String) -> JanusHTTPRoute? {
        let pathPart: Substring
        let queryPart: Substring?
        if let mark = uri.firstIndex(of: "?") {
            pathPart = uri[..<mark]
            queryPart = uri[uri.index(after: mark)...]
        } else {
            pathPart = uri[...]
            queryPart = nil
        }
        let base = normalized(basePath)
        let path = String(pathPart)
        let rest: Substring
        if base.isEmpty {
            rest = path[...]
        } else if path == base {
            rest = ""
        } else if path.hasPrefix(base + "/") {
            rest = path.dropFirst(base.count)
        } else {
            return nil
        }
        let components = rest.split(separator: "/", omittingEmptySubsequences: true)
        let target: Target
        switch components.count {
        case 0:
            target = .root
        case 1:
            if components[0] == "info" {
                target = .info
            } else if components[0] == "ping" {
                target = .ping
            } else {
                target = .session(pathID(components[0]))
            }
        case 2:
            target = .handle(pathID(components[0]), pathID(components[1]))
        default:
            return nil
        }
        return JanusHTTPRoute(target: target, query: parseQuery(queryPart))
    }

    /// A path segment as `strtoull` reads it: its leading decimal digits ("12abc" → 12), 0 when
    /// it has none, `UInt64.max` when they overflow. Janus then treats 0 as "no id", so
    /// `POST /janus/abc` is a root request and `GET /janus/abc` polls no session (404).
    static func pathID(_ segment: Substring) -> UInt64 {
        var value: UInt64 = 0
        for byte in segment.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return .max }
            value = sum
        }
        return value
    }

    /// "/janus/" → "/janus", "janus" → "/janus", "/" → "".
    static func normalized(_ basePath: String) -> String {
        var base = basePath
        while base.hasSuffix("/") { base.removeLast() }
        if !base.isEmpty && !base.hasPrefix("/") { base = "/" + base }
        return base
    }

    private static func parseQuery(_ query: Substring?) -> [String: String] {
        guard let query else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first.map({ percentDecoded($0) }), !key.isEmpty else { continue }
            result[key] = parts.count > 1 ? percentDecoded(parts[1]) : ""
        }
        return result
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
