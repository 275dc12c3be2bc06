"""A VideoRoom subscription over its life (multistream, aiortc, WebSocket): pause and
resume, `update` adding another feed and removing one (server re-offers, answered with
`start`), a publisher leaving under it, and the subscriber's `leave`."""

from __future__ import annotations

import asyncio

import pytest

from videoroom import AiortcPublisher, AiortcSubscriber, VideoRoomHandle, create_room, plugin_data

pytestmark = pytest.mark.timeout(60)


def test_videoroom_subscription_lifecycle(server) -> None:
    url = server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin)
        a = AiortcPublisher(url, room, "a", 0)
        b = AiortcPublisher(url, room, "b", 1)
        sub = AiortcSubscriber(url, room)
        try:
            await a.start()
            await b.start()
            await sub.start([{"feed": a.id}])
            a_video = next(s["mid"] for s in sub.attached["streams"] if s["type"] == "video")
            await sub.wait_until(lambda: a_video in sub.stats and sub.stats[a_video].frames >= 15,
                                 20, "A's video")
            va = sub.stats[a_video]

            # pause: no more media; start without jsep: media again.
            ev = await asyncio.to_thread(sub.vr.call, {"request": "pause"})
            assert plugin_data(ev) == {"videoroom": "event", "room": room, "paused": "ok"}, ev
            await asyncio.sleep(0.5)
            n = va.rtp_packets
            await asyncio.sleep(1.5)
            assert va.rtp_packets - n <= 2, f"still receiving while paused: {sub.summary()}"
            ev = await asyncio.to_thread(sub.vr.call, {"request": "start"})
            assert plugin_data(ev) == {"videoroom": "event", "room": room, "started": "ok"}, ev
            assert "jsep" not in ev, ev
            f = va.frames
            await sub.wait_until(lambda: va.frames >= f + 15, 10, "A's video after resume")

            # update: add B → `updated` with the whole layout + a new offer.
            ev = await asyncio.to_thread(sub.vr.call, {"request": "update",
                                                       "subscribe": [{"feed": b.id}]})
            data = plugin_data(ev)
            print("\nupdate (subscribe):", data)
            assert data["videoroom"] == "updated" and data["room"] == room, ev
            assert [(s["mid"], s.get("feed_id"), s["type"]) for s in data["streams"]] == [
                ("0", a.id, "audio"), ("1", a.id, "video"), ("2", b.id, "audio"),
                ("3", b.id, "video")], data
            started = await sub.renegotiate(ev)
            assert started == {"videoroom": "event", "room": room, "started": "ok"}, started
            await sub.wait_until(lambda: "3" in sub.stats and sub.stats["3"].frames >= 15, 15,
                                 "B's video on mid 3")
            assert sub.stats["3"].colours.get(1, 0) >= 0.9 * sub.stats["3"].frames, sub.summary()

            # unsubscribe A → its m-lines go inactive, its media stops.
            ev = await asyncio.to_thread(sub.vr.call, {"request": "unsubscribe",
                                                       "streams": [{"feed": a.id}]})
            data = plugin_data(ev)
            print("unsubscribe:", data)
            assert data["videoroom"] == "updated", ev
            # Removed streams stay as inactive placeholders without feed info.
            assert data["streams"][:2] == [
                {"type": "audio", "active": False, "mindex": 0, "mid": "0", "ready": False, "send": True},
                {"type": "video", "active": False, "mindex": 1, "mid": "1", "ready": False, "send": True},
            ], data
            assert [s.get("feed_id") for s in data["streams"][2:]] == [b.id, b.id], data
            await sub.renegotiate(ev)
            await asyncio.sleep(0.5)
            n = va.rtp_packets
            await asyncio.sleep(1.5)
            assert va.rtp_packets - n <= 2, f"A still flowing after unsubscribe: {sub.summary()}"

            # B leaves: its media stops on the subscription. (Janus 1.1.2 sends the subscriber
            # no event at all, neither on B's `leave` nor on B's detach; not asserted.)
            mark = len(sub.vr.janus.events.all())
            vb = sub.stats["3"]
            await asyncio.to_thread(b.vr.call, {"request": "leave"})
            await asyncio.sleep(0.5)
            n = vb.rtp_packets
            await asyncio.sleep(1.5)
            assert vb.rtp_packets - n <= 2, f"B's video still flowing after it left: {sub.summary()}"
            print("subscriber heard after B left:", [
                (e.get("janus"), plugin_data(e), (e.get("jsep") or {}).get("type"))
                for e in sub.vr.janus.events.all()[mark:]])

            ev = await asyncio.to_thread(sub.vr.call, {"request": "leave"})
            assert plugin_data(ev) == {"videoroom": "event", "room": room, "left": "ok"}, ev
            hangup = await asyncio.to_thread(sub.vr.janus.wait_janus, "hangup", sub.vr.handle_id, 10)
            assert hangup["reason"] == "Close PC", hangup
        finally:
            await sub.close()
            await a.close()
            await b.close()
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))
