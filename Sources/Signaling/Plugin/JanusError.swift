/// A Janus core API error (`{"janus":"error","error":{"code":N,"reason":R}}`), codes from
/// Janus's apierror.h (janus-api.md §6).
public struct JanusError: Error, Sendable, Hashable {
    public var code: Int
    public var reason: String

    public init(_ code: Int, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let unauthorized = 403
    public static let unauthorizedPlugin = 405
    public static let transportSpecific = 450
    public static let missingRequest = 452
    public static let unknownRequest = 453
    public static let invalidJSON = 454
    public static let invalidJSONObject = 455
    public static let missingMandatoryElement = 456
    public static let invalidRequestPath = 457
    public static let sessionNotFound = 458
    public static let handleNotFound = 459
    public static let pluginNotFound = 460
    public static let pluginAttach = 461
    public static let pluginMessage = 462
    public static let pluginDetach = 463
    public static let jsepUnknownType = 464
    public static let jsepInvalidSDP = 465
    public static let trickleInvalidStream = 466
    public static let invalidElementType = 467
    public static let sessionConflict = 468
    public static let unexpectedAnswer = 469
    public static let tokenNotFound = 470
    public static let webRTCState = 471
    public static let notAcceptingSessions = 472
    public static let unknown = 490
}
