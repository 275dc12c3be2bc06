"""Room control (the swift-sfu extension of janus.plugin.videoroom: waiting room, raise hand,
moderators) with real peers. Media expectations are checked on what the aiortc peers
actually receive (RTP packets and decoded frames counted at their receivers), never on the
server's own state. Janus has none of this, so these tests run against ours only."""

from __future__ import annotations

import asyncio
import random

import pytest

from videoroom import (AiortcPublisher, AiortcSubscriber, VideoRoomHandle, create_room, plugin_data,
                       wait_for)

pytestmark = pytest.mark.timeout(90)

SECRET, MODSECRET = "s3cret", "m0d"
NOT_MODERATOR = {"videoroom": "event", "error_code": 520, "error": "Unauthorized (moderator only)"}
WAITING = {"videoroom": "event", "error_code": 521,
           "error": "Not admitted yet: wait for a moderator (only leave is possible)"}


@pytest.fixture
def ours(server):
    if server.kind != "swift":
        pytest.skip("room control is a swift-sfu extension; Janus has no such requests")
    return server


async def _t(fn, *args):
    return await asyncio.to_thread(fn, *args)


async def _join_host(url: str, room: int, **proof: str) -> tuple[VideoRoomHandle, dict]:
    """A signalling-only moderator (`proof`: moderator_secret= or secret=); its `joined`."""
    vr = await _t(VideoRoomHandle, url)
    joined = plugin_data(await _t(vr.call, {"request": "join", "ptype": "publisher", "room": room,
                                            "display": "host", **proof}))
    assert joined["videoroom"] == "joined", joined
    return vr, joined


async def _join_waiting(url: str, room: int, display: str) -> tuple[VideoRoomHandle, int]:
    """A publisher-role join that lands in the lobby: the `waiting` event answers it."""
    vr = await _t(VideoRoomHandle, url)
    data = plugin_data(await _t(vr.call, {"request": "join", "ptype": "publisher", "room": room,
                                          "display": display}))
    assert data.get("videoroom") == "waiting" and data.get("room") == room, data
    return vr, data["id"]


async def _refused_subscription(url: str, room: int, feed: int, private_id: int | None) -> dict:
    """Tries to subscribe to `feed`; returns the error the server answered (no offer came)."""
    spy = AiortcSubscriber(url, room)
    try:
        with pytest.raises(AssertionError):
            await spy.start([{"feed": feed}], private_id=private_id)
        assert sum(s.rtp_packets for s in spy.stats.values()) == 0
        return spy.attached
    finally:
        await spy.close()


async def _refused_publish(vr: VideoRoomHandle, pub: AiortcPublisher) -> dict:
    """Sends a real aiortc offer on `vr`; returns the error (no answer may come)."""
    pub.pc.addTrack(pub.audio_track)
    pub.pc.addTrack(pub.video_track)
    await pub.pc.setLocalDescription(await pub.pc.createOffer())
    jsep = {"type": "offer", "sdp": pub.pc.localDescription.sdp, "trickle": False}
    ev = await _t(vr.call, {"request": "publish", "audio": True, "video": True}, jsep)
    assert "jsep" not in ev, ev
    return plugin_data(ev)


