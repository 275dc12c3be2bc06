/// `SessionDescription` → text, CRLF line ends, in the order Chrome and Janus
/// emit (JSEP RFC 8829 §5.2.1 for the session part): structured fields first,
/// verbatim attributes last, so a field that was read from the first of
/// several identical attributes is read from the same one again.
extension SessionDescription {
    public var text: String {
        var out = SDPWriter()
        out.line("v", "\(version)")
        out.line("o", origin.text)
        out.line("s", sessionName)
        // i=/u=/e=/p= belong before t=; extra t=/r=/z= after the first t=.
        let timeLines: Set<Character> = ["t", "r", "z"]
        for l in extraLines where !timeLines.contains(l.type) && l.type != "k" { out.line(l.type, l.value) }
        if let connection { out.line("c", connection.text) }
        for b in bandwidths { out.line("b", "\(b.type):\(b.value)") }
        out.line("t", timing)
        for l in extraLines where timeLines.contains(l.type) || l.type == "k" { out.line(l.type, l.value) }
        for g in groups { out.attribute("group", ([g.semantics] + g.mids).joined(separator: " ")) }
        if iceLite { out.attribute("ice-lite") }
        if let iceUfrag { out.attribute("ice-ufrag", iceUfrag) }
        if let icePwd { out.attribute("ice-pwd", icePwd) }
        if let iceOptions { out.attribute("ice-options", iceOptions) }
        for f in fingerprints { out.attribute("fingerprint", f.text) }
        if let setup { out.attribute("setup", setup.rawValue) }
        if let direction { out.attribute(direction.rawValue) }
        if extmapAllowMixed { out.attribute("extmap-allow-mixed") }
        if let msidSemantic { out.attribute("msid-semantic", " " + msidSemantic) }
        for a in otherAttributes { out.attribute(a.name, a.value) }
        for m in media { m.write(to: &out) }
        return out.text
    }
}

extension MediaDescription {
    /// This section alone, as it appears inside a full SDP.
    public var text: String {
        var out = SDPWriter()
        write(to: &out)
        return out.text
    }

    fileprivate func write(to out: inout SDPWriter) {
        let fmts = isRTP ? codecs.map { String($0.payloadType) } : formats
        let portText = portCount.map { "\(port)/\($0)" } ?? "\(port)"
        out.line("m", ([kind.token, portText, proto] + fmts).joined(separator: " "))
        for l in extraLines { out.line(l.type, l.value) }
        if let connection { out.line("c", connection.text) }
        for b in bandwidths { out.line("b", "\(b.type):\(b.value)") }
        if let iceUfrag { out.attribute("ice-ufrag", iceUfrag) }
        if let icePwd { out.attribute("ice-pwd", icePwd) }
        if let iceOptions { out.attribute("ice-options", iceOptions) }
        for f in fingerprints { out.attribute("fingerprint", f.text) }
        if let setup { out.attribute("setup", setup.rawValue) }
        if let mid { out.attribute("mid", mid) }
        if bundleOnly { out.attribute("bundle-only") }
        if extmapAllowMixed { out.attribute("extmap-allow-mixed") }
        for e in extensions {
            var v = "\(e.id)"
            if let d = e.direction { v += "/\(d.rawValue)" }
            v += " \(e.uri)"
            if let a = e.attributes { v += " \(a)" }
            out.attribute("extmap", v)
        }
        if let direction { out.attribute(direction.rawValue) }
        for m in msid { out.attribute("msid", m) }
        if rtcpMux { out.attribute("rtcp-mux") }
        if rtcpReducedSize { out.attribute("rtcp-rsize") }
        for fb in wildcardFeedback { out.attribute("rtcp-fb", "* \(fb)") }
        for c in codecs {
            if !c.name.isEmpty {
                var map = "\(c.payloadType) \(c.name)/\(c.clockRate)"
                if let ch = c.channels { map += "/\(ch)" }
                out.attribute("rtpmap", map)
            }
            for fb in c.feedback { out.attribute("rtcp-fb", "\(c.payloadType) \(fb)") }
            if let f = c.fmtp { out.attribute("fmtp", "\(c.payloadType) \(f)") }
        }
        for r in rids {
            var v = "\(r.id) \(r.direction.rawValue)"
            if let p = r.params { v += " \(p)" }
            out.attribute("rid", v)
        }
        if let simulcast { out.attribute("simulcast", simulcast.text) }
        for g in ssrcGroups {
            out.attribute("ssrc-group", ([g.semantics] + g.ssrcs.map { String($0) }).joined(separator: " "))
        }
        for s in ssrcs {
            out.attribute("ssrc", "\(s.ssrc) " + (s.value.map { "\(s.attribute):\($0)" } ?? s.attribute))
        }
        if let sctpPort { out.attribute("sctp-port", "\(sctpPort)") }
        if let maxMessageSize { out.attribute("max-message-size", "\(maxMessageSize)") }
        for a in otherAttributes { out.attribute(a.name, a.value) }
        for c in candidates { out.attribute("candidate", c.raw) }
        if endOfCandidates { out.attribute("end-of-candidates") }
    }
}

extension SDPSimulcast {
    /// `send h;m;~l recv x`
    public var text: String {
        func list(_ streams: [[Stream]]) -> String {
            streams.map { alts in alts.map { ($0.paused ? "~" : "") + $0.rid }.joined(separator: ",") }
                .joined(separator: ";")
        }
        var parts: [String] = []
        if !send.isEmpty { parts.append("send " + list(send)) }
        if !recv.isEmpty { parts.append("recv " + list(recv)) }
        return parts.joined(separator: " ")
    }
}

struct SDPWriter {
    private(set) var text = ""

    mutating func line(_ type: Character, _ value: String) {
        text.append(type)
        text += "="
        text += value
        text += "\r\n"
    }

    mutating func attribute(_ name: String, _ value: String? = nil) {
        line("a", value.map { "\(name):\($0)" } ?? name)
    }
}
