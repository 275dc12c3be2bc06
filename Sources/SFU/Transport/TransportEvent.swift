/// What a transport tells the control plane. Delivered on the media worker thread: handlers must
/// not block (hand the event to an actor or a queue).
public enum TransportEvent: Sendable, Equatable {
    /// ICE selected a pair and DTLS-SRTP keys are in place (Janus `webrtcup`).
    case connected
    /// The first packet of an m-line arrived, or it went silent for a second (Janus `media`).
    case mediaReceiving(mid: String, kind: MediaKind, receiving: Bool)
    /// The transport is dead; the reason uses Janus's hangup wording
    /// ("ICE failed", "DTLS alert", "DTLS error", "DTLS timeout").
    case failed(reason: String)
}
