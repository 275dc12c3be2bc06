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
    /// The transport is dead; the reason uses Janus's hangup wording
    /// ("ICE failed", "DTLS alert", "DTLS error", "DTLS timeout").
    case failed(reason: String)
}
