"""The limits a deployment sets (sfu-server flags), each hit on the wire with its error: sessions
(472), handles per session (461), VideoRoom rooms (499) and participants per room (432), requests
a second per connection (490, HTTP and WebSocket), concurrent connections (closed at accept), and
STUN error responses per source address during a live call (rate-limited, the call unharmed)."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
import requests

from conftest import _make_server, server_kind
from echo import AiortcEchoTest
from janus_client import JanusWsSession, new_transaction, ws_connect
from stun_garbage import binding_request, parse_response

pytestmark = pytest.mark.timeout(90)

LIMIT_FLAGS = ["--max-sessions", "4", "--max-handles-per-session", "2", "--max-rooms", "3",
               "--max-participants-per-room", "2", "--max-requests-per-second", "20",
               "--max-connections", "8"]


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory):
    if server_kind() != "swift":
        pytest.skip("swift-sfu's own limits (Janus has none of these)")
    srv = _make_server(tmp_path_factory.mktemp("server-limits"), name="-limits",
                       media_ports=(40800, 40900), extra_args=LIMIT_FLAGS)
    srv.start()
    yield srv
    srv.stop()


def metric(srv, name: str, **labels: str) -> float:
    text = requests.get(f"http://127.0.0.1:{srv.http_port}/metrics", timeout=5).text
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Http:
    """One keep-alive connection: the request budget is per connection."""

    def __init__(self, srv):
        self.base = srv.http_url
        self.http = requests.Session()

    def post(self, path: str, body: dict) -> dict:
        body.setdefault("transaction", new_transaction())
        return self.http.post(self.base + path, json=body, timeout=5).json()

    def close(self) -> None:
        self.http.close()


def test_sessions_and_handles(limited) -> None:
    client = Http(limited)
    sids = []
    try:
        for _ in range(4):
            reply = client.post("", {"janus": "create"})
            assert reply["janus"] == "success", reply
            sids.append(reply["data"]["id"])
        refused = client.post("", {"janus": "create"})
        assert refused["janus"] == "error"
        assert refused["error"] == {"code": 472, "reason": "Maximum number of sessions (4) reached"}

        sid = sids[0]
        for _ in range(2):
            assert client.post(f"/{sid}", {"janus": "attach", "plugin": "janus.plugin.echotest"})["janus"] == "success"
        third = client.post(f"/{sid}", {"janus": "attach", "plugin": "janus.plugin.echotest"})
        assert third["error"]["code"] == 461, third
        assert "maximum number of handles per session (2)" in third["error"]["reason"]
        assert metric(limited, "sfu_janus_limit_actions_total", limit="sessions") >= 1
        assert metric(limited, "sfu_janus_limit_actions_total", limit="handles_per_session") >= 1
    finally:
        for sid in sids:
            client.post(f"/{sid}", {"janus": "destroy"})
        client.close()
    # Room again once they are gone.
    again = Http(limited)
    reply = again.post("", {"janus": "create"})
    assert reply["janus"] == "success"
    again.post(f"/{reply['data']['id']}", {"janus": "destroy"})
    again.close()


def test_rooms_and_participants_per_room(limited) -> None:
    sessions = [JanusWsSession(limited.ws_url) for _ in range(3)]
    try:
        handles = []
        for s in sessions:
            s.create()
            handles.append(s.attach("janus.plugin.videoroom"))
        admin, admin_handle = sessions[0], handles[0]
        # The demo room counts: two more fit under --max-rooms 3.
        created = []
        for room in (5551, 5552, 5553):
            reply = admin.message(admin_handle, {"request": "create", "room": room})
            created.append(reply["plugindata"]["data"])
        assert [c.get("videoroom") for c in created[:2]] == ["created", "created"], created
        assert created[2]["error_code"] == 499, created[2]
        assert created[2]["error"] == "Maximum number of rooms (3) reached"

        # --max-participants-per-room 2: the third join into room 5551 answers 432.
        def join(i: int) -> dict:
            s, h = sessions[i], handles[i]
            tx = new_transaction()
            reply = s._request({"janus": "message", "transaction": tx, "handle_id": h,
                                "body": {"request": "join", "ptype": "publisher", "room": 5551,
                                         "display": f"p{i}"}})
            assert reply["janus"] == "ack", reply
            return s.wait_event(lambda e: e.get("transaction") == tx, timeout=5)["plugindata"]["data"]
        assert join(1)["videoroom"] == "joined"
        assert join(2)["videoroom"] == "joined"
        extra = JanusWsSession(limited.ws_url)
        sessions.append(extra)
        extra.create()
        extra_handle = extra.attach("janus.plugin.videoroom")
        handles.append(extra_handle)
        full = join(3)
        assert full["error_code"] == 432, full
        assert full["error"] == "Maximum number of participants (2) already reached"
    finally:
        for room in (5551, 5552):
            try:
                sessions[0].message(handles[0], {"request": "destroy", "room": room})
            except Exception:
                pass
        for s in sessions:
            s.close()


def test_request_rate_per_connection(limited) -> None:
    # HTTP keep-alive: 100 pings as fast as they go; 20 a second with a burst of 40.
    client = Http(limited)
    replies = [client.post("", {"janus": "ping"}) for _ in range(100)]
    client.close()
    pongs = sum(1 for r in replies if r["janus"] == "pong")
    refused = [r for r in replies if r["janus"] == "error"]
    assert 40 <= pongs < 100, pongs
    assert refused and all(r["error"]["code"] == 490 for r in refused)
    assert refused[0]["error"]["reason"] == "Too many requests (limit 20 a second per connection)"

    # WebSocket: 100 pings in one message.
    ws = ws_connect(limited.ws_url, subprotocols=["janus-protocol"])
    try:
        ws.send("".join('{"janus":"ping","transaction":"p%d"}' % i for i in range(100)))
        import json
        answers = [json.loads(ws.recv(timeout=5)) for _ in range(100)]
    finally:
        ws.close()
    ws_pongs = sum(1 for a in answers if a["janus"] == "pong")
    assert 40 <= ws_pongs <= 45, ws_pongs
    assert all(a["error"]["code"] == 490 for a in answers if a["janus"] != "pong")
    # A new connection has its own budget.
    fresh = Http(limited)
    assert fresh.post("", {"janus": "ping"})["janus"] == "pong"
    fresh.close()
    assert metric(limited, "sfu_janus_limit_actions_total", limit="request_rate") >= 100 - pongs


def test_concurrent_connections(limited) -> None:
    # --max-connections 8 over both listeners: of 12 idle connections, the surplus is closed at
    # once (other tests' connections may still hold a few places, so count what stays open).
    socks = []
    try:
        for i in range(12):
            s = socket.create_connection(("127.0.0.1", limited.ws_port if i % 2 else limited.http_port))
            socks.append(s)
        time.sleep(0.5)
        open_ones = []
        for s in socks:
            s.settimeout(0.2)
            try:
                closed = s.recv(1) == b""
            except socket.timeout:
                closed = False
            except ConnectionResetError:
                closed = True
            if not closed:
                open_ones.append(s)
        assert len(open_ones) <= 8, len(open_ones)
        assert len(open_ones) < len(socks)
    finally:
        for s in socks:
            s.close()
    # Once they are gone, connections are served again.
    deadline = time.monotonic() + 5
    while True:
        try:
            assert limited.info(timeout=2)["janus"] == "server_info"
            break
        except (requests.RequestException, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert metric(limited, "sfu_janus_limit_actions_total", limit="connections") >= 4


def test_stun_error_responses_are_rate_limited_per_source(limited) -> None:
    async def run():
        async with AiortcEchoTest(limited.http_url) as echo:
            rx = echo.received
            await rx.wait_until(lambda r: r.video_matched >= 20, 20, "20 echoed frames first")
            endpoint = echo.server_udp_endpoints()[0]
            server_ufrag, server_pwd, our_ufrag = echo.ice_credentials()
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((limited.ice_address, 0))
            sock.setblocking(False)
            # 1000 forged checks (right ufrags, wrong key) over ~2 s, each worth a 401.
            answers = 0
            started = time.monotonic()
            for i in range(1000):
                msg, _ = binding_request(f"{server_ufrag}:{our_ufrag}", b"wrong key")
                sock.sendto(msg, endpoint)
                if i % 50 == 49:
                    await asyncio.sleep(0.1)
                while True:
                    try:
                        data, _ = sock.recvfrom(2048)
                    except BlockingIOError:
                        break
                    reply = parse_response(data)
                    assert reply is not None and reply.is_error and reply.error_code == 401
                    answers += 1
            await asyncio.sleep(0.5)
            while True:
                try:
                    sock.recvfrom(2048)
                    answers += 1
                except BlockingIOError:
                    break
            elapsed = time.monotonic() - started
            sock.close()
            # The call goes on.
            seen = rx.video_matched
            await rx.wait_until(lambda r: r.video_matched >= seen + 20, 10, "20 more frames after")
            return answers, elapsed
    answers, elapsed = asyncio.run(asyncio.wait_for(run(), timeout=60))
    print(f"\n1000 forged STUN checks in {elapsed:.1f} s: {answers} error responses")
    # 5 a second per source after a burst of 10.
    assert 1 <= answers <= 10 + 5 * (elapsed + 1), answers
    assert metric(limited, "sfu_media_stun_errors_suppressed_total") >= 1000 - answers - 5
