"""Room control with the unmodified janus.js (Debian) in headless Chromium: the demo-style
publisher page knows nothing of the waiting room. It joins, is held in the lobby (its
`waiting` event is ignored by the page, no `joined`, nothing published), a moderator admits
it, and the page carries on from the `joined` event as with plain Janus: it publishes, and
an aiortc subscriber of the moderator receives its video and audio."""

from __future__ import annotations

import asyncio
import time

import pytest

from browser import chromium
from test_echotest_chromium import page_server  # noqa: F401
from test_videoroom_chromium import PAGE_STATE, _console
from videoroom import AiortcSubscriber, VideoRoomHandle, create_room, plugin_data

pytestmark = pytest.mark.timeout(90)


def test_roomcontrol_chromium_janus_js_waits_then_publishes(server, page_server) -> None:  # noqa: F811
    if server.kind != "swift":
        pytest.skip("room control is a swift-sfu extension; Janus has no such requests")
    admin = VideoRoomHandle(server.http_url)
    host = VideoRoomHandle(server.ws_url)
    room = create_room(admin, waiting_room=True, moderator_secret="m")
    joined = plugin_data(host.call({"request": "join", "ptype": "publisher", "room": room,
                                    "display": "host", "moderator_secret": "m"}))
    assert joined["videoroom"] == "joined", joined
    deadline = time.monotonic() + 75
    try:
        with chromium() as page:
            try:
                page.get(f"{page_server}/videoroom.html?mode=publish&room={room}&server={server.ws_url}")
                arrival = host.wait(lambda d: d.get("videoroom") == "lobby" and "arrived" in d, 30)
                guest = arrival["arrived"]["id"]
                # Held: janus.js got `waiting` (and ignored it); no `joined`, no PeerConnection.
                kinds: list = []
                while time.monotonic() < deadline and "waiting" not in kinds:
                    time.sleep(0.2)
                    state = page.execute_script(PAGE_STATE)
                    kinds = [m["msg"].get("videoroom") for m in state["messages"]]
                assert kinds == ["waiting"], state
                assert not state["published"] and not state["errors"], state

                assert host.sync({"request": "admit", "id": guest}) == {"videoroom": "success", "room": room}
                while time.monotonic() < deadline:
                    state = page.execute_script(PAGE_STATE)
                    assert not state["errors"], f"page errors: {state}"
                    if state["published"]:
                        break
                    time.sleep(0.3)
                assert state["published"] and state["myId"] == guest, state
                host.wait(lambda d: any(p["id"] == guest for p in d.get("publishers", [])), 20)

                async def receive() -> str:
                    sub = AiortcSubscriber(server.ws_url, room)
                    try:
                        await sub.start([{"feed": guest}], private_id=joined["private_id"])
                        await sub.wait_until(
                            lambda: any(s.kind == "video" and s.frames >= 15 for s in sub.stats.values()) and
                            any(s.kind == "audio" and s.rtp_packets >= 50 for s in sub.stats.values()),
                            max(5.0, deadline - time.monotonic()), "the admitted page's media")
                        return sub.summary()
                    finally:
                        await sub.close()

                print("\nhost received from the janus.js page:", asyncio.run(receive()))
            except Exception:
                _console(page, "page")
                raise
    finally:
        host.close()
        admin.close()
