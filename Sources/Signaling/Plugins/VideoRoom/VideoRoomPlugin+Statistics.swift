/// The VideoRoom's live figures for metrics and the support bundle (`JanusPlugin.statistics`).
extension VideoRoomPlugin {
    public func statistics() async -> [String: Int] { await registry.statistics() }
    public func secrets() async -> [String] { await registry.secrets() }
}

extension VideoRoomRegistry {
    /// Every room's `secret`, `pin`, `moderator_secret` and `allowed` tokens, and the
    /// configured `admin_key`.
    func secrets() -> [String] {
        var found = configuration.adminKey.map { [$0] } ?? []
        for room in rooms.values {
            let settings = room.settings
            found += [settings.secret, settings.pin, settings.moderatorSecret].compactMap { $0 } + settings.allowed
        }
        return found.filter { !$0.isEmpty }
    }

    /// `rooms`, `participants` (publisher-role participants, joined), `subscribers` (subscriber handles).
    func statistics() -> [String: Int] {
        [
            "rooms": rooms.count,
            "participants": rooms.values.reduce(0) { $0 + $1.participants.count },
            "subscribers": rooms.values.reduce(0) { $0 + $1.subscribers.count },
        ]
    }
}
