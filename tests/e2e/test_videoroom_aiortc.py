"""Three aiortc publishers and one aiortc subscriber that takes all three feeds in ONE
PeerConnection (multistream `streams:[{feed:A},{feed:B},{feed:C}]`): every video is decoded
and is recognisably its own publisher's (colour), mapped through the `attached` event's
`streams` (subscription `mid` → `feed_id`)."""

from __future__ import annotations

import asyncio

import pytest

from videoroom import AiortcPublisher, AiortcSubscriber, PALETTE, VideoRoomHandle, create_room

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("transport", ["http", "ws"])
def test_videoroom_three_publishers_one_subscriber(server, transport: str) -> None:
    url = server.http_url if transport == "http" else server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, publishers=3)
        pubs = [AiortcPublisher(url, room, f"pub{i}", colour_index=i) for i in range(3)]
        sub = AiortcSubscriber(url, room)
        try:
            for p in pubs:
                await p.start()
            await sub.start([{"feed": p.id} for p in pubs])
            att = sub.attached
            assert att["room"] == room, att
            streams = att["streams"]
            print("\nattached:", att)
            # One audio and one video m-line per feed, in request order, server mids "0".."5".
            assert [s["mid"] for s in streams] == [str(i) for i in range(6)], att
            assert [s["mindex"] for s in streams] == list(range(6)), att
            assert [(s["feed_id"], s["type"]) for s in streams] == [
                (p.id, kind) for p in pubs for kind in ("audio", "video")], att
            for s in streams:
                pub = next(p for p in pubs if p.id == s["feed_id"])
                assert s["feed_display"] == pub.display and s["active"] is True, s
                assert s["feed_mid"] == ("0" if s["type"] == "audio" else "1"), s
                assert s["codec"] == ("opus" if s["type"] == "audio" else "vp8"), s

            feed_of = sub.feed_of_mid()
            video_mids = [s["mid"] for s in streams if s["type"] == "video"]
            audio_mids = [s["mid"] for s in streams if s["type"] == "audio"]
            await sub.wait_until(
                lambda: all(m in sub.stats and sub.stats[m].frames >= 30 for m in video_mids)
                and all(m in sub.stats and sub.stats[m].frames >= 50 for m in audio_mids),
                30, "30 video frames per feed and 50 audio frames per feed")
            print("subscriber:", sub.summary())
            for mid in video_mids:
                st = sub.stats[mid]
                pub_index = next(i for i, p in enumerate(pubs) if p.id == feed_of[mid])
                own = st.colours.get(pub_index, 0)
                assert st.errors == [], st.summary()
                # Recognisably its own publisher's: (almost) every frame has its colour and
                # carries the counter pattern; none has another publisher's colour.
                assert own >= 0.9 * st.frames, (mid, PALETTE[pub_index], st.summary())
                assert all(n == 0 for c, n in st.colours.items() if c not in (pub_index, None)), \
                    st.summary()
                assert st.matched >= 0.9 * st.frames, st.summary()
            for mid in audio_mids:
                assert sub.stats[mid].audio_loud >= 10, sub.stats[mid].summary()
        finally:
            await sub.close()
            for p in pubs:
                await p.close()
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))
