#if canImport(FoundationEssentials)
import DTLS
import FoundationEssentials
#else
import Foundation
#endif
import ICE
import NIOSSL

/// The options checked and split into the configurations of the parts (Janus API server, media
/// plane, VideoRoom). Pure: nothing is bound or read here except the certificate files.
extension SFUOptions {
    /// Throws `SFUError.invalidOptions` naming the first option that cannot work.
    public func validate() throws(SFUError) {
        for (name, endpoint) in [("http", http), ("webSocket", webSocket), ("metricsListener", metricsListener), ("adminHTTP", adminHTTP)] {
            guard let endpoint else { continue }
            guard !endpoint.host.isEmpty, (0...65535).contains(endpoint.port) else {
                throw .invalidOptions("\(name) must be HOST:PORT with a port in 0...65535, got '\(endpoint)'")
            }
        }
        guard basePath.hasPrefix("/") else { throw .invalidOptions("basePath must start with '/'") }
        guard !iceAddresses.isEmpty else { throw .invalidOptions("iceAddresses must name at least one address") }
        guard mediaPorts.lowerBound != 0 || mediaPorts.upperBound == 0 else {
            throw .invalidOptions("mediaPorts must be 0...0 (ephemeral) or start above 0")
        }
        guard mediaWorkers >= 0 else { throw .invalidOptions("mediaWorkers must be ≥ 0") }
        guard sessionTimeout >= .zero else { throw .invalidOptions("sessionTimeout must be ≥ 0") }
        guard limits.maxRequestBodySize > 0, limits.maxWebSocketMessageSize > 0, limits.eventQueueCapacity > 0 else {
            throw .invalidOptions("limits must be positive")
        }
        let optional = [
            ("maxWebSocketQueuedBytes", limits.maxWebSocketQueuedBytes), ("maxRequestsPerSecond", limits.maxRequestsPerSecond),
            ("maxConnections", limits.maxConnections), ("maxSessions", limits.maxSessions),
            ("maxHandlesPerSession", limits.maxHandlesPerSession), ("maxRooms", limits.maxRooms),
            ("maxParticipantsPerRoom", limits.maxParticipantsPerRoom),
        ]
        for (name, value) in optional where value < 0 {
            throw .invalidOptions("limits.\(name) must be ≥ 0 (0: no limit)")
        }
        guard limits.longPollHold >= .zero, limits.consentTimeout > .zero else {
            throw .invalidOptions("limits.longPollHold must be ≥ 0 and limits.consentTimeout > 0")
        }
        if https != nil || secureWebSocket != nil {
            guard let tls, tls != .generated else {
                throw .invalidOptions("https and wss need a TLS certificate and key (or a self-signed one)")
            }
        }
        for (name, endpoint) in [("https", https), ("wss", secureWebSocket)] {
            guard let endpoint else { continue }
            guard !endpoint.host.isEmpty, (0...65535).contains(endpoint.port) else {
                throw .invalidOptions("\(name) must be HOST:PORT with a port in 0...65535, got '\(endpoint)'")
            }
        }
        if let webClientDirectory, !StaticFileRoute.isDirectory(webClientDirectory) {
            throw .invalidOptions("web client directory '\(webClientDirectory)' is not a readable directory")
        }
        guard eventBufferSize > 0 else { throw .invalidOptions("eventBufferSize must be ≥ 1") }
        guard tokens.isEmpty || tokenAuth else { throw .invalidOptions("tokens need tokenAuth") }
        guard apiSecret.map({ !$0.isEmpty }) ?? true else { throw .invalidOptions("apiSecret must not be empty") }
        guard metricsInterval > .zero else { throw .invalidOptions("metricsInterval must be > 0") }
        guard metricsListener == nil || servesPrometheus else {
            throw .invalidOptions("metricsListener needs a PrometheusMetricsFactory in metrics")
        }
    }