def test_roomcontrol_waiting_room_no_media_until_admitted(ours) -> None:
    url = ours.ws_url

    async def run() -> None:
        admin = await _t(VideoRoomHandle, url)
        room = await _t(lambda: create_room(admin, secret=SECRET, waiting_room=True,
                                            moderator_secret=MODSECRET))
        host = AiortcPublisher(url, room, "host", 0, extra={"moderator_secret": MODSECRET})
        watcher = AiortcSubscriber(url, room)
        joiner_pub = AiortcPublisher(url, room, "guest", 1)
        late_sub = AiortcSubscriber(url, room)
        joiner = None
        try:
            await host.start()
            # The host's own view, as a subscriber proving admission with its private_id.
            await watcher.start([{"feed": host.id}], private_id=host.private_id)
            await watcher.wait_until(lambda: any(s.frames >= 10 for s in watcher.stats.values()), 25,
                                     "the host's video at the host's subscriber")
            joiner, joiner_id = await _join_waiting(url, room, "guest")
            arrival = await _t(host.vr.wait, lambda d: d.get("videoroom") == "lobby" and
                               (d.get("arrived") or {}).get("id") == joiner_id)
            assert arrival["waiting"] == [{"id": joiner_id, "display": "guest"}], arrival

            # Every way in is shut while waiting: subscribing without proof or with a guessed
            # private_id, and publishing a real offer.
            for guess in (None, random.randint(1, 2**32 - 1)):
                err = await _refused_subscription(url, room, host.id, guess)
                assert err == {"videoroom": "event", "error_code": 433,
                               "error": "Unauthorized (this room requires a valid private_id)"}, err
            assert await _refused_publish(joiner, joiner_pub) == WAITING
            # A few seconds of the room's media, none of which reaches the joiner.
            f0 = sum(s.frames for s in watcher.stats.values())
            await watcher.wait_until(lambda: sum(s.frames for s in watcher.stats.values()) >= f0 + 30,
                                     20, "the room keeps flowing while the joiner waits")
            seen = joiner.plugin_events()
            assert [d["videoroom"] for d in seen] == ["waiting", "event"], seen
            assert not any("publishers" in d for d in seen), seen

            # Admitted: the usual `joined`, with the publisher list; now its subscription works.
            assert await _t(host.vr.sync, {"request": "admit", "id": joiner_id}) == {
                "videoroom": "success", "room": room}
            joined = await _t(joiner.wait, lambda d: d.get("videoroom") == "joined", 15)
            assert joined["id"] == joiner_id and [p["id"] for p in joined["publishers"]] == [host.id], joined
            await late_sub.start([{"feed": host.id}], private_id=joined["private_id"])
            await late_sub.wait_until(
                lambda: any(s.kind == "video" and s.frames >= 15 for s in late_sub.stats.values()) and
                any(s.kind == "audio" and s.rtp_packets >= 50 for s in late_sub.stats.values()),
                25, "the room's media at the admitted joiner")
            print("\nadmitted joiner received:", late_sub.summary())
        finally:
            await late_sub.close()
            await watcher.close()
            await host.close()
            await joiner_pub.close()
            if joiner is not None:
                await _t(joiner.close)
            await _t(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=85))


def test_roomcontrol_rejected_joiner_is_told_and_cannot_publish(ours) -> None:
    url = ours.http_url

    async def run() -> None:
        admin = await _t(VideoRoomHandle, url)
        room = await _t(lambda: create_room(admin, secret=SECRET, waiting_room=True, waiting_timeout=2))
        # Joining with the room secret makes a moderator too.
        host, joined = await _join_host(url, room, secret=SECRET)
        pub = AiortcPublisher(url, room, "guest", 2)
        joiner = None
        try:
            joiner, joiner_id = await _join_waiting(url, room, "guest")
            await _t(host.wait, lambda d: (d.get("arrived") or {}).get("id") == joiner_id)
            assert await _t(host.sync, {"request": "reject", "id": joiner_id, "reason": "members only"}) == {
                "videoroom": "success", "room": room}
            told = await _t(joiner.wait, lambda d: d.get("videoroom") == "rejected")
            assert told == {"videoroom": "rejected", "room": room, "id": joiner_id, "reason": "rejected",
                            "message": "members only"}, told
            gone = await _t(host.wait, lambda d: (d.get("departed") or {}).get("id") == joiner_id)
            assert gone["departed"] == {"id": joiner_id, "reason": "rejected"} and gone["waiting"] == [], gone
            # The handle is out: a real offer gets no answer, and nothing connects.
            err = await _refused_publish(joiner, pub)
            assert err == {"videoroom": "event", "error_code": 425,
                           "error": "Not in a room (create a new handle)"}, err
            assert pub.pc.iceConnectionState in ("new", "checking"), pub.pc.iceConnectionState
            # Nobody is published in the room.
            parts = await _t(admin.sync, {"request": "listparticipants", "room": room})
            assert [p["id"] for p in parts["participants"]] == [joined["id"]], parts
            # And a joiner nobody decides about is turned away by the timeout.
            slow, slow_id = await _join_waiting(url, room, "slow")
            try:
                told = await _t(slow.wait, lambda d: d.get("videoroom") == "rejected", 15)
                assert told == {"videoroom": "rejected", "room": room, "id": slow_id, "reason": "timeout"}, told
            finally:
                await _t(slow.close)
        finally:
            await pub.close()
            if joiner is not None:
                await _t(joiner.close)
            await _t(host.close)
            await _t(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=85))


