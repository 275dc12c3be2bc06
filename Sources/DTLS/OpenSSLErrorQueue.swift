import COpenSSL

/// OpenSSL's per-thread error queue. Every call into libssl starts with `clear()` and ends with
/// `drain()` so one endpoint's failure never shows up as another endpoint's error on the same
/// media worker thread.
enum OpenSSLErrorQueue {
    static func clear() { ERR_clear_error() }

    /// Empties the queue and returns its entries as one line ("" when it was empty).
    static func drain() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if reasons.count < 4 { reasons.append(describe(code)) }
        }
        return reasons.joined(separator: "; ")
    }

    private static func describe(_ code: UInt) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let full = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "error:0A000086:SSL routines::certificate verify failed" → keep the human part.
        if let lastColon = full.lastIndex(of: ":") {
            let reason = full[full.index(after: lastColon)...]
            if !reason.isEmpty { return String(reason) }
        }
        return full
    }
}
