/// The `info` reply (janus-api.md §3.9).
extension JanusCore {
    func serverInfo(transaction: String) -> JSONValue {
        func infoObject(_ info: JanusPluginInfo) -> JSONValue {
            [
                "name": .string(info.name), "author": .string(info.author),
                "description": .string(info.description), "version_string": .string(info.versionString),
                "version": .int(Int64(info.version)),
            ]
        }
        var pluginMap: JSONObject = [:]
        for plugin in pluginOrder { pluginMap[plugin.package] = infoObject(plugin.info) }
        var transportMap: JSONObject = [:]
        for (name, info) in configuration.transports { transportMap[name] = infoObject(info) }
        var reply = JanusMessages.reply("server_info", sessionID: nil, transaction: transaction)
        let fields: JSONObject = [
            "name": .string(Self.productName),
            "version": .int(Int64(Self.version)),
            "version_string": .string(Self.versionString),
            "author": "swift-sfu contributors",
            "commit-hash": "not-a-git-repo",
            "compile-time": "",
            "log-to-stdout": true,
            "log-to-file": false,
            // An m=application is answered, but no data is relayed yet: not "supported".
            "data_channels": false,
            "accepting-new-sessions": .bool(acceptingNewSessions),
            "session-timeout": .int(Int64(configuration.sessionTimeout)),
            "reclaim-session-timeout": .int(Int64(configuration.reclaimSessionTimeout)),
            "candidates-timeout": .int(Int64(configuration.candidatesTimeout)),
            "server-name": .string(configuration.serverName),
            "ipv6": .bool(configuration.ipv6),
            "ice-lite": true,
            "ice-tcp": false,
            "full-trickle": false,
            "api_secret": .bool(configuration.apiSecret != nil),
            "auth_token": .bool(configuration.tokenAuth),
            "event_handlers": false,
            "opaqueid_in_api": false,
            "dependencies": [:],
            "transports": .object(transportMap),
            "events": [:],
            "loggers": [:],
            "plugins": .object(pluginMap),
        ]
        reply.merge(fields) { current, _ in current }
        return .object(reply)
    }
}
