import Testing
@testable import SFUMedia
@testable import Signaling

/// The edge of the VideoRoom: every request body decoded into its typed request, with Janus's
/// codes and wording for what is missing or malformed (pure functions, no rooms involved).
@Suite struct VideoRoomRequestDecodingTests {
    /// The error `body` throws (nil: none; another error type fails the test).
    static func error(_ body: () throws -> Void) -> VideoRoomError? {
        do {
            try body()
            return nil
        } catch let error as VideoRoomError {
            return error
        } catch {
            Issue.record("not a VideoRoomError: \(error)")
            return nil
        }
    }

    static func missing(_ key: String) -> VideoRoomError { .missing(key) }
    static func invalid(_ text: String) -> VideoRoomError { VideoRoomError(VideoRoomError.invalidElement, text) }

    @Test func requestNames() throws {
        #expect(Self.error { _ = try VideoRoomRequestName(VideoRoomFields([:])) } == Self.missing("request"))
        #expect(Self.error { _ = try VideoRoomRequestName(VideoRoomFields(["request": 5])) }
            == Self.invalid("Invalid element type (request should be a string)"))
        #expect(Self.error { _ = try VideoRoomRequestName(VideoRoomFields(["request": "frobnicate"])) }
            == VideoRoomError(VideoRoomError.invalidRequest, "Unknown request 'frobnicate'"))
        #expect(try VideoRoomRequestName(VideoRoomFields(["request": "JoinAndConfigure"])) == .joinAndConfigure)
        // Every name is in exactly one kind, and its raw value is Janus's spelling.
        for name in VideoRoomRequestName.allCases {
            #expect(name.rawValue == name.rawValue.lowercased())
            #expect(VideoRoomRequestName(rawValue: name.rawValue) == name)
        }
    }

    @Test func roomManagement() throws {
        func decode(_ body: JSONObject) throws -> RoomRequest {
            try RoomRequest(body: body)
        }
        #expect(Self.error { _ = try decode(["request": "exists", "room": "abc"]) }
            == Self.invalid("Invalid element type (room should be a positive integer)"))
        #expect(Self.error { _ = try decode(["request": "exists", "room": -1]) }
            == Self.invalid("Invalid element type (room should be a positive integer)"))
        #expect(Self.error { _ = try decode(["request": "destroy"]) } == Self.missing("room"))
        #expect(Self.error { _ = try decode(["request": "create", "videocodec": "theora"]) }
            == Self.invalid("Invalid element (videocodec can only be or contain vp8, vp9, av1, h264 or h265)"))
        #expect(Self.error { _ = try decode(["request": "allowed", "room": 1, "action": "grant"]) }
            == Self.invalid("Unsupported action 'grant' (allowed)"))
        #expect(Self.error { _ = try decode(["request": "allowed", "room": 1, "action": "add"]) }
            == Self.missing("allowed"))
        #expect(Self.error { _ = try decode(["request": "allowed", "room": 1, "action": "add", "allowed": [1]]) }
            == Self.invalid("Invalid element type (allowed should be an array of strings)"))
        #expect(Self.error { _ = try decode(["request": "moderate", "room": 1, "id": 2, "mid": "0"]) }
            == Self.missing("mute"))
        #expect(Self.error { _ = try decode(["request": "kick", "room": 1]) } == Self.missing("id"))
        #expect(Self.error { _ = try decode(["request": "join", "room": 1]) }
            == VideoRoomError(VideoRoomError.invalidRequest, "Unknown request 'join'"))

        guard case .create(let create) = try decode(["request": "create", "description": "d", "publishers": 0]) else {
            Issue.record("not a create")
            return
        }
        #expect(create.room == nil && create.described && create.settings.publishers == 1)
        guard case .kick(let room, _, let participant) = try decode(["request": "kick", "room": 7, "id": 9]) else {
            Issue.record("not a kick")
            return
        }
        #expect(room == 7 && participant == 9)
    }

    /// Janus reads a secret, pin, token or admin key only when there is one to compare with.
    @Test func secretsAreReadOnlyWhenNeeded() {
        let wrongType = GivenSecret(VideoRoomFields(["secret": 5]), "secret")
        #expect(Self.error { try wrongType.check(nil) } == nil)
        #expect(Self.error { try wrongType.check("s") } == Self.invalid("Invalid element type (secret should be a string)"))
        let absent = GivenSecret(VideoRoomFields([:]), "pin")
        #expect(Self.error { try absent.check("p", wrong: .wrongPin) } == Self.missing("pin"))
        let wrong = GivenSecret(VideoRoomFields(["pin": "x"]), "pin")
        #expect(Self.error { try wrong.check("p", wrong: .wrongPin) } == .wrongPin)
    }

    @Test func joins() throws {
        #expect(Self.error { _ = try JoinRequest(VideoRoomFields(["room": 1])) } == Self.missing("ptype"))
        #expect(Self.error { _ = try JoinRequest(VideoRoomFields(["ptype": "publisher"])) } == Self.missing("room"))
        #expect(Self.error { _ = try JoinRequest(VideoRoomFields(["ptype": "watcher", "room": 1])) }
            == Self.invalid("Invalid element (ptype)"))
        #expect(Self.error { _ = try JoinRequest(VideoRoomFields(["ptype": "subscriber", "room": 1])) }
            == Self.missing("streams"))
        #expect(Self.error { _ = try JoinRequest(VideoRoomFields(["ptype": "subscriber", "room": 1, "streams": [5]])) }
            == Self.invalid("Invalid element type (streams should be an array of objects)"))
        #expect(Self.error { _ = try JoinRequest(VideoRoomFields(["ptype": "publisher", "room": 1, "display": 5])) }
            == Self.invalid("Invalid element type (display should be a string)"))
        guard case .subscriber(let legacy) = try JoinRequest(VideoRoomFields(
            ["ptype": "listener", "room": 1, "feed": 4, "offer_video": false]))
        else {
            Issue.record("not a subscriber join")
            return
        }
        #expect(legacy.legacyFeed == 4 && legacy.selectors.first?.skippedKinds == [.video])
        // The codecs of an offer on a `join` are read with the offer (their errors come after `joined`).
        guard case .publisher(let publisher) = try JoinRequest(VideoRoomFields(
            ["ptype": "publisher", "room": 1, "audiocodec": 5]))
        else {
            Issue.record("not a publisher join")
            return
        }
        #expect(Self.error { _ = try publisher.publish.audioCodec.get() }
            == Self.invalid("Invalid element type (audiocodec should be a string)"))
    }

    @Test func participantRequests() throws {
        #expect(Self.error { _ = try PublisherConfigure(VideoRoomFields(["streams": [["send": true], ["mid": "1"]]])) }
            == Self.invalid("Invalid element (mid is required with more than one stream)"))
        #expect(Self.error { _ = try PublisherConfigure(VideoRoomFields(["descriptions": [["mid": "0"]]])) }
            == Self.missing("description"))
        #expect(Self.error { _ = try SubscriberConfigure(VideoRoomFields(["streams": [["mid": "0", "substream": 3]]])) }
            == Self.invalid("Invalid element (substream should be 0, 1 or 2)"))
        #expect(Self.error { _ = try SubscriptionChange(.subscribe, VideoRoomFields(["streams": []])) }
            == Self.invalid("Empty subscription list"))
        #expect(Self.error { _ = try SubscriptionChange(.unsubscribe, VideoRoomFields(["streams": []])) }
            == Self.invalid("Empty unsubscription list"))
        #expect(Self.error { _ = try SubscriptionChange(.update, VideoRoomFields(["subscribe": []])) }
            == Self.invalid("Empty subscription list"))
        #expect(Self.error { _ = try SubscriptionChange(.unsubscribe, VideoRoomFields(["streams": [["mid": "0"]]])) }
            == Self.missing("feed"))
        #expect(Self.error { _ = try StreamSwitch.list(VideoRoomFields(["streams": []])) }
            == Self.invalid("Empty switch list"))
        #expect(Self.error { _ = try StreamSwitch.list(VideoRoomFields(["streams": [["feed": 1, "mid": "0"]]])) }
            == Self.missing("sub_mid"))
    }

    @Test func roomControl() throws {
        func decode(_ name: VideoRoomRequestName, _ body: JSONObject) throws -> RoomControlCommand {
            try RoomControlCommand(name, VideoRoomFields(body))
        }
        #expect(Self.error { _ = try decode(.mute, ["id": 1, "audio": false, "video": false]) }
            == Self.invalid("Invalid element (audio or video must be true)"))
        #expect(Self.error { _ = try decode(.setWaitingRoom, [:]) } == Self.missing("enabled"))
        #expect(Self.error { _ = try decode(.admit, [:]) } == Self.missing("id"))
        // A member lowers its own hand unless it names another; the host must name one.
        let lower = try decode(.lowerHand, [:])
        #expect(Self.error { _ = try lower.input(by: .host) } == Self.missing("id"))
        #expect(try lower.input(by: .member(5)) == .lowerHand(by: .member(5), target: 5))
        #expect(try decode(.admit, ["all": true]).input(by: .host) == .admit(by: .host, .all))
    }
}
