"""VideoRoom under 5 % UDP loss (tests/e2e/udp-loss.sh, inside the namespace: every packet
crosses the input hook once, so publisher→server and server→subscriber both lose 5 %).

Over a 10 s window the subscriber must decode ≥ 85 % of the video frames the publisher sent,
and NACK-driven retransmissions must be seen: the subscriber sent NACKs and received
retransmitted packets (RTX) that filled its holes. The aiortc subscriber re-NACKs open holes
every ~80 ms and sends a PLI after 0.5 s (videoroom.py), since aiortc alone NACKs once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import pytest

from videoroom import AiortcPublisher, AiortcSubscriber, VideoRoomHandle, create_room

pytestmark = pytest.mark.timeout(60)

UDP_LOSS = Path(__file__).resolve().parent / "udp-loss.sh"
WINDOW = 10.0


def set_udp_loss(percent: int | None) -> None:
    subprocess.run([str(UDP_LOSS), "off" if percent is None else str(percent)], check=True, timeout=10)


@pytest.fixture
def loss_xfail_for_janus(server, request):
    if server.kind == "janus" or os.environ.get("SFU_E2E_LOSS_XFAIL") == "1":
        request.applymarker(pytest.mark.xfail(
            strict=False,
            reason="Janus 1.1.2 retransmits only once it has measured a non-zero RTT, which "
                   "loopback gives only now and then: 45-100 % of the frames decode, the test "
                   "passes in about 3 runs of 4 (see README)"))


def test_videoroom_loss_nack(server, loss_xfail_for_janus) -> None:
    url = server.http_url
    result: dict = {}

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, publishers=1)
        pub = AiortcPublisher(url, room, "lossy", colour_index=0)
        sub = AiortcSubscriber(url, room)
        try:
            await pub.start()
            await sub.start([{"feed": pub.id}])
            vmid = next(s["mid"] for s in sub.attached["streams"] if s["type"] == "video")
            await sub.wait_until(lambda: vmid in sub.stats and sub.stats[vmid].frames >= 30, 20,
                                 "30 frames before the loss")
            st = sub.stats[vmid]
            try:
                await asyncio.to_thread(set_udp_loss, 5)
                sent0, frames0, t0 = pub.video_track.sent, st.frames, time.monotonic()
                nacks0, rtx0, rec0 = st.nacks_sent, st.rtx_packets, st.recovered
                await asyncio.sleep(WINDOW)
                sent1, frames1 = pub.video_track.sent, st.frames
                # Frames still in flight at the end of the window (jitter buffer, repairs):
                # give them 1 s with the loss still on, counting only what was sent in the window.
                await asyncio.sleep(1.0)
                frames_late = st.frames
            finally:
                await asyncio.to_thread(set_udp_loss, None)
            result.update(sent=sent1 - sent0, decoded=frames1 - frames0,
                          decoded_late=min(frames_late - frames0, sent1 - sent0),
                          window=time.monotonic() - t0,
                          nacks=st.nacks_sent - nacks0, rtx=st.rtx_packets - rtx0,
                          recovered=st.recovered - rec0, summary=sub.summary())
        finally:
            await sub.close()
            await pub.close()
            await asyncio.to_thread(admin.close)

    try:
        asyncio.run(asyncio.wait_for(run(), timeout=55))
    finally:
        set_udp_loss(None)
    print(f"\nloss window: {result}")
    assert result["nacks"] > 0, result
    assert result["rtx"] > 0 and result["recovered"] > 0, f"no retransmission seen: {result}"
    assert result["decoded_late"] >= 0.85 * result["sent"], result
