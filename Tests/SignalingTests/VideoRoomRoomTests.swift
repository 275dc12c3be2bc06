import Testing
@testable import SFUMedia
@testable import Signaling

/// Synchronous room requests (janus-api.md §8.3) and their errors.
@Suite struct VideoRoomRoomTests {
    @Test func demoRoomExistsAndIsListed() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (exists, _) = await admin.request(["request": "exists", "room": 1234])
        #expect(exists == ["videoroom": "success", "room": 1234, "exists": true])
        let (list, _) = await admin.request(["request": "list"])
        let entry = list["list"]?.arrayValue?.first
        #expect(entry?["room"] == 1234)
        #expect(entry?["description"] == "Demo Room")
        #expect(entry?["max_publishers"] == 6)
        #expect(entry?["bitrate"] == 128000)
        #expect(entry?["fir_freq"] == 10)
        #expect(entry?["pin_required"] == false)
        #expect(entry?["audiocodec"] == "opus")
        #expect(entry?["videocodec"] == "vp8")
        #expect(entry?["num_participants"] == 0)
    }

    @Test func createWithAllPropertiesThenList() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (created, _) = await admin.request([
            "request": "create", "room": 4321, "description": "x", "publishers": 4, "audiolevel_event": true,
            "bitrate": 256000, "bitrate_cap": true, "fir_freq": 5, "audiocodec": "opus,pcmu",
            "videocodec": "vp9,vp8,h264,av1", "opus_fec": false, "audiolevel_ext": true,
            "audio_active_packets": 50, "audio_level_average": 40, "notify_joining": true, "pin": "p",
            "secret": "s", "require_pvtid": true, "allowed": ["a"],
        ])
        #expect(created == ["videoroom": "created", "room": 4321, "permanent": false])
        let (list, _) = await admin.request(["request": "list"])
        let entry = list["list"]?.arrayValue?.first { $0["room"] == 4321 }
        #expect(entry?["pin_required"] == true)
        #expect(entry?["max_publishers"] == 4)
        #expect(entry?["bitrate_cap"] == true)
        #expect(entry?["audiocodec"] == "opus,pcmu")
        #expect(entry?["videocodec"] == "vp9,vp8,h264,av1")
        #expect(entry?["opus_fec"] == false)
        #expect(entry?["audio_active_packets"] == 50)
        #expect(entry?["audio_level_average"] == 40)
        #expect(entry?["notify_joining"] == true)
        #expect(entry?["require_pvtid"] == true)
    }

    @Test func createWithoutIdPicksARandomOne() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (created, _) = await admin.request(["request": "create"])
        let id = try #require(created["room"]?.uint64Value)
        #expect(id > 0 && id < (1 << 53))
        let (exists, _) = await admin.request(["request": "exists", "room": .uint(id)])
        #expect(exists["exists"] == true)
    }

    /// Provokes 427 (room exists), 430 (bad codec list, wrong type), 429 (missing room).
    @Test func createErrors() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (taken, _) = await admin.request(["request": "create", "room": 1234])
        #expect(taken.errorCode == 427)
        #expect(taken.errorText == "Room 1234 already exists")
        #expect(taken["videoroom"] == "event")
        // Like Janus 1.1.2, codecs we cannot forward are skipped, not refused.
        let (codec, _) = await admin.request(["request": "create", "room": 9, "videocodec": "h265,vp9"])
        #expect(codec["videoroom"] == "created")
        let (listed, _) = await admin.request(["request": "list"])
        #expect(listed["list"]?.arrayValue?.first { $0["room"] == 9 }?["videocodec"] == "vp9")
        // A name Janus does not know at all (or an empty one) is refused with 430, and no room is made.
        for (key, csv, allowed) in [
            ("videocodec", "theora", "vp8, vp9, av1, h264 or h265"), ("videocodec", "vp8,", "vp8, vp9, av1, h264 or h265"),
            ("audiocodec", "opus,speex", "opus, isac32, isac16, pcmu, pcma or g722"),
        ] {
            let (unknown, _) = await admin.request(["request": "create", "room": 12, key: .string(csv)])
            #expect(unknown.errorCode == 430)
            #expect(unknown.errorText == "Invalid element (\(key) can only be or contain \(allowed))")
        }
        let (absent, _) = await admin.request(["request": "exists", "room": 12])
        #expect(absent["exists"] == false)
        let (codecType, _) = await admin.request(["request": "create", "room": 10, "videocodec": 8])
        #expect(codecType.errorCode == 430)
        #expect(codecType.errorText == "Invalid element type (videocodec should be a string)")
        let (type, _) = await admin.request(["request": "create", "room": 11, "publishers": "many"])
        #expect(type.errorCode == 430)
        #expect(type.errorText == "Invalid element type (publishers should be a positive integer)")
        let (missing, _) = await admin.request(["request": "exists"])
        #expect(missing.errorCode == 429)
        #expect(missing.errorText == "Missing mandatory element (room)")
    }

    /// Provokes 429/433 for admin_key and 499 for permanent without a rooms file.
    @Test func adminKeyAndPermanentWithoutFile() async throws {
        let harness = VideoRoomHarness { $0.adminKey = "k" }
        let admin = try await harness.client()
        let (missing, _) = await admin.request(["request": "create", "room": 5])
        #expect(missing.errorCode == 429)
        let (wrong, _) = await admin.request(["request": "create", "room": 5, "admin_key": "x"])
        #expect(wrong.errorCode == 433)
        #expect(wrong.errorText == "Unauthorized (wrong admin_key)")
        let (ok, _) = await admin.request(["request": "create", "room": 5, "admin_key": "k", "is_private": true])
        #expect(ok["videoroom"] == "created")
        let (permanent, _) = await admin.request(["request": "create", "room": 6, "admin_key": "k", "permanent": true])
        #expect(permanent.errorCode == 499)
        // Private rooms are listed only with the admin key.
        let (plain, _) = await admin.request(["request": "list"])
        #expect(plain["list"]?.arrayValue?.contains { $0["room"] == 5 } == false)
        let (withKey, _) = await admin.request(["request": "list", "admin_key": "k"])
        #expect(withKey["list"]?.arrayValue?.contains { $0["room"] == 5 } == true)
    }

    /// Provokes 426 (no such room), 429 (missing secret), 433 (wrong secret).
    @Test func editChecksSecretAndChangesProperties() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 7, "secret": "s3"])
        let (noRoom, _) = await admin.request(["request": "edit", "room": 8, "secret": "s3"])
        #expect(noRoom.errorCode == 426)
        #expect(noRoom.errorText == "No such room (8)")
        let (noSecret, _) = await admin.request(["request": "edit", "room": 7, "new_description": "y"])
        #expect(noSecret.errorCode == 429)
        #expect(noSecret.errorText == "Missing mandatory element (secret)")
        let (badSecret, _) = await admin.request(["request": "edit", "room": 7, "secret": "no"])
        #expect(badSecret.errorCode == 433)
        #expect(badSecret.errorText == "Unauthorized (wrong secret)")
        let (edited, _) = await admin.request([
            "request": "edit", "room": 7, "secret": "s3", "new_description": "y", "new_publishers": 2,
            "new_bitrate": 1000, "new_pin": "1", "new_is_private": true,
        ])
        #expect(edited == ["videoroom": "edited", "room": 7, "permanent": false])
        let (list, _) = await admin.request(["request": "list"])
        #expect(list["list"]?.arrayValue?.contains { $0["room"] == 7 } == false)  // now private
    }

    @Test func destroyNotifiesEveryoneFirst() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 77, "secret": "s"])
        let (alice, _) = try await harness.publisher(room: 77, display: "alice")
        let aliceTransport = await harness.publish(alice)
        let (destroyed, _) = await admin.request(["request": "destroy", "room": 77, "secret": "s"])
        #expect(destroyed == ["videoroom": "destroyed", "room": 77, "permanent": false])
        #expect(alice.notifications.contains { $0 == ["videoroom": "destroyed", "room": 77] })
        #expect(alice.hangups == ["Close PC"])
        #expect(harness.media.closed(aliceTransport))
        let (exists, _) = await admin.request(["request": "exists", "room": 77])
        #expect(exists["exists"] == false)
        // The handle cannot be reused (425).
        let (again, _) = await alice.request(["request": "configure", "bitrate": 1])
        #expect(again.errorCode == 425)
    }

    /// Provokes 430 (bad action) and 429 (missing list).
    @Test func allowedListAndTokenCheck() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 10, "secret": "s", "allowed": ["t1"]])
        let (added, _) = await admin.request(["request": "allowed", "room": 10, "secret": "s", "action": "add", "allowed": ["t2"]])
        #expect(added == ["videoroom": "success", "room": 10, "allowed": ["t1", "t2"]])
        let (removed, _) = await admin.request(["request": "allowed", "room": 10, "secret": "s", "action": "remove", "allowed": ["t1"]])
        #expect(removed["allowed"] == ["t2"])
        let (bad, _) = await admin.request(["request": "allowed", "room": 10, "secret": "s", "action": "shuffle"])
        #expect(bad.errorCode == 430)
        let (missing, _) = await admin.request(["request": "allowed", "room": 10, "secret": "s", "action": "add"])
        #expect(missing.errorCode == 429)

        let stranger = try await harness.client()
        let (refused, _) = await stranger.request(["request": "join", "ptype": "publisher", "room": 10, "token": "t1"])
        #expect(refused.errorCode == 433)
        #expect(refused.errorText == "Unauthorized (not in the allowed list)")
        let (joined, _) = await stranger.request(["request": "join", "ptype": "publisher", "room": 10, "token": "t2"])
        #expect(joined["videoroom"] == "joined")
        let (disabled, _) = await admin.request(["request": "allowed", "room": 10, "secret": "s", "action": "disable"])
        #expect(disabled == ["videoroom": "success", "room": 10])
        let other = try await harness.client()
        let (free, _) = await other.request(["request": "join", "ptype": "publisher", "room": 10])
        #expect(free["videoroom"] == "joined")
    }

    /// Provokes 428 (no such user) and checks kick's events.
    @Test func kickRemovesThePublisher() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 55, "secret": "s"])
        let (bob, bobID) = try await harness.publisher(room: 55, display: "bob")
        let transport = await harness.publish(bob)
        let (carol, _) = try await harness.publisher(room: 55, display: "carol")
        let (unknown, _) = await admin.request(["request": "kick", "room": 55, "secret": "s", "id": 999])
        #expect(unknown.errorCode == 428)
        #expect(unknown.errorText == "No such user 999 in room 55")
        let (kicked, _) = await admin.request(["request": "kick", "room": 55, "secret": "s", "id": .uint(bobID)])
        #expect(kicked == ["videoroom": "success"])
        #expect(bob.notifications.contains { $0 == ["videoroom": "event", "room": 55, "leaving": "ok", "reason": "kicked"] })
        #expect(bob.hangups == ["Close PC"])
        #expect(harness.media.closed(transport))
        // Janus 1.1.2: the others get `kicked` alone, without display or `unpublished`.
        #expect(carol.notifications == [["videoroom": "event", "room": 55, "kicked": .uint(bobID)]])
        let (parts, _) = await admin.request(["request": "listparticipants", "room": 55])
        #expect(parts["participants"]?.arrayValue?.count == 1)
        // The kicked handle is out of the room: joining again is 425, like after `leave`.
        let (again, _) = await bob.request(["request": "join", "ptype": "publisher", "room": 55])
        #expect(again.errorCode == 425)
        #expect(again.errorText == "Not in a room (create a new handle)")
    }

    @Test func moderateMutesAStreamForEveryone() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 56, "secret": "s"])
        let (bob, bobID) = try await harness.publisher(room: 56, display: "bob")
        let transport = await harness.publish(bob)
        let (carol, _) = try await harness.publisher(room: 56, display: "carol")
        let (noMid, _) = await admin.request(["request": "moderate", "room": 56, "secret": "s", "id": .uint(bobID), "mid": "9", "mute": true])
        #expect(noMid.errorCode == 428)
        #expect(noMid.errorText == "No such stream 9")
        let (ok, _) = await admin.request(["request": "moderate", "room": 56, "secret": "s", "id": .uint(bobID), "mid": "1", "mute": true])
        #expect(ok == ["videoroom": "success"])
        let event: JSONObject = ["videoroom": "event", "room": 56, "id": .uint(bobID), "mid": "1", "moderation": "muted"]
        #expect(bob.notifications.contains(event))
        #expect(carol.notifications.contains(event))
        let settings = harness.media.calls.withLock { $0.configured.last { $0.allocation == transport }?.settings }
        #expect(settings?.mutedMids == ["1"])
        let (list, _) = await carol.request(["request": "listparticipants", "room": 56])
        #expect(list["videoroom"] == "participants")
        let entries = list["participants"]?.arrayValue ?? []
        #expect(entries.contains { $0["id"] == .uint(bobID) && $0["publisher"] == true && $0["display"] == "bob" })
        #expect(entries.contains { $0["display"] == "carol" && $0["publisher"] == false })
        _ = await admin.request(["request": "moderate", "room": 56, "secret": "s", "id": .uint(bobID), "mid": "1", "mute": false])
        let unmuted = harness.media.calls.withLock { $0.configured.last { $0.allocation == transport }?.settings }
        #expect(unmuted?.mutedMids == [])
    }

    /// Provokes 499 for the forwarding/recording requests, 423 for unknown ones.
    @Test(arguments: ["rtp_forward", "stop_rtp_forward", "listforwarders", "enable_recording"])
    func unsupportedRequestsAnswer499(request: String) async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        let (data, _) = await admin.request(["request": .string(request), "room": 1234])
        #expect(data.errorCode == 499)
        #expect(data.errorText == "Request '\(request)' is not supported by swift-sfu")
    }

    /// 423 unknown request, 429 missing request, 421/422 for bodies the core never forwards.
    @Test func requestLevelErrors() async throws {
        let harness = VideoRoomHarness()
        let client = try await harness.client()
        let (unknown, _) = await client.request(["request": "dance"])
        #expect(unknown.errorCode == 423)
        #expect(unknown.errorText == "Unknown request 'dance'")
        let (missing, _) = await client.request([:])
        #expect(missing.errorCode == 429)
        #expect(missing.errorText == "Missing mandatory element (request)")
        #expect(throws: VideoRoomError(421, "No message??")) { try VideoRoomRegistry.validateBody(nil) }
        #expect(throws: VideoRoomError(422, "JSON error: not an object")) { try VideoRoomRegistry.validateBody(.array([])) }
    }
}
