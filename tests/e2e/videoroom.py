"""VideoRoom helpers for the end-to-end tests: a thin synchronous client for one
`janus.plugin.videoroom` handle, and aiortc publishers/subscribers.

Only the Janus API is used, so the same code drives the real Janus and ours.

* `VideoRoomHandle` — one handle (on its own or a shared session): `sync()` for the
  synchronous requests (answer = `success` + plugindata), `call()` for the asynchronous
  ones (answer = `ack`, then an `event` with the same transaction), `wait()` for
  unsolicited plugin events.
* `ColourVideoTrack` — the counter pattern of media.py in the luma, plus a solid chroma
  colour per publisher (`PALETTE`), so a subscriber can tell whose video it decodes.
* `AiortcPublisher` — join as publisher, `publish` an aiortc offer (audio + video).
* `AiortcSubscriber` — join as subscriber to a list of streams in ONE PeerConnection
  (max-bundle), answer the server's offer with `start`; per subscription mid it counts
  RTP packets, retransmissions (RTX), decoded frames and their colour. It re-NACKs lost
  video packets every 50 ms and sends a PLI when a hole stays open, because aiortc on its
  own NACKs once per gap and then waits for up to 512 packets (design.md).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.codecs import is_rtx
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcconfiguration import RTCBundlePolicy

from janus_client import Json, JanusError, JanusHttpSession, JanusSessionBase, JanusWsSession
from media import HEIGHT, WIDTH, PatternVideoTrack, ToneAudioTrack, decode_pattern, encode_pattern

VIDEOROOM = "janus.plugin.videoroom"

# (U, V) chroma per publisher index: clearly apart after VP8 at low bitrates.
PALETTE: list[tuple[int, int]] = [(64, 200), (200, 64), (64, 64), (200, 200)]


def new_room_id() -> int:
    return random.randint(10_000_000, 2**40)


def session_for(url: str) -> JanusSessionBase:
    return JanusWsSession(url) if url.startswith("ws") else JanusHttpSession(url)


def plugin_data(msg: Json) -> Json:
    return ((msg.get("plugindata") or {}).get("data")) or {}


class VideoRoomHandle:
    """One videoroom handle. Thread-based and synchronous (wrap in asyncio.to_thread)."""

    def __init__(self, url: str | None = None, janus: JanusSessionBase | None = None):
        self.own_session = janus is None
        if janus is None:
            assert url is not None
            janus = session_for(url)
            janus.create()
        self.janus = janus
        self.handle_id = janus.attach(VIDEOROOM)
        self.last_reply: Json | None = None

    # -- requests -------------------------------------------------------------------------
    def send(self, body: Json, jsep: Json | None = None, timeout: float = 10) -> Json:
        """The raw reply (success / ack / error) to a `message`."""
        fields: Json = {"body": body}
        if jsep is not None:
            fields["jsep"] = jsep
        self.last_reply = self.janus.request("message", handle_id=self.handle_id,
                                             timeout=timeout, **fields)
        return self.last_reply

    def sync(self, body: Json, timeout: float = 10) -> Json:
        """A synchronous request: its plugindata.data (an error_code inside is returned too)."""
        reply = self.send(body, timeout=timeout)
        if reply.get("janus") != "success":
            raise JanusError(reply)
        return plugin_data(reply)

    def call(self, body: Json, jsep: Json | None = None, timeout: float = 15) -> Json:
        """An asynchronous request: the `event` carrying the request's transaction (whole
        message: plugindata + optional jsep). A synchronous `success` (e.g. an error raised
        before the ack) is returned as is."""
        reply = self.send(body, jsep)
        if reply.get("janus") == "success":
            return reply
        if reply.get("janus") != "ack":
            raise JanusError(reply)
        tx = reply.get("transaction")
        return self.janus.wait_event(
            lambda ev: ev.get("janus") == "event" and ev.get("sender") == self.handle_id
            and ev.get("transaction") == tx, timeout)

    def wait(self, predicate: Callable[[Json], bool], timeout: float = 10, start: int = 0) -> Json:
        """The first plugin event (its plugindata.data) for this handle that matches."""
        ev = self.janus.wait_event(
            lambda ev: ev.get("janus") == "event" and ev.get("sender") == self.handle_id
            and predicate(plugin_data(ev)), timeout, start)
        return plugin_data(ev)

    def events(self) -> list[Json]:
        """Every message received for this handle (plugin events and core events)."""
        return [ev for ev in self.janus.events.all() if ev.get("sender") == self.handle_id]

    def plugin_events(self) -> list[Json]:
        return [plugin_data(ev) for ev in self.events() if ev.get("janus") == "event"]

    def close(self) -> None:
        try:
            self.janus.request("detach", handle_id=self.handle_id, timeout=5)
        except Exception:
            pass
        if self.own_session:
            try:
                self.janus.request("destroy", timeout=5)
            except Exception:
                pass
            self.janus.close()


def create_room(admin: VideoRoomHandle, **props: Any) -> int:
    room = props.pop("room", None) or new_room_id()
    data = admin.sync({"request": "create", "room": room, **props})
    assert data.get("videoroom") == "created" and data.get("room") == room, data
    return room


# ---------------------------------------------------------------------------------------
# Media
# ---------------------------------------------------------------------------------------

class ColourVideoTrack(PatternVideoTrack):
    """PatternVideoTrack (counter in the luma) with a solid chroma colour."""

    def __init__(self, colour: tuple[int, int]) -> None:
        super().__init__()
        self.colour = colour

    async def recv(self) -> av.VideoFrame:
        frame = await super().recv()
        planes = encode_pattern(self.sent - 1)
        u, v = self.colour
        # yuv420p stacked as (H*3/2, W): rows H..H+H/4 are U, the next H/4 rows V.
        planes[HEIGHT:HEIGHT + HEIGHT // 4] = u
        planes[HEIGHT + HEIGHT // 4:] = v
        out = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        out.pts, out.time_base = frame.pts, frame.time_base
        return out


def frame_colour(frame: av.VideoFrame) -> tuple[float, float]:
    if frame.width != WIDTH or frame.height != HEIGHT:
        frame = frame.reformat(width=WIDTH, height=HEIGHT)
    planes = frame.to_ndarray(format="yuv420p")
    u = planes[HEIGHT:HEIGHT + HEIGHT // 4]
    v = planes[HEIGHT + HEIGHT // 4:]
    return float(u.mean()), float(v.mean())


def nearest_colour(uv: tuple[float, float]) -> int | None:
    """Index in PALETTE of the colour `uv` is within 30 of, else None."""
    for i, (u, v) in enumerate(PALETTE):
        if abs(uv[0] - u) < 30 and abs(uv[1] - v) < 30:
            return i
    return None


@dataclass
class StreamStats:
    """What a subscriber got on one subscription m-line."""

    mid: str
    kind: str
    rtp_packets: int = 0          # all RTP arriving on this receiver (incl. RTX)
    rtx_packets: int = 0          # retransmissions (RTX payload type)
    recovered: int = 0            # packets that filled a hole aiortc had NACKed
    nacks_sent: int = 0           # NACK packets (aiortc's own + our re-NACKs)
    renacks_sent: int = 0
    plis_sent: int = 0
    skips: int = 0                # holes given up on (jumped to a later keyframe)
    frames: int = 0               # decoded video frames / audio frames
    matched: int = 0              # video frames whose counter pattern checks out
    colours: dict[int | None, int] = field(default_factory=dict)
    audio_loud: int = 0
    last_packet: float = 0.0
    last_sequence: int | None = None   # of the media stream (not RTX)
    max_jump: int = 0             # largest step forward between consecutive media sequence numbers
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"mid={self.mid} {self.kind} rtp={self.rtp_packets} rtx={self.rtx_packets} "
                f"recovered={self.recovered} nacks={self.nacks_sent} (re {self.renacks_sent}) "
                f"plis={self.plis_sent} skips={self.skips} frames={self.frames} matched={self.matched} "
                f"colours={self.colours} errors={self.errors[:2]}")


def _mangled(obj: Any, name: str) -> Any:
    return getattr(obj, f"_RTCRtpReceiver__{name}", None)


class _ReceiverTap:
    """Counts what one aiortc RTCRtpReceiver gets and sends (tested with aiortc 1.16), and
    implements the subscriber's own loss repair: re-NACK, PLI, and skipping an unrepaired
    hole once a keyframe is behind it."""

    RENACK_AFTER = 0.04      # a hole older than this is NACKed again…
    RENACK_EVERY = 0.08      # …at most this often…
    RENACK_GIVE_UP = 1.5     # …until it is this old
    PLI_AFTER = 0.25         # a hole this old asks for a keyframe (≤ 1 PLI / s) and is
                             # skipped once a keyframe is behind it

    def __init__(self, receiver, stats: StreamStats):
        self.receiver = receiver
        self.stats = stats
        self.media_ssrc: int | None = None
        self.hole_seen: dict[int, float] = {}
        self.last_nack: dict[int, float] = {}
        self.last_pli = 0.0
        codecs = _mangled(receiver, "codecs")
        self._codecs = codecs if codecs is not None else {}
        orig_rtp = receiver._handle_rtp_packet
        orig_nack = receiver._send_rtcp_nack
        orig_pli = receiver._send_rtcp_pli

        async def handle_rtp(packet, arrival_time_ms):
            stats.rtp_packets += 1
            stats.last_packet = time.monotonic()
            codec = self._codecs.get(packet.payload_type)
            rtx = codec is not None and is_rtx(codec)
            if rtx:
                stats.rtx_packets += 1
            elif codec is not None:
                self.media_ssrc = packet.ssrc
                step = (packet.sequence_number - stats.last_sequence) & 0xFFFF if stats.last_sequence is not None else 0
                if step < 0x8000:  # forward (a late packet does not move the high mark)
                    stats.max_jump = max(stats.max_jump, step)
                    stats.last_sequence = packet.sequence_number
            seq = packet.sequence_number
            if rtx and len(packet.payload) >= 2:
                seq = int.from_bytes(packet.payload[:2], "big")  # RFC 4588 OSN
            gen = _mangled(receiver, "nack_generator")
            if gen is not None and seq in gen.missing:
                stats.recovered += 1
            await orig_rtp(packet, arrival_time_ms)

        async def send_nack(media_ssrc, lost):
            stats.nacks_sent += 1
            await orig_nack(media_ssrc, lost)

        async def send_pli(media_ssrc):
            stats.plis_sent += 1
            self.last_pli = time.monotonic()
            await orig_pli(media_ssrc)

        receiver._handle_rtp_packet = handle_rtp
        receiver._send_rtcp_nack = send_nack
        receiver._send_rtcp_pli = send_pli

    async def repair_once(self, now: float) -> None:
        gen = _mangled(self.receiver, "nack_generator")
        if gen is None or self.media_ssrc is None:
            return
        missing = set(gen.missing)
        for seq in list(self.hole_seen):
            if seq not in missing:
                del self.hole_seen[seq]
                self.last_nack.pop(seq, None)
        for seq in missing:
            self.hole_seen.setdefault(seq, now)
        due = [s for s, t0 in self.hole_seen.items()
               if self.RENACK_AFTER <= now - t0 <= self.RENACK_GIVE_UP
               and now - self.last_nack.get(s, t0) >= self.RENACK_EVERY]
        if due:
            for s in due:
                self.last_nack[s] = now
            self.stats.renacks_sent += 1
            await self.receiver._send_rtcp_nack(self.media_ssrc, sorted(due))
        old = [s for s, t0 in self.hole_seen.items() if now - t0 >= self.PLI_AFTER]
        if old and now - self.last_pli >= 1.0:
            await self.receiver._send_rtcp_pli(self.media_ssrc)
        if old:
            self._skip_to_keyframe(gen, old)

    def _skip_to_keyframe(self, gen, old: list[int]) -> None:
        """Give up on a hole at the head of aiortc's jitter buffer (which would otherwise wait
        for up to 512 packets) once a VP8 keyframe has arrived after it: drop everything
        before that keyframe, as a browser's jitter buffer does."""
        jb = _mangled(self.receiver, "jitter_buffer")
        if jb is None or jb._origin is None:
            return
        slots = [jb._packets[(jb._origin + i) % jb.capacity] for i in range(jb.capacity)]
        hole = next((i for i, p in enumerate(slots) if p is None), None)
        if hole is None:
            return
        for k in range(hole + 1, jb.capacity):
            pkt, prev = slots[k], slots[k - 1]
            data = getattr(pkt, "_data", b"") if pkt is not None else b""
            if (pkt is not None and prev is not None and prev.timestamp != pkt.timestamp
                    and data and data[0] & 0x01 == 0):
                skipped = [(jb._origin + i) & 0xFFFF for i in range(k)]
                jb.remove(k)
                for seq in skipped:
                    gen.missing.discard(seq)
                    self.hole_seen.pop(seq, None)
                self.stats.skips += 1
                return


