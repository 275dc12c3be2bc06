#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The support bundle (Admin API `support_bundle`, `sfu-server support-bundle`): one JSON object
/// a user can attach to a bug report. Every secret is left out or redacted: configured secrets
/// appear only as `"<redacted>"` (or a count), and then every string in the bundle (log lines
/// included) is scrubbed of every secret the server knows (API and admin secrets, the VideoRoom
/// admin key, stored tokens, room secrets, pins, moderator secrets and ACL tokens, a PEM private
/// key). Sections: `version`, `host`, `configuration`, `uptime_seconds`, `counters`, `rooms`,
/// `sessions`, `peerconnections` (`handle_info` of each live PeerConnection), `log` (the last
/// lines of `SFUOptions.logRing`).
struct SFUSupportBundle {
    static let redacted: JSONValue = "<redacted>"

    let options: SFUOptions
    let runtime: SFURuntime

    func make() async -> JSONObject {
        let core = runtime.api.core
        let inspector = JanusAdminAPI(core: core, secret: nil, hooks: SFURuntime.adminHooks(options: options, engine: runtime.engine))
        var bundle: JSONObject = [
            "format": "swift-sfu support bundle 1",
            "version": ["product": .string(JanusCore.productName), "version": .string(JanusCore.versionString), "build": .string(Self.build)],
            "host": Self.host(addresses: options.iceAddresses + Array(options.advertisedAddresses.values)),
            "configuration": .object(configuration()),
            "uptime_seconds": .int((ContinuousClock.now - runtime.startedAt).components.seconds),
            "counters": .object(await counters()),
            "rooms": .array(await rooms()),
        ]
        var sessions: [JSONValue] = []
        var peerConnections: [JSONValue] = []
        for sessionID in await core.sessionIDs {
            let listed = await inspector.handle(["janus": "list_handles", "transaction": "b", "session_id": .uint(sessionID)])
            var handles: [JSONValue] = []
            for handleID in listed["handles"]?.arrayValue?.compactMap(\.uint64Value) ?? [] {
                let reply = await inspector.handle([
                    "janus": "handle_info", "transaction": "b", "session_id": .uint(sessionID), "handle_id": .uint(handleID),
                ])
                guard let info = reply["info"]?.objectValue else { continue }
                handles.append(["id": .uint(handleID), "plugin": info["plugin"] ?? .null])
                if info["webrtc"] != nil { peerConnections.append(.object(Self.withoutCredentials(info))) }
            }
            sessions.append(["id": .uint(sessionID), "handles": .array(handles)])
        }
        bundle["sessions"] = .array(sessions)
        bundle["peerconnections"] = .array(peerConnections)
        bundle["log"] = .array((options.logRing?.lines ?? []).map(JSONValue.string))
        let secrets = await knownSecrets()
        return bundle.mapValues { Self.scrub($0, secrets) }
    }

    private static var build: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// The options, secrets replaced by `<redacted>` (absent ones stay null).
    private func configuration() -> JSONObject {
        func secret(_ value: String?) -> JSONValue { value == nil ? .null : Self.redacted }
        let certificate: JSONValue
        switch options.certificate {
        case .generated: certificate = ["kind": "generated"]
        case .pem: certificate = ["kind": "pem", "privateKey": Self.redacted]
        case .files(let path, _): certificate = ["kind": "files", "certificateFile": .string(path), "privateKeyFile": Self.redacted]
        }
        return [
            "name": .string(options.name),
            "http": options.http.map { .string($0.description) } ?? "off",
            "ws": options.webSocket.map { .string($0.description) } ?? "off",
            "basePath": .string(options.basePath),
            "iceAddresses": .array(options.iceAddresses.map { .string(Self.mask($0)) }),
            "natMapping": .object(Dictionary(uniqueKeysWithValues: options.advertisedAddresses.map { (Self.mask($0.key), .string(Self.mask($0.value))) })),
            "mediaPorts": .string("\(options.mediaPorts.lowerBound)-\(options.mediaPorts.upperBound)"),
            "workers": .int(Int64(options.mediaWorkers)),
            "roomPlacement": .string("\(options.roomPlacement)"),
            "udpGSO": .bool(options.udpGSO),
            "sessionTimeout": .double(options.sessionTimeout.seconds),
            "certificate": certificate,
            "apiSecret": secret(options.apiSecret),
            "tokenAuth": .bool(options.tokenAuth),
            "storedTokens": .int(Int64(runtime.api.core.tokens.all.count)),
            "adminKey": secret(options.adminKey),
            "adminHTTP": options.adminHTTP.map { .string($0.description) } ?? "off",
            "adminSecret": secret(options.adminSecret),
            "metrics": options.metrics == nil ? "off" : .string(options.metricsListener?.description ?? "http"),
            "roomsFile": options.roomsFile.map(JSONValue.string) ?? .null,
            "presetRooms": .int(Int64(options.rooms.count)),
            "echoTest": .bool(options.echoTest),
            "logLevel": options.logLevelControl.map { .string($0.level.rawValue) } ?? .null,
        ]
    }

