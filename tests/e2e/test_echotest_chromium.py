"""Echotest with headless Chromium and the unmodified janus.js from Debian, over WebSocket and
over HTTP (long poll; the page is on another origin, so CORS preflights are exercised)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
import time
from pathlib import Path

import pytest

from browser import CHROMEDRIVER, CHROMIUM, chromium  # noqa: F401

pytestmark = pytest.mark.timeout(60)

WEB_DIR = Path(__file__).resolve().parent / "web"
JANUS_JS = Path(os.environ.get("SFU_E2E_JANUS_JS", "/usr/share/javascript/janus-gateway/janus.js"))
ADAPTER_JS = Path(os.environ.get("SFU_E2E_ADAPTER_JS",
                                 "/usr/share/javascript/webrtc-adapter/adapter.js"))


class _PageHandler(http.server.SimpleHTTPRequestHandler):
    """Serves tests/e2e/web plus janus.js and adapter.js from their Debian paths."""

    ROUTES = {"/janus.js": JANUS_JS, "/adapter.js": ADAPTER_JS}

    def translate_path(self, path: str) -> str:
        route = self.ROUTES.get(path.split("?", 1)[0])
        if route is not None:
            return str(route)
        return super().translate_path(path)

    def log_message(self, format: str, *args) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def page_server():
    for f in (JANUS_JS, ADAPTER_JS):
        assert f.is_file(), f"{f} missing (Debian packages libjs-janus-gateway, libjs-webrtc-adapter)"
    handler = functools.partial(_PageHandler, directory=str(WEB_DIR))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="e2e-page-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def browser():
    with chromium() as driver:
        yield driver


STATS_SCRIPT = """
const done = arguments[arguments.length - 1];
const e2e = window.e2e;
if (!e2e || !e2e.pc) { done({ready: false, state: e2e ? e2e.state : null}); return; }
e2e.pc.getStats().then(stats => {
  const out = {ready: true, state: e2e.state, video: null, audio: null, pair: null};
  stats.forEach(s => {
    if (s.type === 'inbound-rtp') {
      const kind = s.kind || s.mediaType;
      out[kind] = {packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded,
                   bytesReceived: s.bytesReceived, packetsLost: s.packetsLost};
    }
    if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) {
      out.pair = {local: s.localCandidateId, remote: s.remoteCandidateId};
    }
  });
  done(out);
}).catch(err => done({ready: false, error: String(err)}));
"""


def _page_state(driver) -> dict:
    return driver.execute_script("""
        const e = window.e2e || {};
        return {state: e.state, errors: e.errors, messages: e.messages, webrtcState: e.webrtcState,
                mediaState: e.mediaState, iceState: e.iceState, remoteTracks: e.remoteTracks,
                destroyed: e.destroyed};""")


@pytest.mark.parametrize("transport", ["ws", "http"])
def test_echotest_chromium(server, page_server, browser, transport: str) -> None:
    api = server.ws_url if transport == "ws" else server.http_url
    url = f"{page_server}/echotest.html?server={api}"
    browser.get(url)
    last: dict = {}
    ok = False
    try:
        deadline = time.monotonic() + 35
        while time.monotonic() < deadline:
            last = browser.execute_async_script(STATS_SCRIPT)
            video, audio = last.get("video") or {}, last.get("audio") or {}
            if (video.get("framesDecoded") or 0) > 30 and (audio.get("packetsReceived") or 0) > 50:
                ok = True
                break
            state = _page_state(browser)
            assert not state["errors"], f"janus.js reported errors: {state}"
            time.sleep(0.5)
        state = _page_state(browser)
        print(f"\nstats: {last}\npage: {json.dumps(state)[:1500]}")
        assert ok, f"echoed media not decoded in time; stats={last}; page={state}"

        # janus.js saw the session come up the usual way.
        assert state["state"] == "answered", state
        assert {"on": True, "reason": None} in state["webrtcState"], state
        assert any(m["jsep"] == "answer" for m in state["messages"]), state
        assert any(m["msg"].get("echotest") == "event" and m["msg"].get("result") == "ok"
                   for m in state["messages"]), state
        assert {t["kind"] for t in state["remoteTracks"] if t["on"]} >= {"audio", "video"}, state

        # Clean shutdown through janus.js (destroy waits for the server's reply).
        browser.execute_async_script("""
            const done = arguments[arguments.length - 1];
            window.e2e.janus.destroy({success: () => done(true), error: (e) => done(String(e))});""")
        state = _page_state(browser)
        assert state["destroyed"] is True, state
    except BaseException:
        try:
            logs = browser.get_log("browser")
            print("browser console:\n" + "\n".join(str(entry.get("message")) for entry in logs[-60:]))
        except Exception:
            pass
        raise
