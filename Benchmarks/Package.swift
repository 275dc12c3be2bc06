// swift-tools-version: 6.1
import PackageDescription

// Micro-benchmarks, kept out of the root package (as swift-nio does) so the server never
// depends on the benchmark harness. Run: `cd Benchmarks && swift package benchmark`.
let package = Package(
    name: "swift-sfu-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-sfu", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Debian's libsrtp2 as the side-by-side reference (own module name: the root package's
        // CLibSRTP is not a product).
        .systemLibrary(
            name: "CLibSRTPBench", path: "Sources/CLibSRTPBench", pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]),
        .executableTarget(
            name: "RTPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                // RTP is reached through the SFU product, which links it.
                .product(name: "SFUMedia", package: "swift-sfu"),
                "CLibSRTPBench",
            ],
            path: "Benchmarks/RTPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "ICEBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                // ICE is reached through the SFU product, which links it.
                .product(name: "SFUMedia", package: "swift-sfu"),
            ],
            path: "Benchmarks/ICEBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // libvpx (VP8) and libopus for sfu-load's media, encoded once at start.
        .target(
            name: "CLoadCodecs", path: "Sources/CLoadCodecs",
            linkerSettings: [.linkedLibrary("vpx"), .linkedLibrary("opus"), .linkedLibrary("m")]),
        // recvmmsg and epoll for sfu-load's receive path.
        .target(name: "CLoadSystem", path: "Sources/CLoadSystem"),
        // The load harness (issue 4): real WebRTC peers against any Janus-API server.
        // RTP and ICE are reached through the SFU and WebRTCPeer products, which link them.
        .executableTarget(
            name: "sfu-load",
            dependencies: [
                .product(name: "SFUMedia", package: "swift-sfu"),
                .product(name: "WebRTCPeer", package: "swift-sfu"),
                "CLoadCodecs",
                "CLoadSystem",
            ],
            path: "Sources/sfu-load"),
        .testTarget(name: "SFULoadTests", dependencies: ["sfu-load"], path: "Tests/SFULoadTests"),
        // Forwarding core (issue 4): a fixed in-process replay for callgrind (instructions per
        // forwarded packet) and the ordo-one benchmark of the same path (mallocs per packet).
        .target(
            name: "ForwardingReplay",
            dependencies: [
                .product(name: "SFUMedia", package: "swift-sfu"),
                .product(name: "WebRTCPeer", package: "swift-sfu"),
            ],
            path: "Sources/ForwardingReplay"),
        .executableTarget(
            name: "forward-replay",
            dependencies: ["ForwardingReplay"],
            path: "Sources/forward-replay"),
        .executableTarget(
            name: "ForwardingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "ForwardingReplay",
            ],
            path: "Benchmarks/ForwardingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
