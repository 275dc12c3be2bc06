"""Transport details janus.js (and other Janus clients) rely on: HTTP CORS, long-poll
shapes, redirects and HTTP-level statuses; WebSocket event routing and socket-close cleanup.
Expected values are Janus 1.1.2's."""

from __future__ import annotations

import pytest
import requests

import time

from janus_client import JanusHttpSession, JanusWsSession

pytestmark = pytest.mark.timeout(60)


def test_cors_preflight(server) -> None:
    resp = requests.options(server.http_url, timeout=10, headers={
        "Origin": "http://example.test",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert resp.status_code == 200
    assert resp.headers.get("Access-Control-Allow-Origin") == "*"
    assert "POST" in resp.headers.get("Access-Control-Allow-Methods", "")
    assert "content-type" in resp.headers.get("Access-Control-Allow-Headers", "").lower()
    assert resp.content == b""


def test_post_reply_headers(server) -> None:
    resp = requests.post(server.http_url, json={"janus": "ping", "transaction": "p"}, timeout=10,
                         headers={"Origin": "http://example.test"})
    assert resp.status_code == 200
    assert resp.headers.get("Content-Type", "").startswith("application/json")
    assert resp.headers.get("Access-Control-Allow-Origin") == "*"
    assert resp.json() == {"janus": "pong", "transaction": "p"}


def test_get_info(server) -> None:
    info = server.info()
    assert info["janus"] == "server_info"
    for key in ("name", "version", "version_string", "plugins", "transports"):
        assert key in info, info
    assert "janus.plugin.echotest" in info["plugins"], info["plugins"].keys()


def test_unsupported_method(server) -> None:
    resp = requests.put(server.http_url, timeout=10)
    assert resp.status_code == 200
    assert resp.json()["error"] == {"code": 450, "reason": "Unsupported method PUT"}


def test_post_to_info_is_bad_request(server) -> None:
    resp = requests.post(f"{server.http_url}/info", data="{}", timeout=10)
    assert resp.status_code == 400


def test_long_poll_shapes_and_handle_redirect(server) -> None:
    http = requests.Session()
    base = server.http_url
    sid = http.post(base, json={"janus": "create", "transaction": "c"}, timeout=10).json()["data"]["id"]
    hid = http.post(f"{base}/{sid}", json={"janus": "attach", "plugin": "janus.plugin.echotest",
                                           "transaction": "a"}, timeout=10).json()["data"]["id"]
    try:
        # GET on a handle path redirects to the session's long poll.
        resp = http.get(f"{base}/{sid}/{hid}", timeout=10, allow_redirects=False)
        assert resp.status_code == 302, resp.status_code
        assert resp.headers["Location"].endswith(f"/janus/{sid}"), resp.headers

        # Two plugin events queued (messages without jsep get an ack, then an event).
        for n in (1, 2):
            reply = http.post(f"{base}/{sid}/{hid}", json={
                "janus": "message", "body": {"audio": False}, "transaction": f"m{n}"}, timeout=10).json()
            assert reply["janus"] in ("ack", "success"), reply
            assert reply["transaction"] == f"m{n}"

        # maxev=1 (or absent): a single object.
        first = http.get(f"{base}/{sid}", params={"rid": 1, "maxev": 1}, timeout=40).json()
        assert isinstance(first, dict), first
        # maxev>=2: always an array.
        rest = http.get(f"{base}/{sid}", params={"rid": 2, "maxev": 5}, timeout=40).json()
        assert isinstance(rest, list), rest
        events = [first] + rest
        assert [e.get("transaction") for e in events] == ["m1", "m2"], events
        for e in events:
            assert e["janus"] == "event" and e["sender"] == hid and e["session_id"] == sid, e
            assert e["plugindata"]["plugin"] == "janus.plugin.echotest", e
            assert e["plugindata"]["data"] == {"echotest": "event", "result": "ok"}, e
    finally:
        http.post(f"{base}/{sid}", json={"janus": "destroy", "transaction": "d"}, timeout=10)
    # Long poll on the destroyed session: HTTP 404.
    assert http.get(f"{base}/{sid}", params={"maxev": 1}, timeout=10).status_code == 404


def test_detach_and_destroy_events(server) -> None:
    with JanusHttpSession(server.http_url) as j:
        sid = j.create()
        hid = j.attach("janus.plugin.echotest")
        reply = j.detach(hid)
        assert reply == {"janus": "success", "session_id": sid, "transaction": reply["transaction"]}
        ev = j.wait_janus("detached", hid, timeout=10)
        assert ev == {"janus": "detached", "session_id": sid, "sender": hid}, ev
        reply = j.request("message", handle_id=hid, body={})
        assert reply["error"]["code"] == 459, reply
        reply = j.destroy()
        assert reply == {"janus": "success", "session_id": sid, "transaction": reply["transaction"]}
        reply = j.request("keepalive")
        assert reply["error"] == {"code": 458, "reason": f"No such session {sid}"}, reply


def test_ws_session_lifecycle_and_close_cleanup(server) -> None:
    ws = JanusWsSession(server.ws_url)
    with ws:
        sid = ws.create()
        hid = ws.attach("janus.plugin.echotest")
        reply = ws.request("message", handle_id=hid, body={"audio": False})
        assert reply["janus"] in ("ack", "success"), reply
        tx = reply["transaction"]
        ev = ws.wait_event(lambda e: e.get("janus") == "event" and e.get("transaction") == tx, 10)
        assert ev["sender"] == hid and ev["session_id"] == sid, ev
        assert ev["plugindata"] == {"plugin": "janus.plugin.echotest",
                                    "data": {"echotest": "event", "result": "ok"}}, ev
        # A second handle, left attached when the socket closes.
        ws.attach("janus.plugin.echotest")
        reply = ws.detach(hid)
        assert reply["session_id"] == sid, reply
        ws.wait_janus("detached", hid, timeout=10)
    assert ws.closed.wait(5)
    # Closing the socket destroys its sessions (reclaim_session_timeout = 0).
    http = JanusHttpSession(server.http_url)
    http.session_id = sid
    deadline = time.monotonic() + 5
    while True:
        reply = http.request("keepalive")
        if reply.get("janus") == "error" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert reply.get("error", {}).get("code") == 458, reply
    http.close()


def test_ws_destroy_reply_matches_session_and_transaction(server) -> None:
    with JanusWsSession(server.ws_url) as ws:
        sid = ws.create()
        reply = ws.destroy()
        # janus.js over WebSocket waits for a reply with both of these before closing.
        assert reply["session_id"] == sid and reply["janus"] == "success", reply
        assert reply["transaction"], reply
