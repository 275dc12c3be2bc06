/// A VideoRoom room or participant id. Janus clients send ids as positive integers, or as
/// strings when Janus's VideoRoom runs with `string_ids = true`. swift-sfu decodes integers
/// only (README "Differences from Janus"), but every table, event and state machine keeps ids
/// in this type, so string ids need only their decoding and the public API, not a rewrite.
public enum VideoRoomID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    case number(UInt64)
    case string(String)

    public init(integerLiteral value: UInt64) { self = .number(value) }

    /// The integer id; nil for a string id.
    public var number: UInt64? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// As Janus writes it in error texts: the number, or the string itself.
    public var description: String {
        switch self {
        case .number(let value): "\(value)"
        case .string(let text): text
        }
    }

    /// Numbers before strings, each in their natural order (the order of `list` answers).
    public static func < (lhs: VideoRoomID, rhs: VideoRoomID) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): a < b
        case (.string(let a), .string(let b)): a < b
        case (.number, .string): true
        case (.string, .number): false
        }
    }
}