def test_roomcontrol_hand_queue_in_order_everywhere(ours) -> None:
    async def run() -> None:
        admin = await _t(VideoRoomHandle, ours.http_url)
        room = await _t(lambda: create_room(admin, moderator_secret=MODSECRET))
        people: dict[str, VideoRoomHandle] = {}
        ids: dict[str, int] = {}
        try:
            for n, name in enumerate(("host", "ann", "bob", "cat")):
                vr = await _t(VideoRoomHandle, ours.ws_url if n % 2 else ours.http_url)
                body = {"request": "join", "ptype": "publisher", "room": room, "display": name}
                if name == "host":
                    body["moderator_secret"] = MODSECRET
                data = plugin_data(await _t(vr.call, body))
                assert data["videoroom"] == "joined", data
                people[name], ids[name] = vr, data["id"]

            def queues(name: str) -> list[list[str]]:
                by_id = {v: k for k, v in ids.items()}
                return [[by_id[h["id"]] for h in d["hands"]]
                        for d in people[name].plugin_events() if d.get("videoroom") == "hands"]

            async def everyone_sees(expected: list[list[str]], who) -> None:
                for name in who:
                    await wait_for(lambda: len(queues(name)) >= len(expected), 15,
                                   f"{len(expected)} hand events at {name}", lambda: str(queues(name)))
                    assert queues(name) == expected, (name, queues(name))

            for name in ("cat", "ann", "bob"):
                reply = await _t(people[name].sync, {"request": "raise_hand"})
                assert reply["videoroom"] == "success", reply
            assert (await _t(people["ann"].sync, {"request": "raise_hand"}))["error_code"] == 524
            steps = [["cat"], ["cat", "ann"], ["cat", "ann", "bob"]]
            await everyone_sees(steps, people)
            # Lowering one's own hand, a moderator lowering another's, and leaving all reorder it.
            await _t(people["ann"].sync, {"request": "lower_hand"})
            steps.append(["cat", "bob"])
            await everyone_sees(steps, people)
            assert await _t(people["bob"].sync, {"request": "lower_hand", "id": ids["cat"]}) == NOT_MODERATOR
            await _t(people["cat"].call, {"request": "leave"})
            steps.append(["bob"])
            await everyone_sees(steps, ["host", "ann", "bob"])
            await _t(people["host"].sync, {"request": "lower_all_hands"})
            steps.append([])
            await everyone_sees(steps, ["host", "ann", "bob"])
        finally:
            for vr in people.values():
                await _t(vr.close)
            await _t(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=85))


def test_roomcontrol_mute_stops_media_on_the_wire(ours) -> None:
    url = ours.ws_url

    async def run() -> None:
        admin = await _t(VideoRoomHandle, url)
        room = await _t(lambda: create_room(admin, moderator_secret=MODSECRET))
        host, _ = await _join_host(url, room, moderator_secret=MODSECRET)
        pub = AiortcPublisher(url, room, "loud", 0)
        sub = AiortcSubscriber(url, room)
        try:
            await pub.start()
            await sub.start([{"feed": pub.id}])
            vmid, amid = sub.mid_of("video"), sub.mid_of("audio")
            await sub.wait_until(lambda: vmid in sub.stats and sub.stats[vmid].frames >= 15 and
                                 amid in sub.stats and sub.stats[amid].rtp_packets >= 50, 25, "media before the mute")
            video, audio = sub.stats[vmid], sub.stats[amid]

            async def assert_silent(what: str) -> None:
                await asyncio.sleep(0.7)            # what was in flight
                v0, a0 = video.rtp_packets, audio.rtp_packets
                await asyncio.sleep(2.0)
                print(f"\n{what}: video +{video.rtp_packets - v0} audio +{audio.rtp_packets - a0}")
                assert video.rtp_packets - v0 <= 2 and audio.rtp_packets - a0 <= 2, sub.summary()

            assert await _t(host.sync, {"request": "mute", "id": pub.id}) == {"videoroom": "success", "room": room}
            told = await _t(pub.vr.wait, lambda d: d.get("videoroom") == "muted")
            assert told == {"videoroom": "muted", "room": room, "id": pub.id, "audio": True, "video": True}, told
            await assert_silent("muted")
            # The publisher's own client cannot lift it: neither `unmute` nor `configure` send.
            assert await _t(pub.vr.sync, {"request": "unmute", "id": pub.id}) == NOT_MODERATOR
            mids = [t.mid for t in pub.pc.getTransceivers()]
            ev = await _t(pub.vr.call, {"request": "configure",
                                        "streams": [{"mid": m, "send": True} for m in mids]})
            assert plugin_data(ev).get("configured") == "ok", ev
            await assert_silent("after the publisher's configure send:true")

            assert await _t(host.sync, {"request": "unmute", "id": pub.id, "audio": True}) == {
                "videoroom": "success", "room": room}
            a1, v1 = audio.rtp_packets, video.rtp_packets
            await sub.wait_until(lambda: audio.rtp_packets >= a1 + 50, 15, "audio after unmuting audio")
            assert video.rtp_packets - v1 <= 2, sub.summary()
            video.max_jump = 0
            rtx_before, nacks_before = video.rtx_packets, video.nacks_sent
            await _t(host.sync, {"request": "unmute_all"})
            v2, f2 = video.rtp_packets, video.frames
            await sub.wait_until(lambda: video.rtp_packets >= v2 + 30 and video.frames >= f2 + 15, 20,
                                 "video after unmute_all")
            # Nothing of the mute comes back: the subscriber's sequence numbers run on without a
            # hole (no NACK into the muted seconds), and no retransmission arrives.
            print(f"after unmute: max sequence step {video.max_jump}, "
                  f"rtx +{video.rtx_packets - rtx_before}, nacks +{video.nacks_sent - nacks_before}")
            assert video.max_jump <= 2, f"a hole of {video.max_jump} across the mute: {sub.summary()}"
            assert video.rtx_packets - rtx_before <= 2, sub.summary()
            told = await _t(pub.vr.wait, lambda d: d.get("videoroom") == "muted" and not d["video"])
            assert told == {"videoroom": "muted", "room": room, "id": pub.id, "audio": False, "video": False}, told
        finally:
            await sub.close()
            await pub.close()
            await _t(host.close)
            await _t(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=85))


