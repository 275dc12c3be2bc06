// swift-tools-version:6.0
import PackageDescription

// Layers point one way: SFUBase → RTP, ICE, DTLS → SFUMedia → Signaling → SFU (the embedding
// API) → sfu-server; VideoRoomControl (room rules: lobby, hands, roles; no media) sits on SFUBase
// beside SFUMedia. C lives only in the C… shim targets.
let package = Package(
    name: "swift-sfu",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SFUBase", targets: ["SFUBase"]),
        .library(name: "RTP", targets: ["RTP"]),
        .library(name: "ICE", targets: ["ICE"]),
        .library(name: "DTLS", targets: ["DTLS"]),
        .library(name: "SFU", targets: ["SFU"]),
        .library(name: "SFUMedia", targets: ["SFUMedia"]),
        .library(name: "MediaCore", targets: ["MediaCore"]),
        .library(name: "Signaling", targets: ["Signaling"]),
        .library(name: "VideoRoomControl", targets: ["VideoRoomControl"]),
        .library(name: "WebRTCPeer", targets: ["WebRTCPeer"]),
        .executable(name: "sfu-server", targets: ["sfu-server"]),
        .executable(name: "twin-daemon", targets: ["twin-daemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // TLS for the HTTPS/WSS listeners (its BoringSSL is symbol-prefixed, so it lives beside
        // the OpenSSL the media plane links for DTLS; Tests/SFUTests/TLSCoexistenceTests).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // OpenSSL 3 (libssl + libcrypto); function-like macros wrapped in static inline shims.
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        // Debian's libsrtp2: the byte-for-byte test oracle only, never linked into the server.
        .systemLibrary(
            name: "CLibSRTP", path: "Sources/CLibSRTP", pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]),
        // recvmmsg/sendmmsg/epoll/eventfd declarations Glibc does not export to Swift.
        .target(name: "CSFUSystem", path: "Sources/CSFUSystem"),
        // Monotonic time, a FIFO queue, big-endian byte access: shared by every layer.
        .target(name: "SFUBase"),
        .target(name: "RTP", dependencies: ["SFUBase", "COpenSSL"]),
        .target(name: "ICE", dependencies: ["SFUBase", "COpenSSL"]),
        // DTLS-SRTP on OpenSSL 3, sans-IO.
        .target(name: "DTLS", dependencies: ["SFUBase", "COpenSSL"]),
        // The media plane: SDP, media workers, transports, the forwarding core.
        // The media plane without I/O: transports, producers, consumers, the router, SDP; fed
        // datagrams, commands and time (no socket, thread or clock API in it).
        .target(
            name: "MediaCore",
            dependencies: [
                "SFUBase", "RTP", "ICE", "DTLS",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The media plane's driver: sockets, epoll, threads, the clock; and the engine.
        .target(
            name: "SFUMedia",
            dependencies: [
                "MediaCore", "SFUBase", "RTP", "ICE", "DTLS", "CSFUSystem",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The room-control state machine of a VideoRoom room (lobby, hands, roles, moderator
        // mutes): room logic, fed requests and time, touching no media.
        .target(name: "VideoRoomControl", dependencies: ["SFUBase"]),
        // A client-side WebRTC peer (controlling ICE, DTLS-SRTP, RTP/RTCP) for tests and load generation.
        .target(name: "WebRTCPeer", dependencies: ["SFUBase", "RTP", "ICE", "DTLS", "CSFUSystem"]),
        .target(
            name: "Signaling",
            dependencies: [
                "SFUMedia", "VideoRoomControl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The embedding API a daemon imports: options, the server as a `Service`, rooms, events.
        .target(
            name: "SFU",
            dependencies: [
                "SFUMedia", "Signaling", "VideoRoomControl",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .executableTarget(
            name: "sfu-server",
            dependencies: [
                "SFU", "Signaling", "SFUMedia",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The web client (plain HTML, CSS and ES modules, no build step), served at `/`.
            resources: [.copy("WebClient")]),
        // The example twin daemon: embeds the SFU beside an HTTP endpoint of its own (built in CI).
        .executableTarget(
            name: "twin-daemon", dependencies: ["SFU", .product(name: "NIOHTTP1", package: "swift-nio"),
                                                .product(name: "NIOPosix", package: "swift-nio")],
            path: "Examples/TwinDaemon"),
        // Test support for tests/e2e/test_embedding.py: two SFUServer instances in one process.
        .executableTarget(name: "sfu-embed-pair", dependencies: ["SFU"], path: "Tests/EmbedPair"),
        // Real SDP offers captured from aiortc and Chromium, shared by the SFU and Signaling tests.
        .target(name: "SDPTestFixtures", path: "Tests/SDPTestFixtures"),
        // What several test targets share (a seeded random number generator).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SFUBaseTests", dependencies: ["SFUBase"]),
        .testTarget(name: "RTPTests", dependencies: ["RTP", "CLibSRTP", "TestSupport"]),
        .testTarget(name: "ICETests", dependencies: ["ICE", "TestSupport"]),
        .testTarget(name: "DTLSTests", dependencies: ["DTLS", "ICE", "TestSupport"]),
        .testTarget(
            name: "SFUMediaTests",
            dependencies: [
                "SFUMedia", "MediaCore", "WebRTCPeer", "SDPTestFixtures", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "SFUTests",
            dependencies: [
                "SFU", "WebRTCPeer", "SDPTestFixtures",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "SignalingTests",
            dependencies: [
                "Signaling", "SDPTestFixtures", "VideoRoomControl",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "VideoRoomControlTests",
            dependencies: [
                "VideoRoomControl", "SFUBase",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
