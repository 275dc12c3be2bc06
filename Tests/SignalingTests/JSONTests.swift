import Foundation
import Testing
@testable import Signaling

@Suite struct JSONTests {
    @Test func integersAndDoubles() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":-0,"c":1.5,"d":1e3,"e":9007199254740991,"f":123456789012345678901234}"#)
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .int(0))
        #expect(value["c"] == .double(1.5))
        #expect(value["d"] == .double(1000))
        #expect(value["e"] == .int(9_007_199_254_740_991))
        #expect(value["f"]?.doubleValue != nil)
        #expect(value["f"]?.janusTypeName == "real")
    }

    @Test func serializesCompactWithExactIntegers() {
        let value: JSONValue = ["id": .int(9_007_199_254_740_991), "x": 1.0, "s": "a\"b\\c\n\u{1}", "n": nil, "t": true, "l": [1, 2]]
        let text = JSONSerializer.string(value)
        #expect(text == #"{"id":9007199254740991,"l":[1,2],"n":null,"s":"a\"b\\c\n\u0001","t":true,"x":1.0}"#)
        #expect((try? JSONParser.parse(text)) == value)
    }

    @Test func janusKeyComesFirst() {
        let value: JSONValue = ["a": 1, "janus": "ack", "transaction": "t"]
        #expect(JSONSerializer.string(value) == #"{"janus":"ack","a":1,"transaction":"t"}"#)
    }

    @Test func stringsAndUnicodeEscapes() throws {
        let value = try JSONParser.parse(#"["\u00e9\ud83d\ude00\/\t", "héllo"]"#)
        #expect(value == ["é😀/\t", "héllo"])
        #expect((try? JSONParser.parse(JSONSerializer.serialize(value))) == value)
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "nul", "\"abc", "\"\\x\"",
        "\"\\ud800\"", "{\"a\":1}}", "[1 2]", "\"a\u{01}b\"", "{'a':1}", "NaN", "1e999",
    ])
    func malformedInputIsAnError(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func invalidUTF8IsAnError() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(ok)) != nil)
    }

    @Test func errorMessageHasPosition() {
        do {
            _ = try JSONParser.parse("{\n\"a\": x}")
            Issue.record("should fail")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.contains("on line 2"))
        }
    }

    @Test func concatenatedObjects() {
        let (values, error) = JSONParser.parseSequence(Array(#"{"a":1} {"b":2}{"c":3}"#.utf8))
        #expect(values == [["a": 1], ["b": 2], ["c": 3]])
        #expect(error == nil)
        let (partial, tailError) = JSONParser.parseSequence(Array(#"{"a":1}{"b":"#.utf8))
        #expect(partial == [["a": 1]])
        #expect(tailError != nil)
    }

    /// Janus's jansson decodes without `JSON_DECODE_ANY`: only an object or array may stand at
    /// the top level; a scalar is a parse error quoting the token.
    @Test func containerTopLevelRejectsScalars() throws {
        for text in ["42", "null", #""x""#, "true", " -1.5 "] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text, topLevel: .container) }
            #expect((try? JSONParser.parse(text)) != nil, "the default still accepts any value")
        }
        do {
            _ = try JSONParser.parse("42", topLevel: .container)
            Issue.record("should fail")
        } catch {
            #expect(error.message == "'[' or '{' expected near '42'")
            #expect(error.line == 1)
        }
        #expect(try JSONParser.parse(" [1] ", topLevel: .container) == [1])
        #expect(try JSONParser.parse("{}", topLevel: .container) == [:])
        // A malformed scalar reports its own error first, as jansson's lexer does.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""open"#, topLevel: .container) }
        // The quoted token is bounded however long the string is.
        let long = "\"" + String(repeating: "a", count: 10_000) + "\""
        do {
            _ = try JSONParser.parse(long, topLevel: .container)
            Issue.record("should fail")
        } catch {
            #expect(error.message.count < 64)
        }
    }

    @Test func syntaxErrorsQuoteTheTokenAsJanssonDoes() {
        func failure(_ text: String) -> JSONParseError? {
            do {
                _ = try JSONParser.parse(text)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(#"{"a":1,}"#) == JSONParseError(line: 1, column: 8, message: "string or '}' expected near '}'"))
        #expect(failure(#"{"a" 1}"#)?.message == "':' expected near '1'")
        #expect(failure("[1,")?.message == "unexpected token near end of file")
        #expect(failure("[1 2]")?.message == "',' or ']' expected near '2'")
        #expect(failure(#"{"a":1"#)?.message == "',' or '}' expected near end of file")
        #expect(failure(#"{} "tail\"x" 1"#)?.message == #"end of file expected near '"tail\"x"'"#)
        #expect(failure("[nul]")?.message == "invalid token near 'nul'")
        #expect(failure("{not json") == JSONParseError(line: 1, column: 4, message: "string or '}' expected near 'not'"))
    }

    @Test func containerSequenceStopsAtAScalar() {
        let (values, error) = JSONParser.parseSequence(Array(#"{"a":1} [2] 7 {"b":2}"#.utf8), topLevel: .container)
        #expect(values == [["a": 1], [2]])
        #expect(error?.message == "'[' or '{' expected near '7'")
        // Counted from the end of the previous value, in bytes read (jansson's columns).
        #expect(error?.line == 1)
        #expect(error?.column == 2)
        let (_, garbage) = JSONParser.parseSequence(Array("{}\n  xx y".utf8), topLevel: .container)
        #expect(garbage == JSONParseError(line: 2, column: 4, message: "'[' or '{' expected near 'xx'"))
        let (_, empty) = JSONParser.parseSequence([UInt8](), topLevel: .container)
        #expect(empty?.column == 0)
        let (any, noError) = JSONParser.parseSequence(Array(#"{"a":1} 7"#.utf8))
        #expect(any == [["a": 1], 7])
        #expect(noError == nil)
    }

    @Test func codableRoundTrip() throws {
        let value: JSONValue = ["id": .int(1_234_567_890_123), "d": 0.5, "s": "x", "a": [true, nil]]
        let data = try JSONEncoder().encode(value)
        let back = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(back == value)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,-0123456789.eE tfnrule\a"#.utf8)
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &rng)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            _ = try? JSONParser.parse(bytes)
            _ = JSONParser.parseSequence(bytes)
            _ = try? JSONParser.parse(bytes, topLevel: .container)
            _ = JSONParser.parseSequence(bytes, topLevel: .container)
        }
    }
}
