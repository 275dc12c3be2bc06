"""VideoRoom presence events: a late joiner is told the earlier publishers in `joined`; the
others get `publishers` when it publishes, `unpublished` when it unpublishes and `leaving`
when it leaves (shapes as Janus 1.1.2 sends them)."""

from __future__ import annotations

import asyncio

import pytest

from videoroom import AiortcPublisher, VideoRoomHandle, create_room, plugin_data

pytestmark = pytest.mark.timeout(60)


def _publisher_entry(entry: dict, pub: AiortcPublisher) -> None:
    assert entry["id"] == pub.id and entry["display"] == pub.display, entry
    assert entry.get("audio_codec") == "opus" and entry.get("video_codec") == "vp8", entry
    streams = entry["streams"]
    assert [(s["type"], s["mindex"], s["mid"]) for s in streams] == [
        ("audio", 0, "0"), ("video", 1, "1")], entry
    assert streams[0]["codec"] == "opus" and streams[1]["codec"] == "vp8", entry


@pytest.mark.parametrize("transport", ["http", "ws"])
def test_videoroom_presence(server, transport: str) -> None:
    url = server.http_url if transport == "http" else server.ws_url

    async def run() -> None:
        admin = await asyncio.to_thread(VideoRoomHandle, url)
        room = await asyncio.to_thread(create_room, admin, description="presence", publishers=6)
        alice = AiortcPublisher(url, room, "alice", 0)
        bob = AiortcPublisher(url, room, "bob", 1)
        carol = AiortcPublisher(url, room, "carol", 2)
        watcher = None
        try:
            # A participant that never publishes sees everything.
            watcher = await asyncio.to_thread(VideoRoomHandle, url)
            ev = await asyncio.to_thread(watcher.call, {"request": "join", "ptype": "publisher",
                                                         "room": room, "display": "watcher"})
            w_joined = plugin_data(ev)
            assert w_joined["videoroom"] == "joined" and w_joined["room"] == room, w_joined
            assert w_joined["publishers"] == [], w_joined
            assert w_joined["description"] == "presence", w_joined
            assert isinstance(w_joined["id"], int) and isinstance(w_joined["private_id"], int)
            assert "attendees" not in w_joined, w_joined

            await alice.start()
            await bob.start()
            # The earlier publishers see the later one publish.
            for who in (watcher, alice.vr):
                data = await asyncio.to_thread(
                    who.wait, lambda d: any(p.get("id") == bob.id for p in d.get("publishers", [])))
                assert data["videoroom"] == "event" and data["room"] == room, data
                assert len(data["publishers"]) == 1, data
                _publisher_entry(data["publishers"][0], bob)

            # Late joiner: earlier publishers in `joined.publishers`.
            joined = await carol.join()
            assert joined["videoroom"] == "joined" and joined["room"] == room, joined
            assert sorted(p["id"] for p in joined["publishers"]) == sorted([alice.id, bob.id]), joined
            for entry in joined["publishers"]:
                _publisher_entry(entry, alice if entry["id"] == alice.id else bob)
            # Joining without publishing is not announced (notify_joining is off).
            await asyncio.sleep(0.5)
            assert not any("joining" in d for d in watcher.plugin_events()), watcher.plugin_events()

            await carol.publish()
            for who in (watcher, alice.vr, bob.vr):
                data = await asyncio.to_thread(
                    who.wait, lambda d: any(p.get("id") == carol.id for p in d.get("publishers", [])))
                _publisher_entry(data["publishers"][0], carol)
            pub_event = carol.published["plugindata"]["data"]
            print("\npublish event:", pub_event)
            print("joined (late joiner):", joined)
            assert pub_event == {**pub_event, "videoroom": "event", "room": room, "configured": "ok",
                                 "audio_codec": "opus", "video_codec": "vp8"}, pub_event
            assert [(s["type"], s["mid"]) for s in pub_event["streams"]] == [("audio", "0"), ("video", "1")]

            # unpublish: the publisher gets "ok" (+ core hangup); the others get its id.
            ev = await asyncio.to_thread(carol.vr.call, {"request": "unpublish"})
            assert plugin_data(ev) == {"videoroom": "event", "room": room, "unpublished": "ok"}, ev
            await asyncio.to_thread(carol.vr.janus.wait_janus, "hangup", carol.vr.handle_id, 10)
            for who in (watcher, alice.vr, bob.vr):
                data = await asyncio.to_thread(who.wait, lambda d: d.get("unpublished") == carol.id)
                assert data == {"videoroom": "event", "room": room, "unpublished": carol.id}, data

            # leave: "ok" to the leaver, its id to the others.
            ev = await asyncio.to_thread(carol.vr.call, {"request": "leave"})
            assert plugin_data(ev) == {"videoroom": "event", "room": room, "leaving": "ok"}, ev
            for who in (watcher, alice.vr, bob.vr):
                data = await asyncio.to_thread(who.wait, lambda d: d.get("leaving") == carol.id)
                assert data == {"videoroom": "event", "room": room, "leaving": carol.id}, data

            # A publisher that leaves while publishing: Janus 1.1.2 sends only `leaving` (no
            # `unpublished` before it, unlike what the 1.4 code does).
            ev = await asyncio.to_thread(bob.vr.call, {"request": "leave"})
            assert plugin_data(ev) == {"videoroom": "event", "room": room, "leaving": "ok"}, ev
            for who in (watcher, alice.vr):
                await asyncio.to_thread(who.wait, lambda d: d.get("leaving") == bob.id)
                seq = [d for d in who.plugin_events()
                       if d.get("unpublished") == bob.id or d.get("leaving") == bob.id]
                assert seq == [{"videoroom": "event", "room": room, "leaving": bob.id}], seq

            # Detaching a publishing handle has the same effect for the others.
            await asyncio.to_thread(alice.vr.janus.request, "detach", alice.vr.handle_id)
            data = await asyncio.to_thread(watcher.wait, lambda d: d.get("leaving") == alice.id)
            assert data == {"videoroom": "event", "room": room, "leaving": alice.id}, data
            seq = [d for d in watcher.plugin_events()
                   if d.get("unpublished") == alice.id or d.get("leaving") == alice.id]
            # Janus 1.1.2 observed: `unpublished` twice (media teardown, then the handle's
            # own clean-up), then `leaving`. Ours may send it once.
            unpub = {"videoroom": "event", "room": room, "unpublished": alice.id}
            assert seq[-1] == data and 1 <= len(seq) - 1 <= 2 and all(d == unpub for d in seq[:-1]), seq
            # listparticipants: only the watcher is left.
            parts = await asyncio.to_thread(admin.sync, {"request": "listparticipants", "room": room})
            assert parts["videoroom"] == "participants" and parts["room"] == room, parts
            assert [(p["id"], p["publisher"]) for p in parts["participants"]] == [
                (w_joined["id"], False)], parts
            print("watcher events:", watcher.plugin_events())
        finally:
            for p in (alice, bob, carol):
                await p.close()
            for h in (watcher, admin):
                if h is not None:
                    await asyncio.to_thread(h.close)

    asyncio.run(asyncio.wait_for(run(), timeout=55))