    var janusConfiguration: JanusServerConfiguration {
        var configuration = JanusServerConfiguration()
        configuration.httpHost = http?.host ?? configuration.httpHost
        configuration.httpPort = http?.port
        configuration.wsHost = webSocket?.host ?? configuration.wsHost
        configuration.wsPort = webSocket?.port
        configuration.httpsHost = https?.host ?? configuration.httpsHost
        configuration.httpsPort = https?.port
        configuration.wssHost = secureWebSocket?.host ?? configuration.wssHost
        configuration.wssPort = secureWebSocket?.port
        configuration.basePath = basePath
        configuration.sessionTimeout = sessionTimeout.seconds
        configuration.apiSecret = apiSecret
        configuration.tokenAuth = tokenAuth
        configuration.maxRequestBodySize = limits.maxRequestBodySize
        configuration.maxWebSocketMessageSize = limits.maxWebSocketMessageSize
        configuration.eventQueueCapacity = limits.eventQueueCapacity
        configuration.maxWebSocketQueuedBytes = limits.maxWebSocketQueuedBytes
        configuration.maxRequestsPerSecond = limits.maxRequestsPerSecond
        configuration.maxConnections = limits.maxConnections
        configuration.maxSessions = limits.maxSessions
        configuration.maxHandlesPerSession = limits.maxHandlesPerSession
        configuration.longPollHold = limits.longPollHold.seconds
        configuration.ipv6 = iceAddresses.contains { $0.contains(":") }
        if let webClientDirectory {
            configuration.sideRoutes.append(StaticFileRoute.webClient(directory: webClientDirectory, basePath: basePath))
        }
        return configuration
    }

    var mediaConfiguration: MediaConfiguration {
        MediaConfiguration(
            iceAddresses: iceAddresses, advertisedAddresses: advertisedAddresses, lowPort: mediaPorts.lowerBound,
            highPort: mediaPorts.upperBound, workerCount: mediaWorkers,
            socketReceiveBuffer: limits.socketReceiveBuffer, socketSendBuffer: limits.socketSendBuffer,
            consentTimeout: limits.consentTimeout.seconds, roomPlacement: roomPlacement, udpGSO: udpGSO,
            slowLinkThreshold: slowLinkThreshold)
    }

    func videoRoomConfiguration(observer: @escaping VideoRoomEventObserver) -> VideoRoomConfiguration {
        var configuration = VideoRoomConfiguration(adminKey: adminKey, roomsFile: roomsFile, rooms: rooms, observer: observer)
        configuration.maxRooms = limits.maxRooms
        configuration.maxParticipantsPerRoom = limits.maxParticipantsPerRoom
        return configuration
    }

    /// The TLS context of the HTTPS/WSS listeners; nil when neither is on.
    func loadTLS() throws -> NIOSSLContext? {
        guard https != nil || secureWebSocket != nil, let tls else { return nil }
        guard let (certificate, key) = try Self.pem(tls) else { return nil }
        return try TLSServerContext.make(certificatePEM: certificate, privateKeyPEM: key)
    }

    /// The SHA-256 fingerprint of the TLS certificate (`AB:CD:…`), nil without one.
    public func tlsFingerprint() throws -> String? {
        guard let tls, let (certificate, key) = try Self.pem(tls) else { return nil }
        let fingerprint = try DTLSCertificate(pemCertificate: certificate, pemPrivateKey: key).fingerprint
        return fingerprint.sdpValue.split(separator: " ").last.map(String.init)
    }

    /// A fresh self-signed certificate (ECDSA P-256, a year) for `tls`, made with the OpenSSL the
    /// media plane uses: for trying HTTPS on a LAN (browsers warn until it is trusted).
    public static func selfSignedTLS(commonName: String = "swift-sfu") throws -> Certificate {
        let made = try DTLSCertificate.generateSelfSigned(commonName: commonName)
        return .pem(certificate: made.pemCertificate, privateKey: made.pemPrivateKey)
    }

    private static func pem(_ certificate: Certificate) throws -> (String, String)? {
        switch certificate {
        case .generated: return nil
        case .pem(let certificate, let privateKey): return (certificate, privateKey)
        case .files(let certificate, let privateKey):
            return (
                try String(contentsOfFile: certificate, encoding: .utf8),
                try String(contentsOfFile: privateKey, encoding: .utf8)
            )
        }
    }

    /// The DTLS certificate to use; nil: the media plane makes one.
    func loadCertificate() throws -> DTLSCertificate? {
        switch certificate {
        case .generated:
            return nil
        case .pem(let certificate, let privateKey):
            return try DTLSCertificate(pemCertificate: certificate, pemPrivateKey: privateKey)
        case .files(let certificate, let privateKey):
            return try DTLSCertificate(
                pemCertificate: String(contentsOfFile: certificate, encoding: .utf8),
                pemPrivateKey: String(contentsOfFile: privateKey, encoding: .utf8))
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds, the unit of the JSON configuration.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
