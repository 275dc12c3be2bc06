/// Why parsing failed, with the position Janus-style error texts quote ("on line 1: …"): `line`
/// is 1-based, `column` counts the bytes read on that line including the offending token
/// (jansson's convention; 0 when nothing was read).
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "on line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 JSON parser producing `JSONValue`.
///
/// Hand-written rather than Foundation's `JSONSerialization` because Janus ids must stay exact
/// integers: a number without fraction or exponent that fits in `Int64` becomes `.int`, any other
/// number `.double`. Input comes straight from the network, so it never traps: nesting depth and
/// sizes are bounded, UTF-8 is validated, and every failure is a `JSONParseError`.
/// A value type with no shared state; use it from any thread.
public struct JSONParser {
    /// Deepest array/object nesting accepted (recursion guard against hostile input).
    public static let maximumDepth = 128

    /// Which values may stand at the top level of a JSON text.
    public enum TopLevel: Sendable, Hashable {
        /// Any value (RFC 8259 §2).
        case anyValue
        /// Only an object or an array, as jansson decodes without `JSON_DECODE_ANY` (Janus's
        /// transports): a scalar such as `42` is a parse error ("'[' or '{' expected"), so the
        /// Janus API answers it with 454 like any other unparseable request.
        case container
    }

    /// Parses exactly one JSON value (surrounding whitespace allowed).
    public static func parse(
        _ bytes: some Collection<UInt8>, topLevel: TopLevel = .anyValue
    ) throws(JSONParseError) -> JSONValue {
        let array = Array(bytes)
        var reader = Reader(bytes: array)
        reader.skipWhitespace()
        let value = try reader.parseTopLevel(topLevel)
        reader.skipWhitespace()
        if !reader.atEnd { throw reader.syntaxError("end of file expected") }
        return value
    }

    /// Parses a string holding one JSON value.
    public static func parse(_ text: String, topLevel: TopLevel = .anyValue) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), topLevel: topLevel)
    }

    /// Parses one or more JSON values written back to back (a WebSocket message may carry several
    /// concatenated objects). Returns the values read before the first error, and that error.
    public static func parseSequence(
        _ bytes: some Collection<UInt8>, topLevel: TopLevel = .anyValue
    ) -> (values: [JSONValue], error: JSONParseError?) {
        let array = Array(bytes)
        var reader = Reader(bytes: array)
        var values: [JSONValue] = []
        while true {
            // Each value is parsed like a fresh text starting where the previous one ended
            // (jansson without its EOF check), so an error's line/column count from there.
            reader.chunkStart = reader.index
            reader.skipWhitespace()
            if reader.atEnd {
                if values.isEmpty {
                    return ([], reader.error("'[' or '{' expected near end of file", consumed: reader.index))
                }
                return (values, nil)
            }
            do {
                values.append(try reader.parseTopLevel(topLevel))
            } catch {
                return (values, error)
            }
        }
    }
}