    private func counters() async -> JSONObject {
        let media = runtime.engine.statistics
        let core = runtime.api.core
        var requests: JSONObject = [:]
        for (key, count) in core.requestStatistics.snapshot {
            requests["\(key.request) \(key.errorCode)"] = .int(Int64(count))
        }
        var plugins: JSONObject = [:]
        for (package, figures) in await core.pluginStatistics() {
            plugins[package] = .object(figures.mapValues { .int(Int64($0)) })
        }
        return [
            "sessions": .int(Int64(await core.sessionCount)),
            "media": [
                "transports": .int(Int64(media.transports)), "datagramsReceived": .int(Int64(media.datagramsReceived)),
                "datagramsSent": .int(Int64(media.datagramsSent)), "datagramsDropped": .int(Int64(media.datagramsDropped)),
                "sendFailures": .int(Int64(media.sendFailures)), "fanOutDrops": .int(Int64(media.fanOutDrops)),
            ],
            "workers": .array(runtime.engine.workerStatistics.map { worker in
                [
                    "index": .int(Int64(worker.index)), "transports": .int(Int64(worker.transports)),
                    "datagramsReceived": .int(Int64(worker.datagramsReceived)),
                    "datagramsSent": .int(Int64(worker.datagramsSent)),
                ]
            }),
            "requests": .object(requests),
            "plugins": .object(plugins),
        ]
    }

    /// The VideoRoom `list` (with the admin key, so private rooms count too): no secret in it.
    private func rooms() async -> [JSONValue] {
        var body: JSONObject = ["request": "list"]
        if let adminKey = options.adminKey { body["admin_key"] = .string(adminKey) }
        let list = (try? await runtime.control.request(.object(body), timeout: .seconds(5)))?["list"]?.arrayValue ?? []
        return list
    }

    private func knownSecrets() async -> [String] {
        var secrets = [options.apiSecret, options.adminSecret, options.adminKey].compactMap { $0 }
        secrets += options.tokens + runtime.api.core.tokens.all.map(\.token)
        secrets += await runtime.api.core.pluginSecrets()
        if case .pem(_, let key) = options.certificate { secrets.append(key) }
        // Longest first, so a secret containing another is replaced whole.
        return Array(Set(secrets.filter { $0.count >= 3 })).sorted { $0.count > $1.count }
    }

    /// `handle_info` without what lets someone act as the peer: its token, its VideoRoom
    /// `private_id`, our ICE password in the SDP.
    static func withoutCredentials(_ info: JSONObject) -> JSONObject {
        var info = info
        if info["token"] != nil { info["token"] = redacted }
        if var specific = info["plugin_specific"]?.objectValue, specific["private_id"] != nil {
            specific["private_id"] = redacted
            info["plugin_specific"] = .object(specific)
        }
        if var sdps = info["sdps"]?.objectValue, let local = sdps["local"]?.stringValue {
            // SDP lines end in CRLF, one Character in Swift.
            sdps["local"] = .string(local.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { line in
                line.hasPrefix("a=ice-pwd:") ? "a=ice-pwd:<redacted>" : String(line)
            }.joined(separator: "\r\n"))
            info["sdps"] = .object(sdps)
        }
        return info
    }

    /// Every string in `value` with every secret replaced.
    static func scrub(_ value: JSONValue, _ secrets: [String]) -> JSONValue {
        switch value {
        case .string(let text):
            var text = text
            for secret in secrets where text.contains(secret) { text = text.replacing(secret, with: "<redacted>") }
            return .string(text)
        case .array(let items): return .array(items.map { scrub($0, secrets) })
        case .object(let object): return .object(object.mapValues { scrub($0, secrets) })
        default: return value
        }
    }

    /// An address with its last bytes masked: `203.0.113.x`, `2001:db8:1:2:x:x:x:x`.
    static func mask(_ address: String) -> String {
        if address.contains(":") {
            let groups = address.split(separator: ":", omittingEmptySubsequences: false)
            return (groups.prefix(4).map(String.init) + ["x", "x", "x", "x"]).joined(separator: ":")
        }
        let octets = address.split(separator: ".")
        guard octets.count == 4 else { return "x" }
        return octets.prefix(3).joined(separator: ".") + ".x"
    }

    /// Kernel, cores, memory, the server's addresses (masked).
    static func host(addresses: [String]) -> JSONValue {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        return [
            "kernel": .string("\(field(name.sysname)) \(field(name.release)) \(field(name.machine))"),
            "cores": .int(Int64(sysconf(Int32(_SC_NPROCESSORS_ONLN)))),
            "memory_bytes": .int(Int64(pages) * Int64(pageSize)),
            "addresses": .array(Array(Set(addresses)).sorted().map { .string(mask($0)) }),
        ]
    }
}
