import NIOPosix
import Testing
@testable import Signaling

/// Plain endpoints beside the Janus API (`GET /metrics`) and on listeners of their own.
@Suite struct SideRouteTests {
    private static let metrics = HTTPSideRoute(methods: ["GET"], match: .exact("/metrics")) { request in
        JanusHTTPResponse(
            status: 200, headers: [(name: "Content-Type", value: "text/plain")], body: Array("q=\(request.query)".utf8))
    }

    @Test func sideRoutesAnswerBesideTheJanusAPI() async throws {
        let (server, _) = try await makeServer { $0.sideRoutes = [Self.metrics] }
        let port = try #require(server.boundHTTPPort)
        let scraped = try await httpRequest(port: port, method: .GET, path: "/metrics?x=1")
        #expect(scraped.status == 200)
        #expect(String(decoding: scraped.body, as: UTF8.self) == "q=x=1")
        #expect(scraped.headers.first(name: "Content-Type") == "text/plain")
        #expect(try await httpRequest(port: port, method: .POST, path: "/metrics", body: "{}").status == 405)
        #expect(try await janusPOST(port: port, #"{"janus":"ping","transaction":"p"}"#)["janus"] == "pong")
        await server.shutdown()
    }

    @Test func aSideListenerServesOnlyItsRoutes() async throws {
        let (server, _) = try await makeServer()
        let listener = SideListener(
            routes: [Self.metrics], core: server.core, logger: testLogger(),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let port = try await listener.start(host: "127.0.0.1", port: 0)
        #expect(try await httpRequest(port: port, method: .GET, path: "/metrics").status == 200)
        #expect(try await httpRequest(port: port, method: .GET, path: "/janus/info").status == 404)
        #expect(try await httpRequest(port: port, method: .POST, path: "/janus", body: "{}").status == 404)
        await listener.shutdown()
        await server.shutdown()
    }
}