private struct Reader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    /// Where the value being parsed began (`parseSequence` parses each value as its own text).
    var chunkStart = 0

    /// An error at the current byte, counted as read (the offending token is part of the text
    /// quoted, as jansson reports it).
    func error(_ message: String) -> JSONParseError {
        error(message, consumed: index + 1)
    }

    /// An error after the first `consumed` bytes: line is 1-based, column is the number of bytes
    /// read on that line (jansson's convention, which Janus quotes; 0 when nothing was read).
    func error(_ message: String, consumed: Int) -> JSONParseError {
        // Line/column are for humans only; computed on the error path so the happy path stays lean.
        var line = 1
        var column = 0
        var i = min(chunkStart, bytes.count)
        let end = min(max(consumed, i), bytes.count)
        while i < end {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 0
            } else {
                column += 1
            }
            i += 1
        }
        return JSONParseError(line: line, column: column, message: message)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// A grammar error at the current token, worded as jansson words it (which Janus quotes):
    /// "<message> near '<token>'" or "<message> near end of file", pointing past the token.
    func syntaxError(_ message: String) -> JSONParseError {
        guard index < bytes.count else { return error(message + " near end of file", consumed: index) }
        var end = index + 1
        if bytes[index] == UInt8(ascii: "\"") {
            var escaped = false
            while end < bytes.count {
                let byte = bytes[end]
                end += 1
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    break
                }
            }
        } else if !isDelimiter(bytes[index]) {
            while end < bytes.count, !isDelimiter(bytes[end]) { end += 1 }
        }
        // Quote a bounded prefix: the token may be huge.
        let token = String(decoding: bytes[index..<min(end, index + 32)], as: UTF8.self)
        return error("\(message) near '\(token)'", consumed: end)
    }

    /// One top-level value. Where only containers are allowed, anything else is refused by its
    /// first token, as jansson does before parsing: the error quotes that token (a scalar read
    /// whole, or a run of invalid bytes) and points past it.
    mutating func parseTopLevel(_ topLevel: JSONParser.TopLevel) throws(JSONParseError) -> JSONValue {
        guard topLevel == .container else { return try parseValue(depth: 0) }
        guard index < bytes.count else { throw error("'[' or '{' expected near end of file", consumed: index) }
        if bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") { return try parseValue(depth: 0) }
        let start = index
        var probe = self
        var end = start + 1
        if (try? probe.parseValue(depth: 0)) != nil {
            end = probe.index
        } else {
            while end < bytes.count, !isDelimiter(bytes[end]) { end += 1 }
        }
        index = end
        // Quote a bounded prefix: the token may be a huge string from the network.
        let token = String(decoding: bytes[start..<min(end, start + 32)], as: UTF8.self)
        throw error("'[' or '{' expected near '\(token)'", consumed: end)
    }

    func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "\""):
            return true
        default:
            return false
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw syntaxError("unexpected token") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw syntaxError("invalid token")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw syntaxError("invalid token") }
        var ok = true
        literal.withUTF8Buffer { buffer in
            for k in 0..<count where bytes[index + k] != buffer[k] { ok = false }
        }
        guard ok else { throw syntaxError("invalid token") }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONParser.maximumDepth else { throw error("maximum nesting depth exceeded") }
        index += 1  // {
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw syntaxError("string or '}' expected")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw syntaxError("':' expected") }
            index += 1
            skipWhitespace()
            // Duplicate keys: the last one wins, as in jansson.
            object[key] = try parseValue(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw syntaxError("',' or '}' expected") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            }
            throw syntaxError("',' or '}' expected")
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONParser.maximumDepth else { throw error("maximum nesting depth exceeded") }
        index += 1  // [
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw syntaxError("',' or ']' expected") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(array)
            }
            throw syntaxError("',' or ']' expected")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("invalid number (leading zero)") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else { throw error("number out of range") }
        return .double(double)
    }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, just validate UTF-8 once.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = bytes[start..<index]
                index += 1
                guard let string = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string")
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in string") }
            index += 1
        }
        var scratch = Array(bytes[start..<min(index, bytes.count)])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: scratch, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string")
                }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end of input") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    appendUTF8(scalar, to: &scratch)
                default: throw error("invalid escape")
                }
            default:
                if byte < 0x20 { throw error("control character in string") }
                scratch.append(byte)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// Reads the 4 hex digits after `\u` (and a trailing low surrogate when needed).
    mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let high = try readHex4()
        if (0xD800...0xDBFF).contains(high) {
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw error("invalid Unicode escape (lone surrogate)") }
            index += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid Unicode escape (lone surrogate)") }
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw error("invalid Unicode escape") }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else { throw error("invalid Unicode escape (lone surrogate)") }
        return scalar
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("invalid Unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid Unicode escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    func appendUTF8(_ scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(Character(scalar)).utf8)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
