"""Host authority through the embedding API (issue 6, room control as the room's owner).

`twin-daemon` creates its room with a waiting room and a secret. Nobody in the room is a
moderator: every joiner waits in the lobby until the twin's own endpoint
(`POST /rooms/<id>/admit/<participant>`, the programmatic `SFUServer.admit`, which sends the
extension's `admit` as the room's host) lets it in. Then the media flows on the wire.

Only for our server (skipped with SFU_E2E_SERVER=janus). Binary: .build/release/twin-daemon or
TWIN_DAEMON_BIN.
"""

from __future__ import annotations

import asyncio

import pytest
import requests

from test_embedding import Twin, _wait_frames
from test_roomcontrol_aiortc import _join_waiting as _wait_in_lobby
from test_roomcontrol_aiortc import _t
from videoroom import AiortcPublisher, AiortcSubscriber, VideoRoomHandle

pytestmark = pytest.mark.timeout(60)

SECRET = "twin-owns-this-room"


def test_embedding_twin_daemon_admits_from_its_waiting_room(test_address: str) -> None:
    twin = Twin(test_address, 4343, "twin-daemon-host", "--room-secret", SECRET, "--waiting-room", "on")
    try:
        ws_url, twin_url, room = twin.ws_url, twin.url, twin.room

        def waiting() -> list[dict]:
            return requests.get(f"{twin_url}/rooms/{room}/waiting", timeout=5).json()["waiting"]

        def admit(participant: int) -> requests.Response:
            return requests.post(f"{twin_url}/rooms/{room}/admit/{participant}", timeout=5)

        async def run() -> None:
            speaker = AiortcPublisher(ws_url, room, "speaker", colour_index=2)
            listener = AiortcSubscriber(ws_url, room)
            handles: list[VideoRoomHandle] = []
            try:
                # The speaker waits too, and gets in only through the twin.
                speaker_vr, speaker_id = await _wait_in_lobby(ws_url, room, "speaker")
                speaker.vr = speaker_vr  # closed with the speaker
                assert await _t(waiting) == [{"id": speaker_id, "display": "speaker"}]
                reply = await _t(admit, speaker_id)
                assert reply.status_code == 200 and reply.json() == {"admitted": speaker_id}, reply.text
                joined = await _t(speaker_vr.wait, lambda d: d.get("videoroom") == "joined", 15)
                assert joined["id"] == speaker_id and joined["publishers"] == [], joined
                speaker.joined, speaker.id = joined, speaker_id
                speaker.private_id = joined["private_id"]
                await speaker.publish()

                # The listener waits (over the twin's own /janus endpoint) and hears nothing.
                guest_vr, guest_id = await _wait_in_lobby(f"{twin_url}/janus", room, "guest")
                handles.append(guest_vr)
                assert await _t(waiting) == [{"id": guest_id, "display": "guest"}]
                await asyncio.sleep(1.0)
                assert [d["videoroom"] for d in guest_vr.plugin_events()] == ["waiting"], guest_vr.plugin_events()
                # A wrong id is a 404 from the twin (Janus 523: not waiting).
                missing = await _t(admit, 12345)
                assert missing.status_code == 404 and missing.json()["code"] == 523, missing.text

                reply = await _t(admit, guest_id)
                assert reply.status_code == 200, reply.text
                joined = await _t(guest_vr.wait, lambda d: d.get("videoroom") == "joined", 15)
                assert [p["id"] for p in joined["publishers"]] == [speaker_id], joined
                assert await _t(waiting) == []

                # Its subscription, proven with the private_id it got on admission, gets media.
                await listener.start([{"feed": speaker_id}], private_id=joined["private_id"])
                await _wait_frames(listener, 15, 20, "the speaker's video at the admitted guest")
                await listener.wait_until(
                    lambda: any(s.kind == "audio" and s.rtp_packets >= 50 for s in listener.stats.values()),
                    20, "the speaker's audio at the admitted guest")
                colours = {c for s in listener.stats.values() for c, k in s.colours.items() if k > 0}
                assert colours == {2}, listener.summary()
                print("\nhost-admitted guest received:", listener.summary())
                parts = requests.get(f"{twin_url}/rooms/{room}/participants", timeout=5).json()
                assert sorted(p["id"] for p in parts["participants"]) == sorted([speaker_id, guest_id]), parts
            finally:
                await listener.close()
                await speaker.close()
                for vr in handles:
                    await _t(vr.close)

        asyncio.run(asyncio.wait_for(run(), timeout=50))
        # The twin logs the lobby from its SFUEvent stream (lobbyArrived, lobbyLeft(.admitted)).
        log = twin.log_tail(200)
        assert log.count("event=lobby_arrived") == 2 and log.count("event=lobby_left") == 2, log
        assert twin.stop() == 0, twin.log_tail()
    finally:
        twin.stop()
