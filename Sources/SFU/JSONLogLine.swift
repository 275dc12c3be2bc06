import Logging

/// One log line as JSON for machines (`sfu-server --log-format json`): `timestamp`, `level`,
/// `logger`, `message`, then every metadata key as a field of its own. The ids
/// (`session`, `handle`, `room`, `transport`, `worker`) are numbers when they are numeric, so a
/// log pipeline can filter on them; other values are strings (nested metadata as JSON).
/// Metadata keys that collide with the four fixed ones get a `meta.` prefix.
public enum JSONLogLine {
    static let fixed: Set<String> = ["timestamp", "level", "logger", "message"]
    static let numericIDs: Set<String> = ["session", "handle", "room", "transport", "worker"]

    /// The line (no trailing newline).
    public static func format(
        timestamp: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        var object: JSONObject = [
            "timestamp": .string(timestamp), "level": .string(level.rawValue), "logger": .string(label),
            "message": .string(message),
        ]
        for (key, value) in metadata {
            let name = fixed.contains(key) ? "meta." + key : key
            object[name] = json(value, numeric: numericIDs.contains(key))
        }
        return JSONSerializer.string(.object(object))
    }

    private static func json(_ value: Logger.MetadataValue, numeric: Bool) -> JSONValue {
        switch value {
        case .string(let text):
            if numeric, let number = Int64(text) { return .int(number) }
            return .string(text)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if numeric, let number = Int64(text) { return .int(number) }
            return .string(text)
        case .array(let items):
            return .array(items.map { json($0, numeric: false) })
        case .dictionary(let entries):
            return .object(entries.mapValues { json($0, numeric: false) })
        }
    }
}
