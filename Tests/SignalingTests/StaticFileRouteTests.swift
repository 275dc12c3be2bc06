#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Signaling

/// The web client's files at `/` beside the Janus API: the fallback route takes only what the
/// API and the other routes do not, and never a path outside its directory.
@Suite struct StaticFileRouteTests {
    @Test func plainNamesOnly() {
        #expect(StaticFileRoute.relativePath("/") == "index.html")
        #expect(StaticFileRoute.relativePath("/app.js") == "app.js")
        #expect(StaticFileRoute.relativePath("/sub/") == "sub/index.html")
        #expect(StaticFileRoute.relativePath("/../etc/passwd") == nil)
        #expect(StaticFileRoute.relativePath("/a/../../b") == nil)
        #expect(StaticFileRoute.relativePath("/.hidden") == nil)
        #expect(StaticFileRoute.relativePath("/a//b") == nil)
        #expect(StaticFileRoute.relativePath("/%2e%2e/x") == nil)
        #expect(StaticFileRoute.relativePath("relative") == nil)
        #expect(StaticFileRoute.contentType(of: "app.js") == "text/javascript; charset=utf-8")
        #expect(StaticFileRoute.contentType(of: "index.html") == "text/html; charset=utf-8")
    }

    @Test func servesTheDirectoryBesideTheJanusAPI() async throws {
        var template = Array("/tmp/static-route-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) != nil }
        try #require(made)
        let directory = String(cString: template)
        defer { _ = unlink(directory + "/index.html"); _ = rmdir(directory) }
        try FileBytes.store(Array("<p>hello</p>".utf8), inFile: directory + "/index.html")
        #expect(StaticFileRoute.isDirectory(directory))
        #expect(!StaticFileRoute.isDirectory(directory + "/index.html"))

        let (server, _) = try await makeServer {
            $0.sideRoutes = [StaticFileRoute.webClient(directory: directory, basePath: "/janus")]
        }
        let port = try #require(server.boundHTTPPort)
        let page = try await httpRequest(port: port, method: .GET, path: "/?room=7")
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self) == "<p>hello</p>")
        #expect(page.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
        let configuration = try await httpRequest(port: port, method: .GET, path: "/client-config.json")
        #expect(String(decoding: configuration.body, as: UTF8.self) == #"{"janusPath":"/janus"}"#)
        #expect(try await httpRequest(port: port, method: .GET, path: "/missing.js").status == 404)
        #expect(try await httpRequest(port: port, method: .GET, path: "/../index.html").status == 404)
        #expect(try await httpRequest(port: port, method: .POST, path: "/", body: "{}").status == 405)
        // The Janus API keeps its paths.
        #expect(try await janusPOST(port: port, #"{"janus":"ping","transaction":"p"}"#)["janus"] == "pong")
        #expect(try await httpRequest(port: port, method: .GET, path: "/janus/info").status == 200)
        await server.shutdown()
    }
}
