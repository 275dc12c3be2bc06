"""VideoRoom access control and moderation: `pin` on join, `secret` on edit/destroy/kick/
moderate, `kick` of a publisher, `moderate` (force-mute) of a published stream."""

from __future__ import annotations

import asyncio

import pytest

from videoroom import (AiortcPublisher, AiortcSubscriber, VideoRoomHandle, create_room,
                       plugin_data)

pytestmark = pytest.mark.timeout(60)

SECRET, PIN = "s3cret", "1234pin"


def _error(data: dict, code: int, reason: str) -> None:
    assert data == {"videoroom": "event", "error_code": code, "error": reason}, data


@pytest.mark.parametrize("transport", ["http", "ws"])
def test_videoroom_pin_and_secret(server, transport: str) -> None:
    url = server.http_url if transport == "http" else server.ws_url
    admin = VideoRoomHandle(url)
    handles = []
    try:
        room = create_room(admin, secret=SECRET, pin=PIN, description="locked")
        # exists / list never need the pin; list shows pin_required.
        assert admin.sync({"request": "exists", "room": room}) == {
            "videoroom": "success", "room": room, "exists": True}
        listed = [r for r in admin.sync({"request": "list"})["list"] if r["room"] == room]
        assert len(listed) == 1 and listed[0]["pin_required"] is True, listed
        assert listed[0]["description"] == "locked", listed

        join = {"request": "join", "ptype": "publisher", "room": room, "display": "x"}
        # Missing pin → 429 (generic validator), wrong pin → 433.
        for pin, code, reason in ((None, 429, "Missing mandatory element (pin)"),
                                  ("wrong", 433, "Unauthorized (wrong pin)")):
            h = VideoRoomHandle(janus=admin.janus)
            handles.append(h)
            body = dict(join) if pin is None else {**join, "pin": pin}
            _error(plugin_data(h.call(body)), code, reason)
        h = VideoRoomHandle(janus=admin.janus)
        handles.append(h)
        joined = plugin_data(h.call({**join, "pin": PIN}))
        assert joined["videoroom"] == "joined" and joined["room"] == room, joined
        # A subscriber join needs the pin too (checked before the feed).
        s = VideoRoomHandle(janus=admin.janus)
        handles.append(s)
        _error(plugin_data(s.call({"request": "join", "ptype": "subscriber", "room": room,
                                   "pin": "wrong", "streams": [{"feed": joined["id"]}]})),
               433, "Unauthorized (wrong pin)")

        # Secret: missing → 429 (the generic validator), wrong → 433, right → ok.
        for req in ({"request": "edit", "room": room, "new_description": "y"},
                    {"request": "kick", "room": room, "id": joined["id"]},
                    {"request": "moderate", "room": room, "id": joined["id"], "mid": "0", "mute": True},
                    {"request": "destroy", "room": room}):
            _error(admin.sync(req), 429, "Missing mandatory element (secret)")
            _error(admin.sync({**req, "secret": "nope"}), 433, "Unauthorized (wrong secret)")
        assert admin.sync({"request": "edit", "room": room, "secret": SECRET,
                           "new_description": "renamed"}) == {
            "videoroom": "edited", "room": room, "permanent": False}
        listed = [r for r in admin.sync({"request": "list"})["list"] if r["room"] == room]
        assert listed[0]["description"] == "renamed", listed
        # destroy: the participant is told first, then the reply.
        assert admin.sync({"request": "destroy", "room": room, "secret": SECRET}) == {
            "videoroom": "destroyed", "room": room, "permanent": False}
        data = h.wait(lambda d: d.get("videoroom") == "destroyed")
        assert data == {"videoroom": "destroyed", "room": room}, data
        assert admin.sync({"request": "exists", "room": room})["exists"] is False
    finally:
        admin.close()


