/// Text → `SessionDescription` (RFC 8866 §5 grammar, leniently).
///
/// Structure errors (first line not `v=`, a line not shaped `<letter>=`, an
/// unreadable `o=` or `m=`) throw; an attribute whose value cannot be read is
/// kept verbatim in `otherAttributes`. Nothing here traps on peer input.
extension SessionDescription {
    public static func parse(_ text: String) throws(SDPError) -> SessionDescription {
        var lines: [Substring] = []
        // "\r\n" is a single Character in Swift: split on every line-end grapheme.
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            lines.append(line)
        }
        guard let first = lines.first, first.hasPrefix("v=") else {
            throw SDPError(.invalidSyntax, "Invalid SDP (doesn't start with v=)")
        }
        var parser = SDPParser()
        for (number, line) in lines.enumerated() {
            try parser.consume(line, number: number + 1)
        }
        return try parser.finish()
    }
}

struct SDPParser {
    private var version = 0
    private var origin: SDPOrigin?
    private var session = SessionDescription(origin: SDPOrigin(sessionID: "0", sessionVersion: "0"))
    private var sawTiming = false
    private var current: PendingMedia?

    /// A media section while its lines are read: rtpmap/fmtp/rtcp-fb arrive as
    /// separate lines and are folded into codecs at the end.
    private struct PendingMedia {
        var media: MediaDescription
        var payloadTypes: [UInt8]
        var rtpmaps: [UInt8: (name: String, clockRate: UInt32, channels: Int?)] = [:]
        var fmtps: [UInt8: String] = [:]
        var feedback: [UInt8: [String]] = [:]
        /// rtpmap/fmtp/rtcp-fb lines that do not fit (duplicate, unknown pt):
        /// appended verbatim to the others when the section ends.
        var leftovers: [SDPAttribute] = []
    }

    mutating func consume(_ line: Substring, number: Int) throws(SDPError) {
        let chars = line.utf8
        guard chars.count >= 2, let type = line.first, type.isASCII, type.isLetter,
            line[line.index(after: line.startIndex)] == "="
        else {
            throw SDPError(.invalidSyntax, "Invalid SDP line \(number): '\(line.prefix(40))'")
        }
        let value = String(line.dropFirst(2))
        switch type {
        case "v":
            guard let v = Int(value) else { throw SDPError(.invalidSyntax, "Invalid SDP version '\(value)'") }
            version = v
        case "o":
            let f = value.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count == 6 else { throw SDPError(.invalidSyntax, "Invalid SDP origin line '\(value)'") }
            origin = SDPOrigin(
                username: String(f[0]), sessionID: String(f[1]), sessionVersion: String(f[2]),
                networkType: String(f[3]), addressType: String(f[4]), address: String(f[5]))
        case "s" where current == nil:
            session.sessionName = value
        case "t" where current == nil && !sawTiming:
            session.timing = value
            sawTiming = true
        case "m":
            try finishMedia()
            current = try Self.mediaLine(value)
        case "c":
            if let c = Self.connection(value) {
                if current != nil { current?.media.connection = c } else { session.connection = c }
            } else {
                appendExtra(SDPLine(type: "c", value: value))
            }
        case "b":
            if let b = Self.bandwidth(value) {
                if current != nil { current?.media.bandwidths.append(b) } else { session.bandwidths.append(b) }
            } else {
                appendExtra(SDPLine(type: "b", value: value))
            }
        case "a":
            let name: String
            let attrValue: String?
            if let colon = value.firstIndex(of: ":") {
                name = String(value[..<colon])
                attrValue = String(value[value.index(after: colon)...])
            } else {
                name = value
                attrValue = nil
            }
            if current != nil {
                mediaAttribute(name, attrValue)
            } else {
                sessionAttribute(name, attrValue)
            }
        default:
            appendExtra(SDPLine(type: type, value: value))
        }
    }

    private mutating func appendExtra(_ line: SDPLine) {
        if current != nil {
            current?.media.extraLines.append(line)
        } else if Self.timeLineTypes.contains(line.type) {
            session.extraLines.append(line)
        } else {
            // The serializer writes the other session lines before t= and the time lines after
            // it; keep that order here too, so that parse → text → parse gives the same model
            // even when e.g. an unparseable c= line came after t=.
            let index = session.extraLines.firstIndex { Self.timeLineTypes.contains($0.type) } ?? session.extraLines.endIndex
            session.extraLines.insert(line, at: index)
        }
    }

    /// Session lines the serializer writes after the first t= (RFC 8866 §5: t=, r=, z=, k=).
    private static let timeLineTypes: Set<Character> = ["t", "r", "z", "k"]

