"""Session expiry (`--session-timeout 3`): a session nobody talks to is destroyed and its
owner told; long polls keep an HTTP session alive. Janus's watchdog runs every 2 s, so
expiry is expected between 3 and ~6 s."""

from __future__ import annotations

import time

import pytest
import requests

from janus_client import JanusWsSession

pytestmark = pytest.mark.timeout(60)

TIMEOUT = 3
GRACE = 6  # watchdog granularity and scheduling


def test_ws_session_times_out(short_timeout_server) -> None:
    with JanusWsSession(short_timeout_server.ws_url) as ws:
        start = time.monotonic()
        sid = ws.create()
        ws.attach("janus.plugin.echotest")
        ev = ws.wait_janus("timeout", timeout=TIMEOUT + GRACE)
        elapsed = time.monotonic() - start
        assert ev == {"janus": "timeout", "session_id": sid}, ev
        assert elapsed >= TIMEOUT - 0.5, f"expired after {elapsed:.1f}s"
        # The session is gone; the socket stays open (janus.js closes it itself).
        reply = ws.request("keepalive")
        assert reply["error"] == {"code": 458, "reason": f"No such session {sid}"}, reply
        assert not ws.closed.is_set()


def test_ws_keepalive_keeps_session(short_timeout_server) -> None:
    with JanusWsSession(short_timeout_server.ws_url) as ws:
        sid = ws.create()
        deadline = time.monotonic() + TIMEOUT + GRACE
        while time.monotonic() < deadline:
            assert ws.keepalive()["session_id"] == sid
            time.sleep(1)
        assert not [e for e in ws.events.all() if e.get("janus") == "timeout"]
        assert ws.destroy()["janus"] == "success"


def test_http_session_times_out_without_polling(short_timeout_server) -> None:
    base = short_timeout_server.http_url
    sid = requests.post(base, json={"janus": "create", "transaction": "c"}, timeout=10).json()["data"]["id"]
    time.sleep(TIMEOUT + GRACE)
    reply = requests.post(f"{base}/{sid}", json={"janus": "keepalive", "transaction": "k"},
                          timeout=10).json()
    assert reply["error"]["code"] == 458, reply
    assert requests.get(f"{base}/{sid}", params={"maxev": 1}, timeout=10).status_code == 404


def test_http_long_poll_counts_as_activity(short_timeout_server) -> None:
    """Each long-poll GET refreshes the session when it arrives (Janus turns it into a
    keepalive). A GET that is *held* does not: with a timeout shorter than the 30 s hold,
    the session expires under a waiting poll, which then gets the `timeout` event."""
    base = short_timeout_server.http_url
    http = requests.Session()
    sid = http.post(base, json={"janus": "create", "transaction": "c"}, timeout=10).json()["data"]["id"]
    deadline = time.monotonic() + TIMEOUT + GRACE
    while time.monotonic() < deadline:
        try:
            http.get(f"{base}/{sid}", params={"maxev": 1}, timeout=1)
        except requests.Timeout:
            pass  # nothing to deliver; the GET still counted as activity
    reply = http.post(f"{base}/{sid}", json={"janus": "keepalive", "transaction": "k"}, timeout=10).json()
    assert reply == {"janus": "ack", "session_id": sid, "transaction": "k"}, reply

    http.post(f"{base}/{sid}", json={"janus": "destroy", "transaction": "d"}, timeout=10)

    # A held poll on a fresh session (the aborted GETs above may still be parked on the
    # server and would take the event): the session expires under it, and the poll
    # delivers `timeout`.
    http.close()
    http = requests.Session()
    sid = http.post(base, json={"janus": "create", "transaction": "c2"}, timeout=10).json()["data"]["id"]
    start = time.monotonic()
    resp = http.get(f"{base}/{sid}", params={"maxev": 1}, timeout=TIMEOUT + GRACE + 5)
    elapsed = time.monotonic() - start
    assert resp.status_code == 200, resp.status_code
    assert resp.json() == {"janus": "timeout", "session_id": sid}, resp.text
    assert elapsed < TIMEOUT + GRACE, elapsed
