"""Bad input: malformed Janus API requests (HTTP and WebSocket) and garbage datagrams on the
media ports during a running echotest. The expected replies are what Janus 1.1.2 sends
(captured on this machine; see README.md "Observed Janus behaviour")."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import time
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from echo import AiortcEchoTest
from janus_client import JanusHttpSession, JanusWsSession, ws_connect
from stun_garbage import binding_request, garbage_datagrams, parse_response

pytestmark = pytest.mark.timeout(60)

UNKNOWN_SESSION = 1234
UNKNOWN_HANDLE = 999
ANY = object()  # reason not asserted (implementation-specific text)


@dataclass(frozen=True)
class Case:
    name: str
    level: str               # root | session | handle | unknown_session | unknown_handle
    body: Any                # dict (ids added per transport) or raw text sent as is
    http: tuple[int, Any]    # expected (code, reason) over HTTP
    ws: tuple[int, Any]      # expected (code, reason) over WebSocket
    echoes_transaction: bool = False  # the error reply carries the request's transaction


def same(code: int, reason: Any = ANY) -> tuple[tuple[int, Any], tuple[int, Any]]:
    return (code, reason), (code, reason)


CASES = [
    # Unparseable / not an object.
    Case("malformed-json", "root", "{not json", *same(454)),
    Case("scalar-json", "root", "42", *same(454)),
    # Janus quirk: the HTTP transport rejects a non-object itself (455); the WebSocket
    # transport hands it to the core, which first misses the transaction (456).
    Case("json-array", "root", "[1,2]", (455, "JSON error: not an object"),
         (456, "Missing mandatory element (transaction)")),
    Case("json-array-of-request", "root", '[{"janus":"create","transaction":"x"}]',
         (455, "JSON error: not an object"), (456, "Missing mandatory element (transaction)")),
    # Envelope.
    Case("missing-janus", "root", {"transaction": "t-nojanus"},
         *same(456, "Missing mandatory element (janus)")),
    Case("missing-transaction", "root", {"janus": "create"},
         *same(456, "Missing mandatory element (transaction)")),
    Case("janus-not-string", "root", {"janus": 5, "transaction": "t"},
         *same(467, "Invalid element type (janus should be a string)")),
    Case("transaction-not-string", "root", {"janus": "create", "transaction": 5},
         *same(467, "Invalid element type (transaction should be a string)")),
    # Verbs and paths.
    Case("unknown-verb-root", "root", {"janus": "frobnicate", "transaction": "t-verb0"},
         *same(457, "Unhandled request 'frobnicate' at this path"), echoes_transaction=True),
    Case("unknown-verb-session", "session", {"janus": "frobnicate", "transaction": "t-verb1"},
         *same(453, "Unknown request 'frobnicate'"), echoes_transaction=True),
    Case("message-without-handle", "session", {"janus": "message", "body": {}, "transaction": "t-m"},
         *same(457, "Unhandled request 'message' at this path"), echoes_transaction=True),
    Case("attach-on-handle", "handle",
         {"janus": "attach", "plugin": "janus.plugin.echotest", "transaction": "t-ah"},
         *same(457, "Unhandled request 'attach' at this path"), echoes_transaction=True),
    # Unknown ids.
    Case("unknown-session", "unknown_session", {"janus": "keepalive", "transaction": "t-us"},
         *same(458, f"No such session {UNKNOWN_SESSION}"), echoes_transaction=True),
    Case("unknown-session-attach", "unknown_session",
         {"janus": "attach", "plugin": "janus.plugin.echotest", "transaction": "t-usa"},
         *same(458, f"No such session {UNKNOWN_SESSION}"), echoes_transaction=True),
    Case("unknown-handle", "unknown_handle", {"janus": "message", "body": {}, "transaction": "t-uh"},
         *same(459, "No such handle {H} in session {S}"), echoes_transaction=True),
    Case("unknown-handle-detach", "unknown_handle", {"janus": "detach", "transaction": "t-uhd"},
         *same(459, "No such handle {H} in session {S}"), echoes_transaction=True),
    # Plugins.
    Case("unknown-plugin", "session",
         {"janus": "attach", "plugin": "janus.plugin.nope", "transaction": "t-up"},
         *same(460, "No such plugin 'janus.plugin.nope'"), echoes_transaction=True),
    Case("attach-without-plugin", "session", {"janus": "attach", "transaction": "t-np"},
         *same(456, "Missing mandatory element (plugin)"), echoes_transaction=True),
    # Handle-level message/trickle/jsep validation.
    Case("message-without-body", "handle", {"janus": "message", "transaction": "t-nb"},
         *same(456, "Missing mandatory element (body)"), echoes_transaction=True),
    Case("message-body-not-object", "handle", {"janus": "message", "body": [], "transaction": "t-bo"},
         *same(467, "Invalid element type (body should be an object)"), echoes_transaction=True),
    Case("jsep-not-object", "handle",
         {"janus": "message", "body": {}, "jsep": "x", "transaction": "t-jo"},
         *same(455, "Invalid jsep object"), echoes_transaction=True),
    Case("jsep-unknown-type", "handle",
         {"janus": "message", "body": {}, "jsep": {"type": "pranswer", "sdp": "v=0\r\n"},
          "transaction": "t-jt"},
         *same(464, "JSEP error: unknown message type 'pranswer'"), echoes_transaction=True),
    Case("jsep-garbage-sdp", "handle",
         {"janus": "message", "body": {}, "jsep": {"type": "offer", "sdp": "garbage"},
          "transaction": "t-js"},
         *same(465), echoes_transaction=True),
    Case("trickle-without-candidate", "handle", {"janus": "trickle", "transaction": "t-tc"},
         *same(456, "Missing mandatory element (candidate|candidates)"), echoes_transaction=True),
]


# ---------------------------------------------------------------------------------------
# Transports for raw requests
# ---------------------------------------------------------------------------------------

class RawHttp:
    def __init__(self, server):
        self.base = server.http_url

    def send(self, path: str, body: Any) -> dict:
        data = body if isinstance(body, str) else json.dumps(body)
        resp = requests.post(self.base + path, data=data, timeout=10,
                             headers={"Content-Type": "application/json"})
        # Janus API errors are always HTTP 200 with a JSON body (janus.js treats
        # any other status as a transport failure).
        assert resp.status_code == 200, (resp.status_code, resp.text)
        assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
        return resp.json()

    def request(self, case: Case, sid: int | None, hid: int | None) -> dict:
        path = {"root": "", "session": f"/{sid}", "handle": f"/{sid}/{hid}",
                "unknown_session": f"/{UNKNOWN_SESSION}",
                "unknown_handle": f"/{sid}/{UNKNOWN_HANDLE}"}[case.level]
        return self.send(path, case.body)

    def close(self) -> None:
        pass


class RawWs:
    def __init__(self, server):
        self.ws = ws_connect(server.ws_url, subprotocols=["janus-protocol"])

    def send(self, body: Any) -> dict:
        self.ws.send(body if isinstance(body, str) else json.dumps(body))
        # Only direct replies are expected here (no session of this connection has events).
        return json.loads(self.ws.recv(timeout=5))

    def request(self, case: Case, sid: int | None, hid: int | None) -> dict:
        body = case.body
        if isinstance(body, dict):
            body = dict(body)
            ids = {"root": {}, "session": {"session_id": sid},
                   "handle": {"session_id": sid, "handle_id": hid},
                   "unknown_session": {"session_id": UNKNOWN_SESSION},
                   "unknown_handle": {"session_id": sid, "handle_id": UNKNOWN_HANDLE}}[case.level]
            body.update(ids)
        return self.send(body)

    def ping(self) -> dict:
        return self.send({"janus": "ping", "transaction": "still-there"})

    def close(self) -> None:
        self.ws.close()


def assert_healthy(server, transport: str) -> None:
    """A fresh session can still be created and used end to end."""
    client = JanusHttpSession(server.http_url) if transport == "http" else JanusWsSession(server.ws_url)
    with client:
        sid = client.create()
        hid = client.attach("janus.plugin.echotest")
        assert client.keepalive()["session_id"] == sid
        assert client.detach(hid)["janus"] == "success"
        assert client.destroy()["janus"] == "success"


@pytest.mark.parametrize("transport", ["http", "ws"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_request(server, transport: str, case: Case) -> None:
    raw = RawHttp(server) if transport == "http" else RawWs(server)
    sid = hid = None
    try:
        if case.level != "root" and case.level != "unknown_session":
            create = {"janus": "create", "transaction": "setup-c"}
            sid = (raw.send("", create) if transport == "http" else raw.send(create))["data"]["id"]
            if case.level == "handle":
                attach = {"janus": "attach", "plugin": "janus.plugin.echotest", "transaction": "setup-a"}
                reply = (raw.send(f"/{sid}", attach) if transport == "http"
                         else raw.send({**attach, "session_id": sid}))
                hid = reply["data"]["id"]

        reply = raw.request(case, sid, hid)
        code, reason = case.http if transport == "http" else case.ws
        assert reply.get("janus") == "error", reply
        assert reply["error"]["code"] == code, reply
        if reason is not ANY:
            expected = reason.replace("{S}", str(sid)).replace("{H}", str(UNKNOWN_HANDLE))
            assert reply["error"]["reason"] == expected, reply
        if case.echoes_transaction:
            assert reply.get("transaction") == case.body["transaction"], reply
        if case.level == "unknown_session":
            assert reply.get("session_id") == UNKNOWN_SESSION, reply
        elif case.level in ("session", "handle", "unknown_handle"):
            assert reply.get("session_id") == sid, reply

        if transport == "ws":
            # The connection survives bad input.
            assert raw.ping() == {"janus": "pong", "transaction": "still-there"}
        if sid is not None:
            destroy = {"janus": "destroy", "transaction": "setup-d"}
            reply = (raw.send(f"/{sid}", destroy) if transport == "http"
                     else raw.send({**destroy, "session_id": sid}))
            assert reply.get("janus") == "success", reply
    finally:
        raw.close()
    assert_healthy(server, transport)


# ---------------------------------------------------------------------------------------
# Transport-specific bad input
# ---------------------------------------------------------------------------------------

def test_http_empty_body(server) -> None:
    """Janus 1.1.2 closes the connection without any response to an empty POST body;
    a 454 error reply is accepted as well."""
    try:
        resp = requests.post(server.http_url, data=b"", timeout=10)
    except requests.ConnectionError:
        pass
    else:
        assert resp.status_code == 200, (resp.status_code, resp.text)
        assert resp.json()["error"]["code"] == 454, resp.text
    assert_healthy(server, "http")


def test_http_long_poll_unknown_session(server) -> None:
    resp = requests.get(f"{server.http_url}/{UNKNOWN_SESSION}", params={"maxev": 1}, timeout=10)
    assert resp.status_code == 404
    assert_healthy(server, "http")


def test_http_conflicting_ids(server) -> None:
    raw = RawHttp(server)
    sid = raw.send("", {"janus": "create", "transaction": "c"})["data"]["id"]
    hid = raw.send(f"/{sid}", {"janus": "attach", "plugin": "janus.plugin.echotest",
                               "transaction": "a"})["data"]["id"]
    reply = raw.send(f"/{sid}", {"janus": "keepalive", "session_id": sid + 1, "transaction": "k"})
    assert reply["error"]["code"] == 457, reply
    assert reply["error"]["reason"] == "Conflicting session ID (payload and path)", reply
    reply = raw.send(f"/{sid}/{hid}", {"janus": "message", "handle_id": hid + 1, "body": {},
                                      "transaction": "m"})
    assert reply["error"]["code"] == 457, reply
    assert reply["error"]["reason"] == "Conflicting handle ID (payload and path)", reply
    assert raw.send(f"/{sid}", {"janus": "destroy", "transaction": "d"})["janus"] == "success"
    assert_healthy(server, "http")


def test_ws_without_subprotocol_is_refused(server) -> None:
    with pytest.raises(Exception):
        ws = ws_connect(server.ws_url)
        try:
            # If the handshake "succeeded" without janus-protocol, it must not be usable.
            ws.send(json.dumps({"janus": "ping", "transaction": "p"}))
            ws.recv(timeout=3)
        finally:
            ws.close()
    assert_healthy(server, "ws")


def test_ws_handle_without_session(server) -> None:
    raw = RawWs(server)
    try:
        reply = raw.send({"janus": "message", "handle_id": 5, "body": {}, "transaction": "t"})
        assert reply["error"]["code"] == 458, reply
        assert reply.get("transaction") == "t", reply
        assert raw.ping()["janus"] == "pong"
    finally:
        raw.close()
    assert_healthy(server, "ws")


# ---------------------------------------------------------------------------------------
# Garbage on the media ports during a running echotest
# ---------------------------------------------------------------------------------------

def test_media_port_garbage(server) -> None:
    rng = random.Random(20261125)

    async def run():
        async with AiortcEchoTest(server.http_url) as echo:
            rx = echo.received
            await rx.wait_until(lambda r: r.video_matched >= 30, 20, "30 echoed frames before garbage")
            endpoints = echo.server_udp_endpoints()
            assert endpoints, echo.answer_sdp
            server_ufrag, server_pwd, our_ufrag = echo.ice_credentials()
            assert server_ufrag and our_ufrag

            # 1. From a new 5-tuple: garbage and STUN checks with a wrong key.
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((server.ice_address, 0))
            sock.setblocking(False)
            bad_txids = set()
            for addr in endpoints:
                for datagram in garbage_datagrams(rng):
                    sock.sendto(datagram, addr)
                for username in (f"{server_ufrag}:{our_ufrag}", f"{server_ufrag}:intruder",
                                 "nosuchufrag:intruder"):
                    msg, txid = binding_request(username, b"not the right password", use_candidate=True)
                    bad_txids.add(txid)
                    sock.sendto(msg, addr)
                await asyncio.sleep(0.02)

            # 2. From the established 5-tuple itself (aiortc's nominated pair).
            nominated = echo.nominated_socket()
            if nominated is not None:
                transport, addr = nominated
                for datagram in garbage_datagrams(rng):
                    transport.sendto(datagram, addr)
                msg, txid = binding_request(f"{server_ufrag}:{our_ufrag}", b"wrong key")
                bad_txids.add(txid)
                transport.sendto(msg, addr)

            # Collect whatever the server answers on the new 5-tuple for a while.
            responses = []
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                try:
                    data, _ = sock.recvfrom(2048)
                    responses.append(data)
                except BlockingIOError:
                    await asyncio.sleep(0.05)
            sock.close()

            # 3. The echotest keeps going: 30 more of our frames come back.
            seen = rx.video_matched
            await rx.wait_until(lambda r: r.video_matched >= seen + 30, 15,
                                "30 more echoed frames after the garbage")

            # 4. Control: a check with the right key (no USE-CANDIDATE) from the new 5-tuple
            # is answered, so the silence above was a decision, not a closed port; and it
            # does not move the media away from the nominated pair.
            control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            control.bind((server.ice_address, 0))
            control.settimeout(0.5)
            control_reply = None
            try:
                for _ in range(6):
                    msg, txid = binding_request(f"{server_ufrag}:{our_ufrag}", server_pwd.encode())
                    control.sendto(msg, endpoints[0])
                    try:
                        data, _ = await asyncio.to_thread(control.recvfrom, 2048)
                    except socket.timeout:
                        continue
                    control_reply = parse_response(data)
                    if control_reply is not None and control_reply.txid == txid:
                        break
            finally:
                control.close()
            seen = rx.video_matched
            await rx.wait_until(lambda r: r.video_matched >= seen + 15, 10,
                                "15 more echoed frames after the valid check")
            return echo, responses, bad_txids, nominated is not None, control_reply

    echo, responses, bad_txids, used_nominated, control_reply = asyncio.run(
        asyncio.wait_for(run(), timeout=50))
    assert control_reply is not None and control_reply.is_success, \
        f"a Binding request with the right credentials got no success response: {control_reply}"
    print(f"\nreceived: {echo.received.summary()}; {len(responses)} datagrams answered on the new "
          f"5-tuple; garbage sent from the nominated pair too: {used_nominated}")

    for data in responses:
        stun = parse_response(data)
        assert stun is not None, f"non-STUN reply to garbage: {data[:40].hex()}"
        if stun.txid in bad_txids:
            assert stun.is_error and stun.error_code == 401, \
                f"wrong MESSAGE-INTEGRITY must get a 401 or silence, got {stun}"
        else:
            assert not stun.is_success, f"success response to a garbage datagram: {stun}"

    rx = echo.received
    assert rx.errors == []
    assert rx.video_stale == 0, rx.summary()
    assert not [e for e in echo.events() if e.get("janus") == "hangup"
                and e.get("reason") != "Janus API"], echo.events()
    assert server.alive()
    assert server.info()["janus"] == "server_info"