@pytest.mark.parametrize("transport", ["http", "ws"])
def test_roomcontrol_moderator_requests_refused_to_others(ours, transport: str) -> None:
    url = ours.http_url if transport == "http" else ours.ws_url
    admin = VideoRoomHandle(url)
    handles: list[VideoRoomHandle] = []
    try:
        room = create_room(admin, secret=SECRET, waiting_room=True, moderator_secret=MODSECRET)
        host = VideoRoomHandle(url)
        handles.append(host)
        host_id = plugin_data(host.call({"request": "join", "ptype": "publisher", "room": room,
                                         "moderator_secret": MODSECRET}))["id"]
        guest = VideoRoomHandle(url)
        handles.append(guest)
        waiting = plugin_data(guest.call({"request": "join", "ptype": "publisher", "room": room}))
        assert waiting["videoroom"] == "waiting", waiting
        requests = [
            {"request": "admit", "id": waiting["id"]}, {"request": "admit", "all": True},
            {"request": "reject", "all": True}, {"request": "list_waiting"},
            {"request": "set_waiting_room", "enabled": False}, {"request": "promote", "id": host_id},
            {"request": "demote", "id": host_id}, {"request": "mute", "id": host_id},
            {"request": "unmute", "id": host_id}, {"request": "mute_all"}, {"request": "unmute_all"},
            {"request": "remove_participant", "id": host_id}, {"request": "lower_all_hands"},
            {"request": "lower_hand", "id": host_id},
        ]
        for body in requests:
            assert guest.sync(body) == WAITING, body
        assert host.sync({"request": "admit", "id": waiting["id"]})["videoroom"] == "success"
        guest.wait(lambda d: d.get("videoroom") == "joined")
        for body in requests[1:]:
            assert guest.sync(body) == NOT_MODERATOR, body
        # A wrong moderator_secret is refused outright; a handle that never joined is 424.
        impostor = VideoRoomHandle(janus=admin.janus)
        handles.append(impostor)
        err = plugin_data(impostor.call({"request": "join", "ptype": "publisher", "room": room,
                                         "moderator_secret": "guess"}))
        assert err == {"videoroom": "event", "error_code": 433,
                       "error": "Unauthorized (wrong moderator_secret)"}, err
        assert admin.sync({"request": "mute_all"}) == {
            "videoroom": "event", "error_code": 424, "error": "Invalid request on unconfigured participant"}
        # Naming the room makes it a host request: the room's secret is the proof (README).
        assert admin.sync({"request": "mute_all", "room": room, "secret": "guess"}) == {
            "videoroom": "event", "error_code": 433, "error": "Unauthorized (wrong secret)"}
        assert admin.sync({"request": "list_waiting", "room": room, "secret": SECRET}) == {
            "videoroom": "success", "room": room, "waiting": []}
        # Nothing the guest tried changed anything.
        parts = admin.sync({"request": "listparticipants", "room": room})
        assert sorted(p["id"] for p in parts["participants"]) == sorted([host_id, waiting["id"]]), parts
    finally:
        for h in handles:
            h.close()
        admin.close()
