#if canImport(Glibc)
import Glibc
#endif

/// The smallest HTTP/1.0 client the `support-bundle` command needs: one POST to a plain-HTTP
/// endpoint (the Admin API on loopback or a private network), the body read to the end.
enum PlainHTTPClient {
    struct URL {
        var host: String
        var port: Int
        var path: String

        /// `http://HOST:PORT/PATH` (IPv6 hosts in brackets); nil otherwise.
        init?(_ text: String) {
            guard text.hasPrefix("http://") else { return nil }
            let rest = text.dropFirst("http://".count)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<slash]
            path = slash == rest.endIndex ? "/" : String(rest[slash...])
            guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) else {
                return nil
            }
            var host = String(authority[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            self.host = host
            self.port = port
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// POSTs `body` (JSON) and returns the response body; throws unless the status is 200.
    static func post(_ url: URL, body: [UInt8]) throws -> [UInt8] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(url.host, String(url.port), &hints, &found) == 0, let address = found else {
            throw Failure(description: "cannot resolve \(url.host)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            throw Failure(description: "cannot connect to \(url.host):\(url.port) (errno \(errno))")
        }
        let head = "POST \(url.path) HTTP/1.0\r\nHost: \(url.host):\(url.port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "send failed (errno \(errno))") }
            sent += n
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += chunk[..<n]
        }
        guard let end = response.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw Failure(description: "no HTTP response")
        }
        let statusLine = String(decoding: response[..<end.lowerBound].prefix { $0 != 13 }, as: UTF8.self)
        guard statusLine.split(separator: " ").dropFirst().first == "200" else {
            throw Failure(description: "the server answered \(statusLine)")
        }
        return Array(response[end.upperBound...])
    }
}
