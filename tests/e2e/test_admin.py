"""The Janus Admin API on the wire (swift-sfu's `--admin-http`), with live aiortc
PeerConnections: `handle_info` of a VideoRoom publisher and subscriber, the actions
(`hangup_webrtc`, `detach_handle`, `destroy_session`), token authentication driven through
`add_token`/`remove_token`; and the same requests sent to Janus 1.1.2, compared field by field."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import shutil
import time

import pytest
import requests

from conftest import (ARTIFACTS, ServerUnderTest, _swift_argv, free_tcp_port, server_kind)
from echo import AiortcEchoTest
from janus_client import JanusHttpSession, JanusWsSession
from janus_config import write_janus_config
from videoroom import AiortcPublisher, AiortcSubscriber, VideoRoomHandle, create_room

pytestmark = pytest.mark.timeout(90)

SECRET = "adm-secret-e2e"
ADMIN_KEY = "vr-admin-key-e2e"
UNAUTHORIZED = {"code": 403, "reason": "Unauthorized request (wrong or missing secret/token)"}


class AdminClient:
    def __init__(self, port: int, secret: str | None = SECRET) -> None:
        self.url = f"http://127.0.0.1:{port}/admin"
        self.secret = secret

    def __call__(self, verb: str, session: int | None = None, handle: int | None = None,
                 secret: bool = True, **fields) -> dict:
        body = {"janus": verb, "transaction": f"t-{verb}", **fields}
        if secret and self.secret:
            body["admin_secret"] = self.secret
        path = self.url + (f"/{session}" if session else "") + (f"/{handle}" if handle else "")
        resp = requests.post(path, json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()


def _ports(n: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < n:
        ports.add(free_tcp_port())
    return list(ports)


def _start_swift(name: str, media_ports: tuple[int, int], *extra: str):
    address = os.environ["SFU_TEST_ADDRESS"]
    http_port, ws_port, admin_port = _ports(3)
    argv = _swift_argv(http_port, ws_port, address, media_ports) + [
        "--admin-http", f"127.0.0.1:{admin_port}", *extra]
    srv = ServerUnderTest(kind="swift", http_port=http_port, ws_port=ws_port, ice_address=address,
                          media_ports=media_ports,
                          log_path=ARTIFACTS / f"swift-{name}-{time.strftime('%H%M%S')}-{os.getpid()}.log",
                          argv=argv)
    srv.start()
    return srv, admin_port


def _start_janus(tmp_path, media_ports: tuple[int, int]):
    binary = os.environ.get("JANUS_BIN", shutil.which("janus") or "/usr/bin/janus")
    if not os.access(binary, os.X_OK):
        pytest.skip("janus binary not found")
    address = os.environ["SFU_TEST_ADDRESS"]
    http_port, ws_port, admin_port = _ports(3)
    jcfg = write_janus_config(tmp_path, http=("127.0.0.1", http_port), ws=("127.0.0.1", ws_port),
                              ice_addresses=[address], media_ports=media_ports,
                              plugins=("echotest", "videoroom"),
                              admin=("127.0.0.1", admin_port), admin_secret=SECRET)
    srv = ServerUnderTest(kind="janus", http_port=http_port, ws_port=ws_port, ice_address=address,
                          media_ports=media_ports,
                          log_path=ARTIFACTS / f"janus-admin-{time.strftime('%H%M%S')}-{os.getpid()}.log",
                          argv=[binary, "-F", str(tmp_path), "-C", str(jcfg)])
    srv.start()
    return srv, admin_port


@pytest.fixture(scope="module")
def ours():
    if server_kind() != "swift":
        pytest.skip("runs swift-sfu and Janus side by side itself")
    srv, admin_port = _start_swift("admin", (41200, 41300), "--admin-secret", SECRET,
                                   "--admin-key", ADMIN_KEY)
    yield srv, AdminClient(admin_port)
    srv.stop()


def test_handle_info_of_a_live_publisher_and_subscriber(ours) -> None:
    srv, admin = ours

    async def run() -> None:
        owner = await asyncio.to_thread(VideoRoomHandle, srv.ws_url)
        room = await asyncio.to_thread(create_room, owner, admin_key=ADMIN_KEY)
        pub = AiortcPublisher(srv.ws_url, room, "pub", 0)
        sub = AiortcSubscriber(srv.ws_url, room)
        try:
            await pub.start()
            await sub.start([{"feed": pub.id}])
            video_mid = next(s["mid"] for s in sub.attached["streams"] if s["type"] == "video")
            await sub.wait_until(lambda: video_mid in sub.stats and sub.stats[video_mid].frames >= 20,
                                 20, "the publisher's video at the subscriber")
            assert admin("info", secret=False)["janus"] == "server_info"
            assert admin("list_sessions", secret=False)["error"] == UNAUTHORIZED
            sessions = admin("list_sessions")["sessions"]
            assert {pub.vr.janus.session_id, sub.vr.janus.session_id} <= set(sessions), sessions
            handles = admin("list_handles", session=pub.vr.janus.session_id)["handles"]
            assert handles == [pub.vr.handle_id]

            p = admin("handle_info", pub.vr.janus.session_id, pub.vr.handle_id)
            print("\npublisher handle_info:", p)
            info = p["info"]
            assert p["janus"] == "success" and p["handle_id"] == pub.vr.handle_id
            assert info["plugin"] == "janus.plugin.videoroom"
            assert info["session_transport"] == "janus.transport.websockets"
            assert info["plugin_specific"]["type"] == "publisher"
            assert info["plugin_specific"]["id"] == pub.id and info["plugin_specific"]["room"] == room
            w = info["webrtc"]
            assert w["ice"]["state"] == "connected"
            assert w["ice"]["selected-pair"].split(" <-> ")[1].startswith(os.environ["SFU_PEER_ADDRESS"])
            assert any(srv.ice_address in c for c in w["ice"]["local-candidates"]), w["ice"]
            assert w["dtls"]["dtls-state"] == "connected" and w["dtls"]["valid"] is True
            assert w["dtls"]["srtp-profile"].startswith("SRTP_")
            assert w["dtls"]["fingerprint"] in info["sdps"]["local"]
            kinds = {m["type"]: m for m in w["media"].values()}
            assert set(kinds) == {"audio", "video"}, w["media"]
            assert kinds["video"]["stats"]["in"]["packets"] > 0
            assert kinds["audio"]["codecs"]["codec"] == "opus"
            assert kinds["video"]["direction"] == {"send": False, "recv": True}

            s = admin("handle_info", sub.vr.janus.session_id, sub.vr.handle_id)["info"]
            print("subscriber handle_info:", s)
            assert s["plugin_specific"]["type"] == "subscriber"
            assert s["plugin_specific"]["streams"][0]["feed_id"] == pub.id
            sub_video = s["webrtc"]["media"][video_mid]
            assert sub_video["direction"] == {"send": True, "recv": False}
            assert sub_video["stats"]["out"]["packets"] >= sub.stats[video_mid].rtp_packets * 0.9

            # Actions: the subscriber's PeerConnection hung up (it hears "Admin API"), its
            # handle detached, the publisher's session destroyed.
            hung = admin("hangup_webrtc", sub.vr.janus.session_id, sub.vr.handle_id)
            assert hung == {"janus": "success", "session_id": sub.vr.janus.session_id,
                            "transaction": "t-hangup_webrtc"}
            ev = await asyncio.to_thread(sub.vr.janus.wait_janus, "hangup", sub.vr.handle_id, 10)
            assert ev.get("reason") == "Admin API", ev
            assert admin("detach_handle", sub.vr.janus.session_id, sub.vr.handle_id)["janus"] == "success"
            await asyncio.to_thread(sub.vr.janus.wait_janus, "detached", sub.vr.handle_id, 10)
            assert admin("destroy_session", pub.vr.janus.session_id)["janus"] == "success"
            assert pub.vr.janus.session_id not in admin("list_sessions")["sessions"]
        finally:
            await sub.close()
            await pub.close()
            await asyncio.to_thread(owner.close)

    asyncio.run(asyncio.wait_for(run(), timeout=80))


def _echo_handle_info(srv, admin: AdminClient) -> tuple[dict, dict]:
    """An aiortc EchoTest on `srv`; returns (handle_info reply, the other replies by name)."""

    async def run():
        async with AiortcEchoTest(srv.http_url) as echo:
            await echo.received.wait_until(lambda r: r.video_matched >= 20, 20, "echoed video")
            sid, hid = echo.session_id, echo.handle_id
            others = {
                "ping": admin("ping", secret=False),
                "unauthorized": admin("list_sessions", secret=False),
                "list_sessions": admin("list_sessions"),
                "list_handles": admin("list_handles", session=sid),
                "unknown": admin("frobnicate"),
                "no_session": admin("list_handles", session=1),
                "get_status": admin("get_status"),
            }
            return admin("handle_info", sid, hid), others, sid, hid

    info, others, sid, hid = asyncio.run(asyncio.wait_for(run(), timeout=50))
    others["ids"] = (sid, hid)
    return info, others


def _keys(value) -> set[str]:
    return set(value) if isinstance(value, dict) else set()


def test_admin_answers_compared_with_janus(ours, tmp_path) -> None:
    srv, admin = ours
    janus, janus_admin_port = _start_janus(tmp_path / "janus", (41400, 41500))
    try:
        j_info, j = _echo_handle_info(janus, AdminClient(janus_admin_port))
    finally:
        janus.stop()
    o_info, o = _echo_handle_info(srv, admin)

    # The same envelopes, codes and reasons.
    for name in ("ping", "unauthorized", "unknown", "no_session"):
        assert {k: v for k, v in o[name].items()} == j[name], (name, o[name], j[name])
    for name, key in (("list_sessions", "sessions"), ("list_handles", "handles")):
        assert o[name]["janus"] == j[name]["janus"] == "success"
        assert set(o[name]) == set(j[name]), (name, o[name], j[name])
    assert o["list_handles"]["handles"] == [o["ids"][1]]
    assert _keys(o["get_status"]["status"]) <= _keys(j["get_status"]["status"]), o["get_status"]

    # handle_info: every field we send exists in Janus's answer under the same name.
    assert set(o_info) == set(j_info) == {"janus", "session_id", "transaction", "handle_id", "info"}
    oi, ji = o_info["info"], j_info["info"]
    assert _keys(oi) - {"session_transport"} <= _keys(ji), _keys(oi) - _keys(ji)
    for part in ("ice", "dtls"):
        assert _keys(oi["webrtc"][part]) <= _keys(ji["webrtc"][part]), (part, oi["webrtc"][part], ji["webrtc"][part])
    assert {m["type"] for m in oi["webrtc"]["media"].values()} == {m["type"] for m in ji["webrtc"]["media"].values()}
    for mid, medium in oi["webrtc"]["media"].items():
        theirs = next(m for m in ji["webrtc"]["media"].values() if m["type"] == medium["type"])
        assert _keys(medium) <= _keys(theirs), (mid, _keys(medium) - _keys(theirs))
        for sub in ("ssrc", "direction", "codecs"):
            assert _keys(medium[sub]) <= _keys(theirs[sub]) | {"ssrc-rtx"}, (sub, medium[sub], theirs[sub])
        assert medium["direction"] == theirs["direction"]
        assert medium["codecs"]["codec"] == theirs["codecs"]["codec"]
    for field in ("plugin", "session_id", "handle_id"):
        assert field in oi and field in ji
    assert oi["webrtc"]["ice"]["state"] == ji["webrtc"]["ice"]["state"] == "connected"
    assert oi["webrtc"]["dtls"]["dtls-state"] == ji["webrtc"]["dtls"]["dtls-state"] == "connected"
    # Print what Janus has and we do not, for the README's list of differences.
    print("\nJanus-only handle_info fields:", sorted(_keys(ji) - _keys(oi)),
          "ice:", sorted(_keys(ji["webrtc"]["ice"]) - _keys(oi["webrtc"]["ice"])),
          "dtls:", sorted(_keys(ji["webrtc"]["dtls"]) - _keys(oi["webrtc"]["dtls"])),
          "webrtc:", sorted(_keys(ji["webrtc"]) - _keys(oi["webrtc"])))
    print("plugin_specific ours:", oi.get("plugin_specific"), "Janus:", ji.get("plugin_specific"))


def test_token_auth_through_the_admin_api(tmp_path) -> None:
    if server_kind() != "swift":
        pytest.skip("swift-sfu's own server")
    srv, admin_port = _start_swift("tokens", (41600, 41700), "--token-auth")
    admin = AdminClient(admin_port, secret=None)
    try:
        for session in (JanusHttpSession(srv.http_url), JanusWsSession(srv.ws_url)):
            reply = session.request("create", session=False)
            assert reply["janus"] == "error" and reply["error"] == UNAUTHORIZED, reply
            session.close()
        added = admin("add_token", token="tok-e2e", plugins=["janus.plugin.echotest"])
        assert added["data"] == {"plugins": ["janus.plugin.echotest"]}, added
        assert admin("list_tokens")["data"]["tokens"] == [
            {"token": "tok-e2e", "allowed_plugins": ["janus.plugin.echotest"]}]
        for session in (JanusHttpSession(srv.http_url), JanusWsSession(srv.ws_url)):
            created = session.request("create", session=False, token="tok-e2e")
            assert created["janus"] == "success", created
            session.session_id = created["data"]["id"]
            refused = session.request("attach", plugin="janus.plugin.videoroom", token="tok-e2e")
            assert refused["error"]["code"] == 405, refused
            attached = session.request("attach", plugin="janus.plugin.echotest", token="tok-e2e")
            assert attached["janus"] == "success", attached
            session.close()
        assert admin("remove_token", token="tok-e2e")["janus"] == "success"
        reply = JanusHttpSession(srv.http_url).request("create", session=False, token="tok-e2e")
        assert reply["error"] == UNAUTHORIZED
    finally:
        srv.stop()


def test_support_bundle_from_the_command_line(ours, tmp_path) -> None:
    """`sfu-server support-bundle` against the running server during a call: one readable JSON
    file with the live PeerConnection's handle_info, and none of the secrets."""
    srv, admin = ours
    room_secret, room_pin = "room-secret-e2e-77", "pin-e2e-5150"

    async def run() -> dict:
        owner = await asyncio.to_thread(VideoRoomHandle, srv.ws_url)
        try:
            await asyncio.to_thread(create_room, owner, admin_key=ADMIN_KEY, secret=room_secret, pin=room_pin)
            async with AiortcEchoTest(srv.http_url) as echo:
                await echo.received.wait_until(lambda r: r.video_matched >= 10, 20, "echoed video")
                output = tmp_path / "bundle.json"
                proc = await asyncio.to_thread(
                    subprocess.run,
                    [srv.argv[0], "support-bundle", "--admin-url", admin.url, "--admin-secret", SECRET,
                     "--output", str(output)], capture_output=True, text=True, timeout=30)
                assert proc.returncode == 0, proc.stdout + proc.stderr
                return {"text": output.read_text(), "handle": echo.handle_id}
        finally:
            await asyncio.to_thread(owner.close)

    result = asyncio.run(asyncio.wait_for(run(), timeout=60))
    text = result["text"]
    bundle = json.loads(text)
    print(f"\nbundle: {len(text)} bytes, sections {sorted(bundle)}, "
          f"{len(bundle['peerconnections'])} PeerConnection(s), {len(bundle['log'])} log lines")
    for secret in (SECRET, ADMIN_KEY, room_secret, room_pin):
        assert secret not in text, f"{secret} leaked into the bundle"
    assert "\n  " in text, "the bundle is not indented for people"
    assert bundle["configuration"]["adminSecret"] == "<redacted>"
    assert bundle["configuration"]["adminKey"] == "<redacted>"
    pcs = [pc for pc in bundle["peerconnections"] if pc["handle_id"] == result["handle"]]
    assert pcs and pcs[0]["plugin"] == "janus.plugin.echotest", bundle["peerconnections"]
    assert pcs[0]["webrtc"]["dtls"]["dtls-state"] == "connected"
    pwd_lines = [line for line in pcs[0]["sdps"]["local"].splitlines() if "ice-pwd" in line]
    assert pwd_lines and all(line == "a=ice-pwd:<redacted>" for line in pwd_lines), pwd_lines
    assert bundle["counters"]["media"]["datagramsReceived"] > 0
    assert any(line.split(" ")[1] == "debug" for line in bundle["log"]), bundle["log"][:5]
