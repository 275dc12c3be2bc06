import FuzzSupport
import Signaling

// The Janus API's JSON parser (RFC 8259, Janus-style errors): one value and back-to-back
// values (a WebSocket message), plus a serializer round trip: whatever parses must
// serialize to JSON that parses to the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    if let value = try? JSONParser.parse(bytes) {
        check(value)
    }
    let (values, error) = JSONParser.parseSequence(bytes)
    blackHole(error?.description)
    for value in values { check(value) }
    return 0
}

private func check(_ value: JSONValue) {
    let out = JSONSerializer.serialize(value)
    guard let again = try? JSONParser.parse(out) else {
        fuzzCheck(false, "serialized JSON does not parse: \(String(decoding: out, as: UTF8.self))")
        return
    }
    fuzzCheck(same(again, value), "JSON round trip changed the value: \(value) -> \(again)")
}

/// Equality that treats NaN-free doubles exactly and compares -0.0 with 0.0 as equal
/// (JSON has no negative zero distinction worth failing on).
private func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.double(let x), .double(let y)): return x == y
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, v in y[key].map { same(v, $0) } ?? false }
    default: return a == b
    }
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
