/// What a transport tells the control plane. Delivered on the media worker thread: handlers must
/// not block (hand the event to an actor or a queue).
public enum TransportEvent: Sendable, Equatable {
    /// ICE selected a pair and DTLS-SRTP keys are in place (Janus `webrtcup`).
    case connected
    /// The first packet of an m-line arrived, or it went silent for a second (Janus `media`).
    case mediaReceiving(mid: String, kind: MediaKind, receiving: Bool)
    /// Talking detection on a publisher audio m-line (RFC 6464 levels averaged per
    /// `PublisherSettings`); `level` is the average in -dBov (Janus `audio-level-dBov-avg`).
    case talking(mid: String, talking: Bool, level: Double)
    /// Many losses in the last second on an m-line (Janus `slowlink`): `uplink` true when the
    /// peer reports losses on media we send, false when we see losses on media it sends.
    case slowLink(mid: String, kind: MediaKind, uplink: Bool, lost: Int)
    /// A subscriber m-line now forwards simulcast layer `substream` (0 the lowest) of its source:
    /// its first layer, or a switch (Janus's `substream` event).
    case layerChanged(mid: String, substream: Int)
    /// A subscriber m-line now forwards VP8 temporal layers up to `temporal` (Janus's
    /// `temporal` event).
    case temporalLayerChanged(mid: String, temporal: Int)
    /// A subscriber video m-line stopped because not even its source's lowest layer fits the
    /// subscriber's bandwidth (or its own cap), or resumed once it fits again; audio goes on.
    case videoPaused(mid: String, paused: Bool)
    /// The transport is dead, and why.
    case failed(reason: TransportFailure)
}

/// Why a transport died. The raw values are Janus's hangup reasons (`hangup.reason`).
public enum TransportFailure: String, Sendable, Equatable, CaseIterable {
    /// ICE consent expired (RFC 7675) or the pair was lost.
    case iceFailed = "ICE failed"
    /// The peer closed DTLS (close_notify or another alert).
    case dtlsAlert = "DTLS alert"
    /// The handshake failed (wrong fingerprint, protocol error).
    case dtlsError = "DTLS error"
    /// The handshake did not finish in time.
    case dtlsTimeout = "DTLS timeout"
    /// Keys could not be set up (an unknown SRTP profile, a crypto library failure).
    case srtpStackError = "DTLS-SRTP stack error"

    /// Janus's wording, for `hangup` events.
    public var janusReason: String { rawValue }
}
