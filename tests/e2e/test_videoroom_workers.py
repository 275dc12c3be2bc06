"""Cross-worker forwarding with real peers (issue 4): the server runs three media workers and
spreads a room's PeerConnections over them, so one aiortc publisher's media reaches aiortc
subscribers on other workers through the slab/ring hand-off. Placement is visible in the SDP:
worker i advertises the media range's low port + i in its candidates."""

from __future__ import annotations

import asyncio
import re

import pytest

from conftest import MULTI_WORKERS
from videoroom import AiortcPublisher, AiortcSubscriber, PALETTE, VideoRoomHandle, create_room

pytestmark = pytest.mark.timeout(90)

SUBSCRIBERS = 4


def candidate_ports(sdp: str) -> set[int]:
    """UDP ports of the host candidates in a server SDP."""
    return {int(m.group(1)) for m in re.finditer(r"a=candidate:\S+ \d+ (?i:udp) \d+ \S+ (\d+) typ host", sdp)}


def test_videoroom_subscribers_on_other_workers_decode_the_publisher(multi_worker_server) -> None:
    url = multi_worker_server.http_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, publishers=2)
        pub = AiortcPublisher(url, room, "pub", colour_index=1)
        subs: list[AiortcSubscriber] = []
        try:
            await pub.start()
            for _ in range(SUBSCRIBERS):
                subs.append(await AiortcSubscriber(url, room).start([{"feed": pub.id}]))
            pub_ports = candidate_ports(pub.pc.remoteDescription.sdp)
            sub_ports = [candidate_ports(s.pc.remoteDescription.sdp) for s in subs]
            print("\npublisher candidate ports:", pub_ports, "subscribers:", sub_ports)
            assert len(pub_ports) == 1 and all(len(p) == 1 for p in sub_ports)
            if multi_worker_server.kind == "swift":
                # Spread placement: the PeerConnections use every worker, and most subscribers
                # sit on another worker than the publisher.
                assert len(pub_ports.union(*sub_ports)) == MULTI_WORKERS, (pub_ports, sub_ports)
                remote = [p for p in sub_ports if p != pub_ports]
                assert len(remote) >= SUBSCRIBERS - 2, (pub_ports, sub_ports)

            for sub in subs:
                video_mids = [s["mid"] for s in sub.attached["streams"] if s["type"] == "video"]
                audio_mids = [s["mid"] for s in sub.attached["streams"] if s["type"] == "audio"]
                await sub.wait_until(
                    lambda: all(m in sub.stats and sub.stats[m].frames >= 30 for m in video_mids)
                    and all(m in sub.stats and sub.stats[m].frames >= 50 for m in audio_mids),
                    40, "30 video frames and 50 audio frames")
                for mid in video_mids:
                    st = sub.stats[mid]
                    assert st.errors == [], st.summary()
                    assert st.colours.get(1, 0) >= 0.9 * st.frames, (PALETTE[1], st.summary())
                print("subscriber:", sub.summary())
        finally:
            for sub in subs:
                await sub.close()
            await pub.close()

    asyncio.run(run())
