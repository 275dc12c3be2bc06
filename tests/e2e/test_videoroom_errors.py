"""Every VideoRoom error code a client can provoke, over HTTP, with Janus's exact code and
reason inside plugindata: `{"videoroom":"event","error_code":N,"error":"…"}`.

Synchronous requests carry the error in the `success` reply; asynchronous ones in the
`event` with the request's transaction (after an `ack`). Which of the two a case gets is
asserted too (`via`).

Not reachable from a client through the Janus core (the core rejects the message first):
421 "No message??" (a `message` without `body` → core 456) and 422 "JSON error: not an
object" (a non-object `body` → core 467). 499 is internal; 438 needs e2ee publishers.
431 "Only publishers send offers": an offer on a subscriber handle is refused by the core
first (490 "Error setting ICE locally"). Janus 1.1.2 has no "Can't send an offer to create
subscribers" (423) check: a subscriber `join` carrying a jsep offer is answered `attached`
with the server's own offer (the jsep is ignored).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Callable

import pytest
from aiortc import RTCPeerConnection

from janus_client import JanusHttpSession
from videoroom import AiortcPublisher, VideoRoomHandle, create_room, new_room_id, plugin_data

pytestmark = pytest.mark.timeout(60)

SECRET = "adm1n"
NO_ROOM = 4242


class LoopThread:
    """An asyncio loop in a thread, for the aiortc peers a sync test needs."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class Env:
    """What a case may use: an HTTP session, rooms, handles, offers, a live publisher."""

    def __init__(self, url: str):
        self.url = url
        self.janus = JanusHttpSession(url)
        self.janus.create()
        self.admin = VideoRoomHandle(janus=self.janus)
        self.room = create_room(self.admin, secret=SECRET, publishers=1)
        self.loop: LoopThread | None = None
        self.publishers: list[AiortcPublisher] = []
        self.pcs: list[RTCPeerConnection] = []
        self.last_id: int | None = None

    def handle(self) -> VideoRoomHandle:
        return VideoRoomHandle(janus=self.janus)

    def joined_publisher(self, **extra) -> tuple[VideoRoomHandle, dict]:
        h = self.handle()
        data = plugin_data(h.call({"request": "join", "ptype": "publisher", "room": self.room,
                                   **extra}))
        assert data.get("videoroom") == "joined", data
        return h, data

    def _loop(self) -> LoopThread:
        if self.loop is None:
            self.loop = LoopThread()
        return self.loop

    def offer(self) -> dict:
        """A real (aiortc) audio+video offer, not meant to be completed."""
        async def make() -> str:
            pc = RTCPeerConnection()
            self.pcs.append(pc)
            pc.addTransceiver("audio", direction="sendonly")
            pc.addTransceiver("video", direction="sendonly")
            await pc.setLocalDescription(await pc.createOffer())
            return pc.localDescription.sdp
        return {"type": "offer", "sdp": self._loop().run(make()), "trickle": False}

    def live_publisher(self) -> AiortcPublisher:
        """A publisher with media up (webrtcup) in self.room."""
        pub = AiortcPublisher(self.url, self.room, "live", 0)
        self.publishers.append(pub)
        self._loop().run(pub.start())
        return pub

    def close(self) -> None:
        if self.loop is not None:
            for pub in self.publishers:
                try:
                    self.loop.run(pub.close(), timeout=10)
                except Exception:
                    pass
            for pc in self.pcs:
                try:
                    self.loop.run(pc.close(), timeout=5)
                except Exception:
                    pass
            self.loop.stop()
        try:
            self.janus.request("destroy", timeout=5)
        finally:
            self.janus.close()


@dataclass
class Case:
    name: str
    code: int
    reason: str | Callable[[Env], str]
    via: str                       # "success" (synchronous) or "event" (after an ack)
    run: Callable[[Env], dict]     # returns the whole reply/event message


def _sync(env: Env, body: dict) -> dict:
    return env.admin.send(body)


def _unknown_request(env: Env) -> dict:
    return _sync(env, {"request": "frobnicate"})


def _join_first(env: Env) -> dict:
    return env.handle().call({"request": "configure", "bitrate": 1000})


def _already_joined(env: Env) -> dict:
    h, _ = env.joined_publisher()
    return h.call({"request": "join", "ptype": "publisher", "room": env.room})


def _already_subscriber(env: Env) -> dict:
    pub = env.live_publisher()
    h = env.handle()
    data = plugin_data(h.call({"request": "join", "ptype": "subscriber", "room": env.room,
                               "streams": [{"feed": pub.id}]}))
    assert data.get("videoroom") == "attached", data
    return h.call({"request": "join", "ptype": "subscriber", "room": env.room,
                   "streams": [{"feed": pub.id}]})


def _rejoin_after_leave(env: Env) -> dict:
    h, _ = env.joined_publisher()
    data = plugin_data(h.call({"request": "leave"}))
    assert data.get("leaving") == "ok", data
    return h.call({"request": "join", "ptype": "publisher", "room": env.room})


def _no_such_room_join(env: Env) -> dict:
    return env.handle().call({"request": "join", "ptype": "publisher", "room": NO_ROOM})


def _no_such_room_destroy(env: Env) -> dict:
    return _sync(env, {"request": "destroy", "room": NO_ROOM, "secret": SECRET})


def _room_exists(env: Env) -> dict:
    return _sync(env, {"request": "create", "room": env.room})


def _no_such_feed(env: Env) -> dict:
    return env.handle().call({"request": "join", "ptype": "subscriber", "room": env.room,
                              "streams": [{"feed": NO_ROOM}]})


def _feed_not_publishing(env: Env) -> dict:
    _, joined = env.joined_publisher()
    env.last_id = joined["id"]
    return env.handle().call({"request": "join", "ptype": "subscriber", "room": env.room,
                              "streams": [{"feed": joined["id"]}]})


