/// The EchoTest plugin's knobs (Janus `{"audio":bool,"video":bool,"bitrate":N}`): which kinds
/// come back (the transport's echo bindings) and the REMB cap on what the peer sends.
struct EchoSettings: Sendable, Equatable {
    var audio = true
    var video = true
    /// REMB cap in bits per second sent to the peer; 0 = no cap of ours.
    var bitrate: UInt32 = 0
}