async def _consume_video(track, stats: StreamStats, notify: asyncio.Event) -> None:
    try:
        while True:
            frame = await track.recv()
            stats.frames += 1
            if decode_pattern(frame) is not None:
                stats.matched += 1
            colour = nearest_colour(frame_colour(frame))
            stats.colours[colour] = stats.colours.get(colour, 0) + 1
            notify.set()
    except MediaStreamError:
        pass
    except Exception as e:
        stats.errors.append(repr(e))
        notify.set()


async def _consume_audio(track, stats: StreamStats, notify: asyncio.Event) -> None:
    try:
        while True:
            frame = await track.recv()
            stats.frames += 1
            samples = frame.to_ndarray()
            if samples.size and float(np.abs(samples.astype(np.int32)).max()) > 1000:
                stats.audio_loud += 1
            notify.set()
    except MediaStreamError:
        pass
    except Exception as e:
        stats.errors.append(repr(e))
        notify.set()


async def wait_for(predicate: Callable[[], bool], timeout: float, what: str,
                   describe: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}: {describe()}")
        await asyncio.sleep(0.1)


def _pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))


class AiortcPublisher:
    """An aiortc participant: joins `room` as a publisher and publishes audio + a coloured
    counter video. Use `await pub.start()` / `await pub.close()`."""

    def __init__(self, url: str, room: int, display: str, colour_index: int = 0,
                 pin: str | None = None, audio: bool = True, video: bool = True,
                 extra: Json | None = None):
        self.url = url
        self.extra = extra or {}       # more `join` fields (e.g. moderator_secret)
        self.room = room
        self.display = display
        self.pin = pin
        self.audio = audio
        self.video = video
        self.video_track = ColourVideoTrack(PALETTE[colour_index])
        self.audio_track = ToneAudioTrack()
        self.pc = _pc()
        self.vr: VideoRoomHandle | None = None
        self.joined: Json = {}
        self.published: Json = {}      # the whole event message (plugindata + jsep)
        self.id: int | None = None
        self.private_id: int | None = None

    async def join(self) -> Json:
        self.vr = await asyncio.to_thread(VideoRoomHandle, self.url)
        body: Json = {"request": "join", "ptype": "publisher", "room": self.room,
                      "display": self.display}
        if self.pin is not None:
            body["pin"] = self.pin
        body.update(self.extra)
        ev = await asyncio.to_thread(self.vr.call, body)
        self.joined = plugin_data(ev)
        assert self.joined.get("videoroom") == "joined", self.joined
        self.id = self.joined["id"]
        self.private_id = self.joined.get("private_id")
        return self.joined

    async def publish(self, wait_webrtcup: bool = True) -> Json:
        assert self.vr is not None
        if self.audio:
            self.pc.addTrack(self.audio_track)
        if self.video:
            self.pc.addTrack(self.video_track)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        jsep = {"type": "offer", "sdp": self.pc.localDescription.sdp, "trickle": False}
        body = {"request": "publish", "audio": self.audio, "video": self.video}
        ev = await asyncio.to_thread(self.vr.call, body, jsep)
        self.published = ev
        data = plugin_data(ev)
        assert data.get("configured") == "ok" and (ev.get("jsep") or {}).get("type") == "answer", ev
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=ev["jsep"]["sdp"], type="answer"))
        if wait_webrtcup:
            await asyncio.to_thread(self.vr.janus.wait_janus, "webrtcup", self.vr.handle_id, 15)
        return data

    async def start(self) -> "AiortcPublisher":
        await self.join()
        await self.publish()
        return self

    async def close(self) -> None:
        for t in (self.audio_track, self.video_track):
            t.stop()
        try:
            await asyncio.wait_for(self.pc.close(), timeout=5)
        except Exception:
            pass
        if self.vr is not None:
            await asyncio.to_thread(self.vr.close)


