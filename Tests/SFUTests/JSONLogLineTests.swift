import Logging
import Testing

@testable import SFU

/// `--log-format json`: one object per line, ids as numeric fields.
@Suite struct JSONLogLineTests {
    @Test func idsBecomeNumericFieldsAndFixedKeysStay() throws {
        let line = JSONLogLine.format(
            timestamp: "2026-12-07T18:00:00Z", level: .debug, label: "sfu-server", message: "Handle attached",
            metadata: [
                "session": "123", "handle": "456", "transport": .stringConvertible(789), "plugin": "janus.plugin.echotest",
                "message": "shadowed", "room": "not-a-number",
            ])
        let object = try #require(try JSONParser.parse(line).objectValue)
        #expect(object == [
            "timestamp": "2026-12-07T18:00:00Z", "level": "debug", "logger": "sfu-server", "message": "Handle attached",
            "session": 123, "handle": 456, "transport": 789, "plugin": "janus.plugin.echotest",
            "meta.message": "shadowed", "room": "not-a-number",
        ])
        #expect(!line.contains("\n"))
    }
}
