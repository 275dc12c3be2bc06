"""VideoRoom audio-level events: in a room with `audiolevel_event`, a publisher whose tone
is loud is announced `talking` to every participant (itself included), and
`stopped-talking` once it goes silent. aiortc puts the real level of each frame in the
RFC 6464 ssrc-audio-level extension."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from media import ToneAudioTrack
from videoroom import AiortcPublisher, VideoRoomHandle, create_room, plugin_data

pytestmark = pytest.mark.timeout(60)


class SwitchableTone(ToneAudioTrack):
    """The 440 Hz tone, or digital silence while `silent` is set."""

    silent = False

    async def recv(self):
        frame = await super().recv()
        if not self.silent:
            return frame
        out = type(frame).from_ndarray(np.zeros((1, self.SAMPLES), dtype=np.int16), format="s16",
                                       layout="mono")
        out.sample_rate, out.pts, out.time_base = frame.sample_rate, frame.pts, frame.time_base
        return out


def test_videoroom_talking(server) -> None:
    url = server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, audiolevel_event=True,
                                       audio_active_packets=25, audio_level_average=40)
        speaker = AiortcPublisher(url, room, "speaker", 0, video=False)
        speaker.audio_track = SwitchableTone()
        listener = await asyncio.to_thread(VideoRoomHandle, url)
        try:
            ev = await asyncio.to_thread(listener.call, {"request": "join", "ptype": "publisher",
                                                          "room": room, "display": "listener"})
            assert plugin_data(ev)["videoroom"] == "joined", ev
            await speaker.start()
            for who in (listener, speaker.vr):
                data = await asyncio.to_thread(who.wait, lambda d: d.get("videoroom") == "talking", 15)
                print("\ntalking:", data)
                level = data.pop("audio-level-dBov-avg")
                assert isinstance(level, (int, float)) and 0 <= level < 40, level
                assert data == {"videoroom": "talking", "room": room, "id": speaker.id,
                                "mindex": 0, "mid": "0"}, data
            speaker.audio_track.silent = True
            for who in (listener, speaker.vr):
                data = await asyncio.to_thread(
                    who.wait, lambda d: d.get("videoroom") == "stopped-talking", 15)
                print("stopped-talking:", data)
                level = data.pop("audio-level-dBov-avg")
                assert isinstance(level, (int, float)) and level > 40, level
                assert data == {"videoroom": "stopped-talking", "room": room, "id": speaker.id,
                                "mindex": 0, "mid": "0"}, data
            parts = await asyncio.to_thread(admin.sync, {"request": "listparticipants", "room": room})
            print("participants:", parts)
        finally:
            await speaker.close()
            await asyncio.to_thread(listener.close)
            await asyncio.to_thread(admin.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))
