// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for every parser that sees peer bytes. Not part of the normal build:
// scripts/fuzz.sh builds this package with -sanitize=fuzzer,address into ../.build-fuzz.
// Each fuzz target is an executable: its @main hands LLVMFuzzerTestOneInput to libFuzzer's
// driver (LLVMFuzzerRunDriver), since SwiftPM links executables against the module's own main.
let package = Package(
    name: "swift-sfu-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-sfu", path: "..")
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
        // The quiet logger and the shared loopback media engine of the targets that run plugins.
        .target(name: "FuzzMedia", dependencies: [.product(name: "SFUMedia", package: "swift-sfu")]),
        .executableTarget(
            name: "fuzz-stun", dependencies: ["FuzzSupport", .product(name: "ICE", package: "swift-sfu")]),
        .executableTarget(
            name: "fuzz-ice",
            dependencies: [
                "FuzzSupport", .product(name: "ICE", package: "swift-sfu"), .product(name: "SFUBase", package: "swift-sfu"),
            ]),
        .executableTarget(
            name: "fuzz-rtp",
            dependencies: [
                "FuzzSupport", .product(name: "RTP", package: "swift-sfu"), .product(name: "SFUBase", package: "swift-sfu"),
            ]),
        .executableTarget(
            name: "fuzz-rtcp", dependencies: ["FuzzSupport", .product(name: "RTP", package: "swift-sfu")]),
        .executableTarget(
            name: "fuzz-srtp", dependencies: ["FuzzSupport", .product(name: "RTP", package: "swift-sfu")]),
        .executableTarget(
            name: "fuzz-dtls",
            dependencies: [
                "FuzzSupport", .product(name: "DTLS", package: "swift-sfu"), .product(name: "SFUBase", package: "swift-sfu"),
            ]),
        .executableTarget(
            name: "fuzz-sdp", dependencies: ["FuzzSupport", .product(name: "SFUMedia", package: "swift-sfu")]),
        .executableTarget(
            name: "fuzz-json", dependencies: ["FuzzSupport", .product(name: "Signaling", package: "swift-sfu")]),
        .executableTarget(
            name: "fuzz-janus", dependencies: ["FuzzSupport", "FuzzMedia", .product(name: "Signaling", package: "swift-sfu")]),
        // The media plane's packet path (in-memory engine, real handshakes, protected hostile packets).
        .executableTarget(
            name: "fuzz-transport",
            dependencies: [
                "FuzzSupport", .product(name: "SFUMedia", package: "swift-sfu"),
                .product(name: "WebRTCPeer", package: "swift-sfu"),
            ]),
        .executableTarget(
            name: "fuzz-videoroom",
            dependencies: [
                "FuzzSupport", "FuzzMedia", .product(name: "Signaling", package: "swift-sfu"),
                .product(name: "SFUMedia", package: "swift-sfu"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