class AiortcSubscriber:
    """An aiortc subscriber handle: `join` ptype subscriber with `streams`, answer the
    server's offer (max-bundle) with `start`, count what arrives per subscription mid."""

    def __init__(self, url: str, room: int, repair: bool = True):
        self.url = url
        self.room = room
        self.repair = repair
        self.pc = _pc()
        self.vr: VideoRoomHandle | None = None
        self.attached: Json = {}
        self.started: Json = {}
        self.stats: dict[str, StreamStats] = {}
        self.changed = asyncio.Event()
        self._taps: list[_ReceiverTap] = []
        self._tasks: list[asyncio.Task] = []

    async def start(self, streams: list[Json], private_id: int | None = None) -> "AiortcSubscriber":
        self.vr = await asyncio.to_thread(VideoRoomHandle, self.url)
        body: Json = {"request": "join", "ptype": "subscriber", "room": self.room,
                      "streams": streams}
        if private_id is not None:
            body["private_id"] = private_id
        ev = await asyncio.to_thread(self.vr.call, body)
        self.attached = plugin_data(ev)
        assert self.attached.get("videoroom") == "attached", ev
        assert (ev.get("jsep") or {}).get("type") == "offer", ev

        @self.pc.on("track")
        def on_track(track) -> None:
            mid = next((t.mid for t in self.pc.getTransceivers() if t.receiver.track is track), None)
            st = self.stats.setdefault(str(mid), StreamStats(mid=str(mid), kind=track.kind))
            consume = _consume_video if track.kind == "video" else _consume_audio
            self._tasks.append(asyncio.ensure_future(consume(track, st, self.changed)))

        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=ev["jsep"]["sdp"], type="offer"))
        for t in self.pc.getTransceivers():
            st = self.stats.setdefault(str(t.mid), StreamStats(mid=str(t.mid), kind=t.kind))
            self._taps.append(_ReceiverTap(t.receiver, st))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        jsep = {"type": "answer", "sdp": self.pc.localDescription.sdp, "trickle": False}
        ev = await asyncio.to_thread(self.vr.call, {"request": "start", "room": self.room}, jsep)
        self.started = plugin_data(ev)
        assert self.started.get("started") == "ok", ev
        await asyncio.to_thread(self.vr.janus.wait_janus, "webrtcup", self.vr.handle_id, 15)
        if self.repair:
            self._tasks.append(asyncio.ensure_future(self._repair_loop()))
        return self

    async def renegotiate(self, ev: Json) -> Json:
        """Answer a new server offer (`updated`, restart, …) with `start`; returns the
        `started` data. New transceivers get counted like the first ones."""
        assert self.vr is not None
        assert (ev.get("jsep") or {}).get("type") == "offer", ev
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=ev["jsep"]["sdp"], type="offer"))
        tapped = {id(tap.receiver) for tap in self._taps}
        for t in self.pc.getTransceivers():
            if id(t.receiver) not in tapped:
                st = self.stats.setdefault(str(t.mid), StreamStats(mid=str(t.mid), kind=t.kind))
                self._taps.append(_ReceiverTap(t.receiver, st))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        jsep = {"type": "answer", "sdp": self.pc.localDescription.sdp, "trickle": False}
        started = await asyncio.to_thread(self.vr.call, {"request": "start"}, jsep)
        return plugin_data(started)

    async def _repair_loop(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            for tap in self._taps:
                if tap.stats.kind == "video":
                    try:
                        await tap.repair_once(now)
                    except Exception as e:  # keep repairing; report through stats
                        tap.stats.errors.append(f"repair: {e!r}")

    def mid_of(self, kind: str) -> str:
        """The subscription mid of the first `kind` ("audio"/"video") stream in `attached`."""
        return next(s["mid"] for s in self.attached["streams"] if s["type"] == kind)

    def feed_of_mid(self) -> dict[str, int]:
        """Subscription mid → publisher id, from the `attached` event."""
        return {s["mid"]: s["feed_id"] for s in self.attached.get("streams", []) if "feed_id" in s}

    def summary(self) -> str:
        return "; ".join(s.summary() for s in self.stats.values())

    async def wait_until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        await wait_for(predicate, timeout, what, self.summary)

    async def close(self) -> None:
        for t in self._tasks:
            t.cancel()
        try:
            await asyncio.wait_for(self.pc.close(), timeout=5)
        except Exception:
            pass
        if self.vr is not None:
            await asyncio.to_thread(self.vr.close)
