"""VideoRoom room properties that gate who gets in: the `allowed` token list (and the
`allowed` request that edits it), `require_pvtid` for subscribers, and `is_private`."""

from __future__ import annotations

import asyncio

import pytest

from videoroom import AiortcPublisher, VideoRoomHandle, create_room, plugin_data

pytestmark = pytest.mark.timeout(60)

SECRET = "acl-secret"


def _error(data: dict, code: int, reason: str) -> None:
    assert data == {"videoroom": "event", "error_code": code, "error": reason}, data


def test_videoroom_allowed_tokens(server) -> None:
    admin = VideoRoomHandle(server.http_url)
    try:
        room = create_room(admin, secret=SECRET, allowed=["tok1"])

        def join(**extra) -> dict:
            h = VideoRoomHandle(janus=admin.janus)
            return plugin_data(h.call({"request": "join", "ptype": "publisher", "room": room,
                                       **extra}))

        _error(join(), 433, "Unauthorized (not in the allowed list)")
        _error(join(token="nope"), 433, "Unauthorized (not in the allowed list)")
        assert join(token="tok1")["videoroom"] == "joined"

        reply = admin.sync({"request": "allowed", "room": room, "secret": SECRET, "action": "add",
                            "allowed": ["tok2"]})
        assert reply["videoroom"] == "success" and reply["room"] == room, reply
        assert sorted(reply["allowed"]) == ["tok1", "tok2"], reply
        assert join(token="tok2")["videoroom"] == "joined"
        reply = admin.sync({"request": "allowed", "room": room, "secret": SECRET,
                            "action": "remove", "allowed": ["tok1"]})
        assert reply["allowed"] == ["tok2"], reply
        _error(join(token="tok1"), 433, "Unauthorized (not in the allowed list)")
        reply = admin.sync({"request": "allowed", "room": room, "secret": SECRET,
                            "action": "disable"})
        assert reply == {"videoroom": "success", "room": room}, reply
        assert join()["videoroom"] == "joined"
        reply = admin.sync({"request": "allowed", "room": room, "secret": SECRET,
                            "action": "enable"})
        assert reply == {"videoroom": "success", "room": room, "allowed": ["tok2"]}, reply
        _error(join(token="tok1"), 433, "Unauthorized (not in the allowed list)")
        _error(admin.sync({"request": "allowed", "room": room, "secret": SECRET, "action": "frob"}),
               430, "Unsupported action 'frob' (allowed)")
        _error(admin.sync({"request": "allowed", "room": room, "action": "enable"}),
               429, "Missing mandatory element (secret)")
    finally:
        admin.close()


def test_videoroom_require_pvtid_and_private(server) -> None:
    url = server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, require_pvtid=True, is_private=True)
        pub = AiortcPublisher(url, room, "owner", 0)
        try:
            listed = await asyncio.to_thread(admin.sync, {"request": "list"})
            assert room not in [r["room"] for r in listed["list"]], "private room listed"
            exists = await asyncio.to_thread(admin.sync, {"request": "exists", "room": room})
            assert exists["exists"] is True, exists
            await pub.start()

            def subscribe(**extra) -> dict:
                h = VideoRoomHandle(janus=admin.janus)
                ev = h.call({"request": "join", "ptype": "subscriber", "room": room,
                             "streams": [{"feed": pub.id}], **extra})
                return plugin_data(ev)

            _error(await asyncio.to_thread(subscribe), 433,
                   "Unauthorized (this room requires a valid private_id)")
            _error(await asyncio.to_thread(subscribe, private_id=12345), 433,
                   "Unauthorized (this room requires a valid private_id)")
            ok = await asyncio.to_thread(subscribe, private_id=pub.private_id)
            assert ok["videoroom"] == "attached", ok
        finally:
            await pub.close()
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))