    mutating func finish() throws(SDPError) -> SessionDescription {
        try finishMedia()
        guard let origin else { throw SDPError(.invalidSyntax, "Invalid SDP (no o= line)") }
        session.version = version
        session.origin = origin
        return session
    }

    // MARK: m= and c= and b=

    private static func mediaLine(_ value: String) throws(SDPError) -> PendingMedia {
        let f = value.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 3 else { throw SDPError(.invalidSyntax, "Invalid m= line '\(value)'") }
        let portField = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard let port = portField.first.flatMap({ UInt16($0) }) else {
            throw SDPError(.invalidSyntax, "Invalid m= line port '\(f[1])'")
        }
        var media = MediaDescription(kind: MediaKind(String(f[0])), port: port, proto: String(f[2]))
        if portField.count == 2 {
            guard let n = Int(portField[1]) else { throw SDPError(.invalidSyntax, "Invalid m= line port '\(f[1])'") }
            media.portCount = n
        } else if portField.count > 2 {
            throw SDPError(.invalidSyntax, "Invalid m= line port '\(f[1])'")
        }
        let formats = f.dropFirst(3).map(String.init)
        var pts: [UInt8] = []
        if media.isRTP {
            for fmt in formats {
                guard let pt = UInt8(fmt), pt < 128 else {
                    throw SDPError(.invalidSyntax, "Invalid payload type '\(fmt)' in m= line")
                }
                if !pts.contains(pt) { pts.append(pt) }
            }
        } else {
            media.formats = formats
        }
        return PendingMedia(media: media, payloadTypes: pts)
    }

    private static func connection(_ value: String) -> SDPConnection? {
        let f = value.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count == 3 else { return nil }
        return SDPConnection(networkType: String(f[0]), addressType: String(f[1]), address: String(f[2]))
    }

    private static func bandwidth(_ value: String) -> SDPBandwidth? {
        guard let colon = value.firstIndex(of: ":"),
            let v = Int(value[value.index(after: colon)...]), v >= 0
        else { return nil }
        let type = String(value[..<colon])
        guard !type.isEmpty, !type.contains(" ") else { return nil }
        return SDPBandwidth(type: type, value: v)
    }

    // MARK: session attributes

    private mutating func sessionAttribute(_ name: String, _ value: String?) {
        let other = SDPAttribute(name: name, value: value)
        switch (name, value) {
        case ("group", let v?):
            if let g = Self.group(v) { session.groups.append(g) } else { session.otherAttributes.append(other) }
        case ("ice-lite", nil):
            session.iceLite = true
        case ("ice-ufrag", let v?) where session.iceUfrag == nil:
            session.iceUfrag = v
        case ("ice-pwd", let v?) where session.icePwd == nil:
            session.icePwd = v
        case ("ice-options", let v?) where session.iceOptions == nil:
            session.iceOptions = v
        case ("fingerprint", let v?):
            if let fp = Self.fingerprint(v) { session.fingerprints.append(fp) } else { session.otherAttributes.append(other) }
        case ("setup", let v?) where session.setup == nil && DTLSSetup(rawValue: v) != nil:
            session.setup = DTLSSetup(rawValue: v)
        case ("extmap-allow-mixed", nil):
            session.extmapAllowMixed = true
        case ("msid-semantic", let v?) where session.msidSemantic == nil:
            session.msidSemantic = String(Substring(v).trimmingSpaces)
        case (let n, nil) where session.direction == nil && MediaDirection(rawValue: n) != nil:
            session.direction = MediaDirection(rawValue: n)
        default:
            session.otherAttributes.append(other)
        }
    }

    private static func group(_ v: String) -> SDPGroup? {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard let sem = f.first else { return nil }
        return SDPGroup(semantics: String(sem), mids: f.dropFirst().map(String.init))
    }

    private static func fingerprint(_ v: String) -> SDPFingerprint? {
        SDPFingerprint(v)
    }

    // MARK: media attributes
    // Flags (rtcp-mux, end-of-candidates...) repeated are one flag; value
    // attributes keep the first occurrence, later ones go to otherAttributes.

