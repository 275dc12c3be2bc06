"""VideoRoom with two headless Chromium pages running the unmodified janus.js (Debian):
page A publishes (fake audio+video devices, `configure` with the offer as the multistream
demo does), page B subscribes to A's feed (join ptype subscriber `streams:[{feed}]`,
createAnswer, `start`). B's getStats must show inbound video framesDecoded > 30 and audio
packetsReceived > 50. A over HTTP / B over WebSocket, and the reverse."""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from browser import chromium
from test_echotest_chromium import STATS_SCRIPT, page_server  # noqa: F401
from videoroom import VideoRoomHandle, create_room

pytestmark = pytest.mark.timeout(60)

PAGE_STATE = """
const e = window.e2e || {};
return {state: e.state, errors: e.errors, messages: e.messages, webrtcState: e.webrtcState,
        iceState: e.iceState, remoteTracks: e.remoteTracks, myId: e.myId,
        published: e.published, destroyed: e.destroyed};"""


def _console(driver, name: str) -> None:
    try:
        logs = driver.get_log("browser")
        print(f"{name} console:\n" + "\n".join(str(e.get("message")) for e in logs[-40:]))
    except Exception:
        pass


@contextlib.contextmanager
def publisher_and_subscriber(publisher_camera_fps: int | None = None):
    """Two headless Chromium instances; their consoles are printed when the test fails."""
    with chromium(fake_camera_fps=publisher_camera_fps) as pub, chromium() as sub:
        try:
            yield pub, sub
        except BaseException:
            _console(pub, "publisher")
            _console(sub, "subscriber")
            raise


@pytest.mark.parametrize("pub_transport,sub_transport", [("http", "ws"), ("ws", "http")])
def test_videoroom_chromium(server, page_server, pub_transport: str,  # noqa: F811
                            sub_transport: str) -> None:
    api = {"http": server.http_url, "ws": server.ws_url}
    admin = VideoRoomHandle(server.http_url)
    room = create_room(admin, description="chromium")
    deadline = time.monotonic() + 50
    try:
        with publisher_and_subscriber() as (pub, sub):
            pub.get(f"{page_server}/videoroom.html?mode=publish&room={room}"
                    f"&server={api[pub_transport]}")
            pstate: dict = {}
            while time.monotonic() < deadline:
                pstate = pub.execute_script(PAGE_STATE)
                assert not pstate["errors"], f"publisher page errors: {pstate}"
                if pstate["published"] and pstate["myId"]:
                    break
                time.sleep(0.3)
            assert pstate.get("published"), f"publisher did not come up: {pstate}"
            feed = pstate["myId"]
            # The configure answer event (multistream demo path).
            conf = [m for m in pstate["messages"] if m["msg"].get("configured") == "ok"]
            assert conf and conf[0]["jsep"] == "answer", pstate
            assert conf[0]["msg"]["audio_codec"] == "opus" and conf[0]["msg"]["video_codec"] == "vp8"

            sub.get(f"{page_server}/videoroom.html?mode=subscribe&room={room}&feed={feed}"
                    f"&server={api[sub_transport]}")
            last: dict = {}
            ok = False
            while time.monotonic() < deadline:
                last = sub.execute_async_script(STATS_SCRIPT)
                video, audio = last.get("video") or {}, last.get("audio") or {}
                if (video.get("framesDecoded") or 0) > 30 and (audio.get("packetsReceived") or 0) > 50:
                    ok = True
                    break
                sstate = sub.execute_script(PAGE_STATE)
                assert not sstate["errors"], f"subscriber page errors: {sstate}"
                time.sleep(0.5)
            sstate = sub.execute_script(PAGE_STATE)
            print(f"\nsubscriber stats: {last}\nsubscriber page: {json.dumps(sstate)[:2000]}")
            assert ok, f"subscriber did not decode the feed; stats={last}; page={sstate}"
            attached = [m for m in sstate["messages"] if m["msg"].get("videoroom") == "attached"]
            assert attached and attached[0]["jsep"] == "offer", sstate
            assert [(s["type"], s["feed_id"]) for s in attached[0]["msg"]["streams"]] == [
                ("audio", feed), ("video", feed)], attached
            assert any(m["msg"].get("started") == "ok" for m in sstate["messages"]), sstate
            assert {"on": True, "reason": None} in sstate["webrtcState"], sstate
            assert {t["kind"] for t in sstate["remoteTracks"] if t["on"]} >= {"audio", "video"}

            for driver in (sub, pub):
                driver.execute_async_script("""
                    const done = arguments[arguments.length - 1];
                    window.e2e.janus.destroy({success: () => done(true), error: (e) => done(String(e))});""")
                assert driver.execute_script(PAGE_STATE)["destroyed"] is True
    finally:
        admin.close()
