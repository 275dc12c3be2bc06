/// The VideoRoom's live figures for metrics and the support bundle (`JanusPlugin.statistics`).
extension VideoRoomPlugin {
    public func statistics() async -> [String: Int] { await registry.statistics() }
}

extension VideoRoomRegistry {
    /// `rooms`, `participants` (publisher-role participants, joined), `subscribers` (subscriber handles).
    func statistics() -> [String: Int] {
        [
            "rooms": rooms.count,
            "participants": rooms.values.reduce(0) { $0 + $1.participants.count },
            "subscribers": rooms.values.reduce(0) { $0 + $1.subscribers.count },
        ]
    }
}