    private mutating func mediaAttribute(_ name: String, _ value: String?) {
        guard var p = current else { return }
        // Keep the pending section uniquely referenced while it is mutated.
        current = nil
        defer { current = p }
        let other = SDPAttribute(name: name, value: value)
        switch (name, value) {
        case (let n, nil) where MediaDirection(rawValue: n) != nil && p.media.direction == nil:
            p.media.direction = MediaDirection(rawValue: n)
        case ("mid", let v?) where p.media.mid == nil:
            p.media.mid = v
        case ("msid", let v?):
            p.media.msid.append(v)
        case ("rtcp-mux", nil):
            p.media.rtcpMux = true
        case ("rtcp-rsize", nil):
            p.media.rtcpReducedSize = true
        case ("bundle-only", nil):
            p.media.bundleOnly = true
        case ("extmap-allow-mixed", nil):
            p.media.extmapAllowMixed = true
        case ("ice-ufrag", let v?) where p.media.iceUfrag == nil:
            p.media.iceUfrag = v
        case ("ice-pwd", let v?) where p.media.icePwd == nil:
            p.media.icePwd = v
        case ("ice-options", let v?) where p.media.iceOptions == nil:
            p.media.iceOptions = v
        case ("fingerprint", let v?):
            if let fp = Self.fingerprint(v) { p.media.fingerprints.append(fp) } else { p.media.otherAttributes.append(other) }
        case ("setup", let v?) where p.media.setup == nil && DTLSSetup(rawValue: v) != nil:
            p.media.setup = DTLSSetup(rawValue: v)
        case ("rtpmap", let v?) where p.media.isRTP:
            if let (pt, map) = Self.rtpmap(v), p.payloadTypes.contains(pt), p.rtpmaps[pt] == nil {
                p.rtpmaps[pt] = map
            } else {
                p.leftovers.append(other)
            }
        case ("fmtp", let v?) where p.media.isRTP:
            if let (pt, params) = Self.ptAndRest(v), p.payloadTypes.contains(pt), p.fmtps[pt] == nil {
                p.fmtps[pt] = params
            } else {
                p.leftovers.append(other)
            }
        case ("rtcp-fb", let v?) where p.media.isRTP:
            if v.hasPrefix("* "), let rest = Self.rest(v) {
                p.media.wildcardFeedback.append(rest)
            } else if let (pt, fb) = Self.ptAndRest(v), p.payloadTypes.contains(pt) {
                p.feedback[pt, default: []].append(fb)
            } else {
                p.leftovers.append(other)
            }
        case ("extmap", let v?):
            if let e = Self.extmap(v) { p.media.extensions.append(e) } else { p.media.otherAttributes.append(other) }
        case ("ssrc", let v?):
            if let s = Self.ssrc(v) { p.media.ssrcs.append(s) } else { p.media.otherAttributes.append(other) }
        case ("ssrc-group", let v?):
            if let g = Self.ssrcGroup(v) { p.media.ssrcGroups.append(g) } else { p.media.otherAttributes.append(other) }
        case ("rid", let v?):
            if let r = Self.rid(v) { p.media.rids.append(r) } else { p.media.otherAttributes.append(other) }
        case ("simulcast", let v?) where p.media.simulcast == nil:
            if let s = Self.simulcast(v) { p.media.simulcast = s } else { p.media.otherAttributes.append(other) }
        case ("candidate", let v?):
            if let c = SDPCandidate(v) { p.media.candidates.append(c) } else { p.media.otherAttributes.append(other) }
        case ("end-of-candidates", nil):
            p.media.endOfCandidates = true
        case ("sctp-port", let v?) where p.media.sctpPort == nil && Int(v).map({ $0 >= 0 }) == true:
            p.media.sctpPort = Int(v)
        case ("max-message-size", let v?) where p.media.maxMessageSize == nil && Int(v).map({ $0 >= 0 }) == true:
            p.media.maxMessageSize = Int(v)
        default:
            p.media.otherAttributes.append(other)
        }
    }

    private mutating func finishMedia() throws(SDPError) {
        guard var p = current else { return }
        current = nil
        p.media.codecs = p.payloadTypes.map { pt in
            var codec: SDPCodec
            if let map = p.rtpmaps[pt] {
                codec = SDPCodec(payloadType: pt, name: map.name, clockRate: map.clockRate, channels: map.channels)
            } else {
                codec = SDPCodec.staticCodec(pt) ?? SDPCodec(payloadType: pt, name: "", clockRate: 0)
            }
            codec.fmtp = p.fmtps[pt]
            codec.feedback = p.feedback[pt] ?? []
            return codec
        }
        p.media.otherAttributes.append(contentsOf: p.leftovers)
        session.media.append(p.media)
    }

    // MARK: attribute values

    /// `<pt> <rest>`
    private static func ptAndRest(_ v: String) -> (UInt8, String)? {
        guard let space = v.firstIndex(of: " "), let pt = UInt8(v[..<space]), pt < 128 else { return nil }
        let rest = v[v.index(after: space)...]
        guard !rest.isEmpty else { return nil }
        return (pt, String(rest))
    }