@pytest.mark.parametrize("transport", ["http", "ws"])
def test_videoroom_kick(server, transport: str) -> None:
    url = server.http_url if transport == "http" else server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, secret=SECRET)
        victim = AiortcPublisher(url, room, "victim", 0)
        other = AiortcPublisher(url, room, "other", 1)
        try:
            await other.join()
            await victim.start()
            await asyncio.to_thread(
                other.vr.wait, lambda d: any(p["id"] == victim.id for p in d.get("publishers", [])))
            _error(await asyncio.to_thread(admin.sync, {"request": "kick", "room": room,
                                                        "secret": SECRET, "id": 12345}),
                   428, f"No such user 12345 in room {room}")
            reply = await asyncio.to_thread(admin.sync, {"request": "kick", "room": room,
                                                         "secret": SECRET, "id": victim.id})
            assert reply == {"videoroom": "success"}, reply
            # The kicked one: leaving "ok" with reason "kicked", and a core hangup.
            data = await asyncio.to_thread(victim.vr.wait, lambda d: d.get("leaving") == "ok")
            assert data == {"videoroom": "event", "room": room, "leaving": "ok",
                            "reason": "kicked"}, data
            hangup = await asyncio.to_thread(victim.vr.janus.wait_janus, "hangup",
                                             victim.vr.handle_id, 10)
            print("\nkicked hangup:", hangup)
            # The others: `kicked` with the id (Janus 1.1.2: no `unpublished`/`leaving` around it).
            data = await asyncio.to_thread(other.vr.wait, lambda d: "kicked" in d)
            assert data == {"videoroom": "event", "room": room, "kicked": victim.id}, data
            await asyncio.sleep(0.5)
            seq = [d for d in other.vr.plugin_events() if victim.id in (
                d.get("kicked"), d.get("unpublished"), d.get("leaving"))]
            print("others saw:", seq)
            assert seq == [data], seq
            parts = await asyncio.to_thread(admin.sync, {"request": "listparticipants", "room": room})
            assert [p["id"] for p in parts["participants"]] == [other.id], parts
            # The kicked handle cannot come back in.
            again = await asyncio.to_thread(victim.vr.call, {"request": "join", "ptype": "publisher",
                                                             "room": room})
            _error(plugin_data(again), 425, "Not in a room (create a new handle)")
        finally:
            await victim.close()
            await other.close()
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))


def test_videoroom_moderate(server) -> None:
    url = server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, secret=SECRET)
        pub = AiortcPublisher(url, room, "loud", 0)
        sub = AiortcSubscriber(url, room)
        try:
            await pub.start()
            await sub.start([{"feed": pub.id}])
            vmid = next(s["mid"] for s in sub.attached["streams"] if s["type"] == "video")
            amid = next(s["mid"] for s in sub.attached["streams"] if s["type"] == "audio")
            await sub.wait_until(lambda: vmid in sub.stats and sub.stats[vmid].frames >= 15, 20,
                                 "video before moderation")
            video, audio = sub.stats[vmid], sub.stats[amid]

            async def mute(mute: bool) -> None:
                reply = await asyncio.to_thread(admin.sync, {
                    "request": "moderate", "room": room, "secret": SECRET, "id": pub.id,
                    "mid": "1", "mute": mute})
                assert reply == {"videoroom": "success"}, reply
                want = {"videoroom": "event", "room": room, "id": pub.id, "mid": "1",
                        "moderation": "muted" if mute else "unmuted"}
                data = await asyncio.to_thread(pub.vr.wait, lambda d: d.get("moderation") == want["moderation"])
                assert data == want, data

            await mute(True)
            await asyncio.sleep(0.5)            # what was in flight
            v0, a0 = video.rtp_packets, audio.rtp_packets
            await asyncio.sleep(2.0)
            print(f"\nmuted: video +{video.rtp_packets - v0} audio +{audio.rtp_packets - a0}")
            assert video.rtp_packets - v0 <= 2, sub.summary()
            assert audio.rtp_packets - a0 >= 50, f"audio should still flow: {sub.summary()}"
            parts = await asyncio.to_thread(admin.sync, {"request": "listparticipants", "room": room})
            print("participants while muted:", parts)

            await mute(False)
            v1, f1 = video.rtp_packets, video.frames
            await sub.wait_until(lambda: video.rtp_packets >= v1 + 30 and video.frames >= f1 + 15, 15,
                                 "video again after unmute")
            # Moderating an unknown mid / user.
            data = await asyncio.to_thread(admin.sync, {
                "request": "moderate", "room": room, "secret": SECRET, "id": pub.id, "mid": "7",
                "mute": True})
            _error(data, 428, "No such stream 7")
            data = await asyncio.to_thread(admin.sync, {
                "request": "moderate", "room": room, "secret": SECRET, "id": 999, "mid": "1",
                "mute": True})
            _error(data, 428, f"No such user 999 in room {room}")
        finally:
            await sub.close()
            await pub.close()
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))