def _no_such_user_kick(env: Env) -> dict:
    return _sync(env, {"request": "kick", "room": env.room, "secret": SECRET, "id": NO_ROOM})


def _missing_room(env: Env) -> dict:
    return env.handle().call({"request": "join", "ptype": "publisher"})


def _missing_ptype(env: Env) -> dict:
    return env.handle().call({"request": "join", "room": env.room})


def _missing_request(env: Env) -> dict:
    return _sync(env, {"room": env.room})


def _missing_secret(env: Env) -> dict:
    return _sync(env, {"request": "destroy", "room": env.room})


def _invalid_ptype(env: Env) -> dict:
    return env.handle().call({"request": "join", "ptype": "watcher", "room": env.room})


def _invalid_room_type(env: Env) -> dict:
    return _sync(env, {"request": "exists", "room": "abc"})


def _invalid_videocodec(env: Env) -> dict:
    return _sync(env, {"request": "create", "room": new_room_id(), "videocodec": "theora"})


def _publishers_full(env: Env) -> dict:
    env.live_publisher()
    h, _ = env.joined_publisher()
    return h.call({"request": "publish"}, env.offer())


def _wrong_secret(env: Env) -> dict:
    return _sync(env, {"request": "destroy", "room": env.room, "secret": "nope"})


def _wrong_pin(env: Env) -> dict:
    room = create_room(env.admin, pin="right")
    env.last_id = room
    return env.handle().call({"request": "join", "ptype": "publisher", "room": room, "pin": "no"})


def _already_published(env: Env) -> dict:
    pub = env.live_publisher()
    return pub.vr.call({"request": "publish"}, env.offer())


def _not_published(env: Env) -> dict:
    h, _ = env.joined_publisher()
    return h.call({"request": "unpublish"})


def _id_exists(env: Env) -> dict:
    _, joined = env.joined_publisher(id=777001)
    return env.handle().call({"request": "join", "ptype": "publisher", "room": env.room,
                              "id": 777001})


def _nothing_to_offer(env: Env) -> dict:
    # Legacy subscribe form with every media kind switched off: no stream left to offer.
    pub = env.live_publisher()
    return env.handle().call({"request": "join", "ptype": "subscriber", "room": env.room,
                              "feed": pub.id, "offer_audio": False, "offer_video": False,
                              "offer_data": False})


CASES = [
    Case("unknown-request", 423, "Unknown request 'frobnicate'", "success", _unknown_request),
    Case("join-first", 424, "Invalid request on unconfigured participant", "event", _join_first),
    Case("already-joined", 425, "Already in as a publisher on this handle", "event", _already_joined),
    Case("already-subscriber", 425, "Already in as a subscriber on this handle", "event",
         _already_subscriber),
    Case("rejoin-after-leave", 425, "Not in a room (create a new handle)", "event", _rejoin_after_leave),
    Case("no-such-room-join", 426, f"No such room ({NO_ROOM})", "event", _no_such_room_join),
    Case("no-such-room-destroy", 426, f"No such room ({NO_ROOM})", "success", _no_such_room_destroy),
    Case("room-exists", 427, lambda env: f"Room {env.room} already exists", "success", _room_exists),
    Case("no-such-feed", 428, f"No such feed ({NO_ROOM})", "event", _no_such_feed),
    Case("feed-not-publishing", 428, lambda env: f"No such feed ({env.last_id})", "event",
         _feed_not_publishing),
    Case("no-such-user", 428, lambda env: f"No such user {NO_ROOM} in room {env.room}", "success",
         _no_such_user_kick),
    Case("missing-room", 429, "Missing mandatory element (room)", "event", _missing_room),
    Case("missing-ptype", 429, "Missing mandatory element (ptype)", "event", _missing_ptype),
    Case("missing-request", 429, "Missing mandatory element (request)", "success", _missing_request),
    Case("missing-secret", 429, "Missing mandatory element (secret)", "success", _missing_secret),
    Case("invalid-ptype", 430, "Invalid element (ptype)", "event", _invalid_ptype),
    Case("invalid-room-type", 430, "Invalid element type (room should be a positive integer)",
         "success", _invalid_room_type),
    Case("invalid-videocodec", 430,
         "Invalid element (videocodec can only be or contain vp8, vp9, av1, h264 or h265)",
         "success", _invalid_videocodec),
    Case("publishers-full", 432, "Maximum number of publishers (1) already reached", "event",
         _publishers_full),
    Case("wrong-secret", 433, "Unauthorized (wrong secret)", "success", _wrong_secret),
    Case("wrong-pin", 433, "Unauthorized (wrong pin)", "event", _wrong_pin),
    Case("already-published", 434, "Can't publish, already published", "event", _already_published),
    Case("not-published", 435, "Can't unpublish, not published", "event", _not_published),
    Case("id-exists", 436, "User ID 777001 already exists", "event", _id_exists),
    Case("nothing-to-offer", 437, "Can't offer an SDP with no stream", "event", _nothing_to_offer),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_videoroom_error_code(server, case: Case) -> None:
    env = Env(server.http_url)
    try:
        msg = case.run(env)
        data = plugin_data(msg)
        print(f"\n{case.name}: janus={msg.get('janus')} data={data}")
        reason = case.reason(env) if callable(case.reason) else case.reason
        assert msg.get("janus") == case.via, msg
        assert msg["plugindata"]["plugin"] == "janus.plugin.videoroom", msg
        assert data == {"videoroom": "event", "error_code": case.code, "error": reason}, msg
        # (An "event" here was matched to the ack by its transaction: see VideoRoomHandle.call.)
        assert "jsep" not in msg, msg
    finally:
        env.close()