    private static func rest(_ v: String) -> String? {
        guard let space = v.firstIndex(of: " ") else { return nil }
        let rest = v[v.index(after: space)...]
        return rest.isEmpty ? nil : String(rest)
    }

    private static func rtpmap(_ v: String) -> (UInt8, (name: String, clockRate: UInt32, channels: Int?))? {
        guard let (pt, rest) = ptAndRest(v) else { return nil }
        let f = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard f.count == 2 || f.count == 3, !f[0].isEmpty, !f[0].contains(" "),
            let rate = UInt32(f[1])
        else { return nil }
        var channels: Int?
        if f.count == 3 {
            guard let c = Int(f[2]), c > 0 else { return nil }
            channels = c
        }
        return (pt, (String(f[0]), rate, channels))
    }

    private static func extmap(_ v: String) -> SDPExtension? {
        let f = v.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard f.count >= 2, !f[1].isEmpty, !f[1].contains(" ") else { return nil }
        let idDir = f[0].split(separator: "/", omittingEmptySubsequences: false)
        guard let id = Int(idDir[0]), (1...255).contains(id) || id == 0 else { return nil }
        var dir: MediaDirection?
        if idDir.count == 2 {
            guard let d = MediaDirection(rawValue: String(idDir[1])) else { return nil }
            dir = d
        } else if idDir.count > 2 {
            return nil
        }
        var attrs: String?
        if f.count == 3 {
            guard !f[2].isEmpty else { return nil }
            attrs = String(f[2])
        }
        return SDPExtension(id: id, direction: dir, uri: String(f[1]), attributes: attrs)
    }

    private static func ssrc(_ v: String) -> SDPSSRCAttribute? {
        let f = v.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard f.count == 2, let ssrc = UInt32(f[0]), !f[1].isEmpty else { return nil }
        let attr = f[1]
        if let colon = attr.firstIndex(of: ":") {
            let name = attr[..<colon]
            guard !name.isEmpty else { return nil }
            return SDPSSRCAttribute(ssrc: ssrc, attribute: String(name), value: String(attr[attr.index(after: colon)...]))
        }
        return SDPSSRCAttribute(ssrc: ssrc, attribute: String(attr))
    }

    private static func ssrcGroup(_ v: String) -> SDPSSRCGroup? {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard let sem = f.first else { return nil }
        var ssrcs: [UInt32] = []
        for s in f.dropFirst() {
            guard let n = UInt32(s) else { return nil }
            ssrcs.append(n)
        }
        return SDPSSRCGroup(semantics: String(sem), ssrcs: ssrcs)
    }

    private static func rid(_ v: String) -> SDPRid? {
        let f = v.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard f.count >= 2, !f[0].isEmpty, let dir = SDPRid.Direction(rawValue: String(f[1])) else { return nil }
        var params: String?
        if f.count == 3 {
            guard !f[2].isEmpty else { return nil }
            params = String(f[2])
        }
        return SDPRid(id: String(f[0]), direction: dir, params: params)
    }

    /// `send h;m;l recv x`, also the draft form `send rid=h;m;l`.
    private static func simulcast(_ v: String) -> SDPSimulcast? {
        let f = v.split(separator: " ", omittingEmptySubsequences: true)
        guard !f.isEmpty, f.count % 2 == 0 else { return nil }
        var result = SDPSimulcast()
        var i = 0
        var sawSend = false
        var sawRecv = false
        while i + 1 < f.count {
            var list = f[i + 1]
            if list.hasPrefix("rid=") { list = list.dropFirst(4) }
            var streams: [[SDPSimulcast.Stream]] = []
            for stream in list.split(separator: ";", omittingEmptySubsequences: false) {
                var alts: [SDPSimulcast.Stream] = []
                for alt in stream.split(separator: ",", omittingEmptySubsequences: false) {
                    let paused = alt.hasPrefix("~")
                    let rid = paused ? alt.dropFirst() : alt
                    guard !rid.isEmpty, !rid.contains("~") else { return nil }
                    alts.append(SDPSimulcast.Stream(rid: String(rid), paused: paused))
                }
                streams.append(alts)
            }
            switch f[i] {
            case "send" where !sawSend:
                result.send = streams
                sawSend = true
            case "recv" where !sawRecv:
                result.recv = streams
                sawRecv = true
            default:
                return nil
            }
            i += 2
        }
        return result
    }
}
