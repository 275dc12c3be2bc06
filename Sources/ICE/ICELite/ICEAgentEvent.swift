/// What an `ICELiteAgent` reports through `pollEvent()`.
public enum ICEAgentEvent: Sendable, Hashable {
    /// The peer nominated the pair with this remote address (first nomination, or a change
    /// of the nominated pair): send media here from now on.
    case selected(TransportAddress)
    /// No authenticated check arrived for the consent timeout (RFC 7675 §5.1): stop sending
    /// and hang up. Reported once; the agent is then `.failed` until an ICE restart.
    case consentExpired
}

/// The coarse state of an `ICELiteAgent`.
public enum ICEAgentState: Sendable, Hashable {
    /// No pair nominated yet.
    case new
    /// A pair is nominated and consent is fresh.
    case connected
    /// Consent expired (or never came); terminal until `restart`.
    case failed
}
