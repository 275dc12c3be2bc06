"""VideoRoom publisher requests beyond join+publish: `joinandconfigure` (join and publish in
one request), `configure` without jsep (bitrate, display change notified to the others,
unknown mid), and publishing again after `unpublish` on the same handle."""

from __future__ import annotations

import asyncio

import pytest
from aiortc import RTCSessionDescription

from videoroom import AiortcPublisher, VideoRoomHandle, create_room, plugin_data

pytestmark = pytest.mark.timeout(60)


def test_videoroom_joinandconfigure_and_configure(server) -> None:
    url = server.http_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin)
        watcher = await asyncio.to_thread(VideoRoomHandle, url)
        pub = AiortcPublisher(url, room, "jac", 0)
        try:
            ev = await asyncio.to_thread(watcher.call, {"request": "join", "ptype": "publisher",
                                                         "room": room, "display": "watcher"})
            assert plugin_data(ev)["videoroom"] == "joined", ev

            # joinandconfigure: `joined` with the publish keys and a jsep answer.
            pub.vr = await asyncio.to_thread(VideoRoomHandle, url)
            pub.pc.addTrack(pub.audio_track)
            pub.pc.addTrack(pub.video_track)
            await pub.pc.setLocalDescription(await pub.pc.createOffer())
            jsep = {"type": "offer", "sdp": pub.pc.localDescription.sdp, "trickle": False}
            ev = await asyncio.to_thread(pub.vr.call, {"request": "joinandconfigure", "room": room,
                                                       "ptype": "publisher", "display": "jac"}, jsep)
            data = plugin_data(ev)
            assert data["videoroom"] == "joined" and data["room"] == room, data
            assert data["publishers"] == [] and data["description"] == f"Room {room}", data
            assert data["audio_codec"] == "opus" and data["video_codec"] == "vp8", data
            assert [(st["type"], st["mid"]) for st in data["streams"]] == [("audio", "0"), ("video", "1")]
            assert (ev.get("jsep") or {}).get("type") == "answer", ev
            pub.id = data["id"]
            await pub.pc.setRemoteDescription(RTCSessionDescription(sdp=ev["jsep"]["sdp"], type="answer"))
            await asyncio.to_thread(pub.vr.janus.wait_janus, "webrtcup", pub.vr.handle_id, 15)
            got = await asyncio.to_thread(
                watcher.wait, lambda d: any(p["id"] == pub.id for p in d.get("publishers", [])))
            assert got["publishers"][0]["display"] == "jac", got

            # configure without jsep: bitrate → configured ok; new display → others told.
            ev = await asyncio.to_thread(pub.vr.call, {"request": "configure", "bitrate": 128000})
            assert plugin_data(ev) == {"videoroom": "event", "room": room, "configured": "ok"}, ev
            assert "jsep" not in ev
            ev = await asyncio.to_thread(pub.vr.call, {"request": "configure", "display": "renamed"})
            assert plugin_data(ev)["configured"] == "ok", ev
            data = await asyncio.to_thread(watcher.wait, lambda d: d.get("display") == "renamed")
            # (Janus 1.1.2: no `room` key in this one.)
            assert data == {"videoroom": "event", "id": pub.id, "display": "renamed"}, data
            ev = await asyncio.to_thread(pub.vr.call, {"request": "configure",
                                                       "streams": [{"mid": "9", "send": False}]})
            assert plugin_data(ev) == {"videoroom": "event", "error_code": 428,
                                       "error": "No such mid '9' published"}, ev
            parts = await asyncio.to_thread(admin.sync, {"request": "listparticipants", "room": room})
            assert {p["display"] for p in parts["participants"]} == {"watcher", "renamed"}, parts
        finally:
            await pub.close()
            await asyncio.to_thread(watcher.close)
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))


def test_videoroom_republish_after_unpublish(server) -> None:
    url = server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin)
        pub = AiortcPublisher(url, room, "again", 0)
        pub2 = None
        try:
            await pub.start()
            ev = await asyncio.to_thread(pub.vr.call, {"request": "unpublish"})
            assert plugin_data(ev)["unpublished"] == "ok", ev
            await asyncio.to_thread(pub.vr.janus.wait_janus, "hangup", pub.vr.handle_id, 10)
            # Same handle, new PeerConnection.
            pub2 = AiortcPublisher(url, room, "again", 1)
            pub2.vr, pub2.id = pub.vr, pub.id
            pub.vr = None
            mark = len(pub2.vr.janus.events.all())
            data = await pub2.publish(wait_webrtcup=False)
            assert data["configured"] == "ok", data
            await asyncio.to_thread(
                pub2.vr.janus.wait_event, lambda e: e.get("janus") == "webrtcup", 15, mark)
            parts = await asyncio.to_thread(admin.sync, {"request": "listparticipants", "room": room})
            assert [(p["id"], p["publisher"]) for p in parts["participants"]] == [(pub2.id, True)], parts
        finally:
            await pub.close()
            if pub2 is not None:
                await pub2.close()
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))
