/// One RTP payload type of an `m=` line with everything said about it:
/// `a=rtpmap` (RFC 8866 §6.6), `a=fmtp` (§6.15) and `a=rtcp-fb` (RFC 4585 §4.2).
///
/// A payload type listed on the `m=` line without `a=rtpmap` gets the static
/// assignment of RFC 3551 §6 if there is one, else an empty `name`.
public struct SDPCodec: Sendable, Hashable {
    public var payloadType: UInt8
    public var name: String
    public var clockRate: UInt32
    public var channels: Int?
    /// The `a=fmtp` value, verbatim (e.g. `minptime=10;useinbandfec=1`).
    public var fmtp: String?
    /// `a=rtcp-fb` values for this payload type (`nack`, `nack pli`, `ccm fir`, ...).
    public var feedback: [String]

    public init(payloadType: UInt8, name: String, clockRate: UInt32, channels: Int? = nil,
                fmtp: String? = nil, feedback: [String] = []) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.fmtp = fmtp
        self.feedback = feedback
    }

    /// `fmtp` split into `key=value` pairs, in order. Values without `=` (such as
    /// `0-15` for telephone-event or `111/111` for red) get an empty key.
    public var parameters: [(key: String, value: String)] {
        guard let fmtp else { return [] }
        return fmtp.split(separator: ";").map { part in
            let p = part.trimmingSpaces
            if let eq = p.firstIndex(of: "=") {
                return (String(p[..<eq]), String(p[p.index(after: eq)...]))
            }
            return ("", String(p))
        }
    }

    /// The value of one fmtp parameter (case-insensitive key).
    public func parameter(_ key: String) -> String? {
        let k = key.lowercased()
        return parameters.first { $0.key.lowercased() == k }?.value
    }

    /// For `rtx` (RFC 4588 §8.6): the payload type it repairs.
    public var associatedPayloadType: UInt8? {
        parameter("apt").flatMap { UInt8($0) }
    }

    public var isRTX: Bool { name.lowercased() == "rtx" }

    /// Static payload types of RFC 3551 §6 that WebRTC peers may list without rtpmap.
    static func staticCodec(_ pt: UInt8) -> SDPCodec? {
        switch pt {
        case 0: SDPCodec(payloadType: 0, name: "PCMU", clockRate: 8000)
        case 8: SDPCodec(payloadType: 8, name: "PCMA", clockRate: 8000)
        case 9: SDPCodec(payloadType: 9, name: "G722", clockRate: 8000)
        case 13: SDPCodec(payloadType: 13, name: "CN", clockRate: 8000)
        default: nil
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
