#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves the files of one directory (the web client) as the fallback side route: `GET /` is
/// `index.html`, `GET /app.js` the file `app.js`. Only plain relative names are looked up
/// (letters, digits, `.`, `-`, `_`, `/`; no `..` segment, no hidden file), so a request can
/// never leave the directory. Files are read on each request (small, and edits show at once).
public enum StaticFileRoute {
    /// The web client's route: the files of `directory`, and `/client-config.json`, which tells
    /// the page where the Janus REST API is (`{"janusPath":"/janus"}`, the base path may differ).
    public static func webClient(directory: String, basePath: String) -> HTTPSideRoute {
        let configuration: JSONValue = ["janusPath": .string(JanusHTTPRoute.normalized(basePath))]
        return route(
            directory: directory,
            generated: ["/client-config.json": ("application/json", JSONSerializer.serialize(configuration))])
    }

    /// Whether `path` names a directory this process can read.
    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR && access(path, R_OK | X_OK) == 0
    }

    /// The route for `directory`. `generated` adds answers made by the server itself (path →
    /// content type and body), e.g. the client's configuration.
    public static func route(
        directory: String, generated: [String: (contentType: String, body: [UInt8])] = [:]
    ) -> HTTPSideRoute {
        HTTPSideRoute(methods: ["GET"], match: .fallback) { request in
            if let answer = generated[request.path] {
                return response(200, contentType: answer.contentType, body: answer.body)
            }
            guard let relative = relativePath(request.path) else {
                return response(404, contentType: "text/plain; charset=utf-8", body: Array("not found\n".utf8))
            }
            guard let bytes = try? FileBytes.contents(ofFile: directory + "/" + relative) else {
                return response(404, contentType: "text/plain; charset=utf-8", body: Array("not found\n".utf8))
            }
            return response(200, contentType: contentType(of: relative), body: bytes)
        }
    }

    /// The file a request path names inside the directory, nil when it is not a plain name.
    static func relativePath(_ path: String) -> String? {
        var name = path.hasSuffix("/") ? path + "index.html" : path
        guard name.hasPrefix("/") else { return nil }
        name.removeFirst()
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "/")
        }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        guard allowed, !name.isEmpty, segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { return nil }
        return name
    }

    static func contentType(of name: String) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "html": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    private static func response(_ status: Int, contentType: String, body: [UInt8]) -> JanusHTTPResponse {
        JanusHTTPResponse(
            status: status,
            headers: [
                (name: "Content-Type", value: contentType),
                // Revalidate on every load: a server upgrade must not leave an old client cached.
                (name: "Cache-Control", value: "no-cache"),
                (name: "X-Content-Type-Options", value: "nosniff"),
            ],
            body: body)
    }
}
