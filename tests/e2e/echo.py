"""An aiortc peer running the Janus echotest against the server under test (HTTP or WebSocket).

Usage (inside an asyncio task):

    async with AiortcEchoTest(server.http_url) as echo:
        await echo.received.wait_until(lambda r: r.video_matched >= 30, 20, "echoed frames")

`__aenter__` creates the session, attaches `janus.plugin.echotest`, sends
`{"audio":true,"video":true}` with an offer that already holds all our candidates
(`trickle: false`), applies the answer (with its inline candidates) and waits for
`webrtcup`. `__aexit__` hangs up, detaches, destroys and records each reply.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcconfiguration import RTCBundlePolicy

from janus_client import Json, JanusHttpSession, JanusWsSession
from media import PatternVideoTrack, ReceivedMedia, ToneAudioTrack, consume_audio, consume_video

ECHOTEST = "janus.plugin.echotest"
CANDIDATE_RE = re.compile(
    r"^a=candidate:\S+ (\d+) (\S+) \d+ (\S+) (\d+) typ (\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Candidate:
    component: int
    transport: str   # "udp" / "tcp" (lower case)
    address: str
    port: int
    type: str


def sdp_candidates(sdp: str) -> list[Candidate]:
    return [Candidate(int(m[0]), m[1].lower(), m[2], int(m[3]), m[4])
            for m in CANDIDATE_RE.findall(sdp)]


def sdp_attribute(sdp: str, name: str) -> str | None:
    m = re.search(rf"^a={re.escape(name)}:(\S+)", sdp, re.MULTILINE)
    return m.group(1) if m else None


class AiortcEchoTest:
    def __init__(self, url: str, audio: bool = True, video: bool = True,
                 setup_timeout: float = 20):
        """`url`: http://…/janus for the HTTP transport, ws://… for WebSocket."""
        self.url = url
        self.audio = audio
        self.video = video
        self.setup_timeout = setup_timeout
        self.janus = JanusWsSession(url) if url.startswith("ws") else JanusHttpSession(url)
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[],
                                                     bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.video_track = PatternVideoTrack()
        self.audio_track = ToneAudioTrack()
        self.received = ReceivedMedia()
        self.session_id: int | None = None
        self.handle_id: int | None = None
        self.message_reply: Json | None = None
        self.answer_event: Json | None = None
        self.offer_sdp: str = ""
        self.answer_sdp: str = ""
        self.teardown_replies: dict[str, Json] = {}
        self._tasks: list[asyncio.Task] = []

    # -- set-up ----------------------------------------------------------------------------
    async def __aenter__(self) -> "AiortcEchoTest":
        try:
            await asyncio.wait_for(self._setup(), timeout=self.setup_timeout)
        except BaseException:
            await self.close(graceful=False)
            raise
        return self

    async def _setup(self) -> None:
        j = self.janus
        self.session_id = await asyncio.to_thread(j.create)
        self.handle_id = await asyncio.to_thread(j.attach, ECHOTEST)

        @self.pc.on("track")
        def on_track(track) -> None:
            if track.kind == "video":
                self._tasks.append(asyncio.ensure_future(
                    consume_video(track, self.video_track, self.received)))
            else:
                self._tasks.append(asyncio.ensure_future(consume_audio(track, self.received)))

        if self.audio:
            self.pc.addTrack(self.audio_track)
        if self.video:
            self.pc.addTrack(self.video_track)
        offer = await self.pc.createOffer()
        # aiortc gathers every candidate in setLocalDescription, so the offer is complete.
        await self.pc.setLocalDescription(offer)
        self.offer_sdp = self.pc.localDescription.sdp
        jsep = {"type": "offer", "sdp": self.offer_sdp, "trickle": False}
        self.message_reply = await asyncio.to_thread(
            j.message, self.handle_id, {"audio": self.audio, "video": self.video}, jsep)
        self.answer_event = await asyncio.to_thread(
            j.wait_event,
            lambda ev: ev.get("janus") == "event" and ev.get("sender") == self.handle_id
            and "jsep" in ev, 10)
        answer = self.answer_event["jsep"]
        assert answer.get("type") == "answer", f"expected an answer, got {self.answer_event}"
        self.answer_sdp = answer["sdp"]
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        await asyncio.to_thread(j.wait_janus, "webrtcup", self.handle_id, 15)

    # -- facts about the negotiated session ------------------------------------------------
    def server_candidates(self) -> list[Candidate]:
        return sdp_candidates(self.answer_sdp)

    def server_udp_endpoints(self) -> list[tuple[str, int]]:
        return sorted({(c.address, c.port) for c in self.server_candidates()
                       if c.transport == "udp" and c.component == 1})

    def ice_credentials(self) -> tuple[str | None, str | None, str | None]:
        """(server ufrag, server pwd, our ufrag)."""
        return (sdp_attribute(self.answer_sdp, "ice-ufrag"), sdp_attribute(self.answer_sdp, "ice-pwd"),
                sdp_attribute(self.offer_sdp, "ice-ufrag"))

    def nominated_socket(self):
        """(asyncio transport, server address) of aiortc's selected ICE pair, or None.

        Reaches into aioice internals (tested with aiortc 1.16 / aioice 0.13) so that a
        test can send datagrams from the very 5-tuple the server has bound to this peer."""
        try:
            for transceiver in self.pc.getTransceivers():
                ice = transceiver.sender.transport.transport  # RTCDtlsTransport -> RTCIceTransport
                conn = ice._connection
                pair = conn._nominated.get(1)
                if pair is not None:
                    return pair.protocol.transport, pair.remote_addr
        except AttributeError:
            return None
        return None

    def events(self) -> list[Json]:
        return self.janus.events.all()

    # -- teardown --------------------------------------------------------------------------
    async def close(self, graceful: bool = True) -> None:
        j = self.janus
        if graceful and self.handle_id is not None:
            for verb in ("hangup", "detach"):
                try:
                    self.teardown_replies[verb] = await asyncio.to_thread(
                        j.request, verb, self.handle_id)
                except Exception as e:  # recorded for the test to assert on
                    self.teardown_replies[verb] = {"exception": repr(e)}
        if self.session_id is not None:
            try:
                self.teardown_replies["destroy"] = await asyncio.to_thread(j.request, "destroy")
            except Exception as e:
                self.teardown_replies["destroy"] = {"exception": repr(e)}
        for track in (self.audio_track, self.video_track):
            track.stop()
        try:
            await asyncio.wait_for(self.pc.close(), timeout=5)
        except Exception:
            pass
        for t in self._tasks:
            t.cancel()
        j.close()

    async def __aexit__(self, *exc) -> None:
        await self.close()
