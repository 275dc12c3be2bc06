"""Simulcast publisher, plain subscriber, both headless Chromium with Debian's janus.js.

The publisher page publishes with janus.js `simulcast: true` (three VP8 layers h/m/l,
1280x720 / 640x360 / 320x180 from a 30 fps fake camera). The subscriber must receive one
clean stream: the top layer's resolution (>= 960 wide) at close to the sent frame rate, with
mostly delta frames, and no freezes over 20 s. (Mixing the layers into one stream, as the
server once did, decodes 5-10 frames a second, nearly all keyframes, at jumping sizes.)
"""

from __future__ import annotations

import json
import time

import pytest

from test_echotest_chromium import page_server  # noqa: F401
from test_videoroom_chromium import PAGE_STATE, publisher_and_subscriber
from videoroom import VideoRoomHandle, create_room

pytestmark = pytest.mark.timeout(120)

# Inbound video of the subscriber, and the publisher's outbound layers.
VIDEO_STATS = """
const done = arguments[arguments.length - 1];
const e2e = window.e2e;
if (!e2e || !e2e.pc) { done({ready: false, state: e2e ? e2e.state : null}); return; }
e2e.pc.getStats().then(stats => {
  const out = {ready: true, inbound: null, outbound: []};
  stats.forEach(s => {
    if (s.type === 'inbound-rtp' && (s.kind || s.mediaType) === 'video') {
      out.inbound = {framesDecoded: s.framesDecoded, keyFramesDecoded: s.keyFramesDecoded,
                     frameWidth: s.frameWidth, frameHeight: s.frameHeight,
                     framesPerSecond: s.framesPerSecond, freezeCount: s.freezeCount,
                     packetsReceived: s.packetsReceived, packetsLost: s.packetsLost};
    }
    if (s.type === 'outbound-rtp' && (s.kind || s.mediaType) === 'video') {
      out.outbound.push({rid: s.rid, frameWidth: s.frameWidth, framesPerSecond: s.framesPerSecond,
                         framesSent: s.framesSent});
    }
  });
  done(out);
}).catch(err => done({ready: false, error: String(err)}));
"""


def _wait_published(pub, deadline: float) -> dict:
    state: dict = {}
    while time.monotonic() < deadline:
        state = pub.execute_script(PAGE_STATE)
        assert not state["errors"], f"publisher page errors: {state}"
        if state["published"] and state["myId"]:
            return state
        time.sleep(0.3)
    raise AssertionError(f"publisher did not come up: {state}")


def _inbound(sub) -> dict:
    stats = sub.execute_async_script(VIDEO_STATS)
    return stats.get("inbound") or {}


def test_simulcast_publisher_subscriber_gets_one_clean_top_layer(server, page_server):  # noqa: F811
    admin = VideoRoomHandle(server.http_url)
    room = create_room(admin, description="simulcast")
    deadline = time.monotonic() + 100
    try:
        with publisher_and_subscriber(publisher_camera_fps=30) as (pub, sub):
            pub.get(f"{page_server}/videoroom.html?mode=publish&simulcast=1&room={room}"
                    f"&server={server.ws_url}")
            pstate = _wait_published(pub, deadline)
            feed = pstate["myId"]
            conf = [m for m in pstate["messages"] if m["msg"].get("configured") == "ok"]
            assert conf and conf[0]["jsep"] == "answer", pstate

            sub.get(f"{page_server}/videoroom.html?mode=subscribe&room={room}&feed={feed}"
                    f"&server={server.http_url}")
            # Up and on the top layer.
            _wait_width(sub, lambda sample: sample["frameWidth"] >= 960 and (sample.get("framesDecoded") or 0) > 30,
                        deadline, "not on the top layer")

            publisher_layers = pub.execute_async_script(VIDEO_STATS)["outbound"]
            print(f"\npublisher layers: {publisher_layers}")
            sent_layers = [layer for layer in publisher_layers if (layer.get("framesSent") or 0) > 0]
            assert len(sent_layers) >= 2, f"the publisher is not sending simulcast: {publisher_layers}"
            top_fps = max((layer.get("framesPerSecond") or 0) for layer in sent_layers)

            # 20 s of watching: width, frame rate, keyframes and freezes.
            start = _inbound(sub)
            widths = set()
            observe_end = time.monotonic() + 20
            timeline = []
            while time.monotonic() < observe_end:
                time.sleep(1)
                sample = _inbound(sub)
                widths.add(sample.get("frameWidth"))
                layers = {layer.get("rid"): (layer.get("framesSent"), layer.get("framesPerSecond"))
                          for layer in pub.execute_async_script(VIDEO_STATS)["outbound"]}
                timeline.append((sample.get("framesDecoded"), sample.get("keyFramesDecoded"),
                                 sample.get("freezeCount"), sample.get("frameWidth"), layers))
            print("timeline (decoded, keyframes, freezes, width, publisher layers):")
            for row in timeline:
                print(f"  {row}")
            end = _inbound(sub)
            frames = end["framesDecoded"] - start["framesDecoded"]
            keyframes = end["keyFramesDecoded"] - start["keyFramesDecoded"]
            freezes = end["freezeCount"] - start["freezeCount"]
            fps = frames / 20.0
            print(f"subscriber over 20 s: {frames} frames ({fps:.1f} fps; publisher top layer "
                  f"{top_fps} fps), {keyframes} keyframes, {freezes} new freezes, widths {widths}; "
                  f"start {start}; end {end}")
            assert widths == {1280} or min(w or 0 for w in widths) >= 960, f"resolution jumped: {widths}"
            assert fps >= 0.8 * top_fps and fps >= 20, f"decoded {fps:.1f} fps, sent {top_fps}"
            assert keyframes <= 5, f"{keyframes} keyframes in 20 s: layers are being mixed"
            assert freezes == 0, f"{freezes} freezes in 20 s"
            print(json.dumps(sub.execute_script(PAGE_STATE))[:600])
    finally:
        admin.close()


def _layer_events(sub) -> list:
    """The `substream` events the subscriber page got ({"videoroom":"event","mid":…,"substream":N})."""
    state = sub.execute_script(PAGE_STATE)
    return [m["msg"]["substream"] for m in state["messages"]
            if m["msg"].get("videoroom") == "event" and "substream" in m["msg"]]


def _wait_width(sub, check, deadline: float, what: str) -> dict:
    sample: dict = {}
    while time.monotonic() < deadline:
        sample = _inbound(sub)
        if sample.get("frameWidth") and check(sample):
            return sample
        sstate = sub.execute_script(PAGE_STATE)
        assert not sstate["errors"], f"subscriber page errors: {sstate}"
        time.sleep(0.5)
    raise AssertionError(f"{what}: {sample}, layer events {_layer_events(sub)}")


def test_simulcast_manual_substream_is_honoured_and_reported(server, page_server):  # noqa: F811
    """Janus's manual layer choice: the subscriber starts on the top layer (a `substream: 2`
    event), `configure` with `substream: 0` brings the lowest layer's resolution and a
    `substream: 0` event, `substream: 1` the middle one, and frames keep decoding throughout."""
    admin = VideoRoomHandle(server.http_url)
    room = create_room(admin, description="simulcast manual")
    deadline = time.monotonic() + 100
    try:
        with publisher_and_subscriber(publisher_camera_fps=30) as (pub, sub):
            pub.get(f"{page_server}/videoroom.html?mode=publish&simulcast=1&room={room}"
                    f"&server={server.ws_url}")
            feed = _wait_published(pub, deadline)["myId"]
            sub.get(f"{page_server}/videoroom.html?mode=subscribe&room={room}&feed={feed}"
                    f"&server={server.http_url}")
            _wait_width(sub, lambda sample: sample["frameWidth"] >= 960, deadline, "never on the top layer")
            assert _layer_events(sub)[:1] == [2], f"no substream event for the first layer: {_layer_events(sub)}"

            sub.execute_script('window.e2e.handle.send({message: {request: "configure", '
                               'streams: [{mid: "1", substream: 0}]}});')
            low = _wait_width(sub, lambda sample: sample["frameWidth"] <= 400, time.monotonic() + 20,
                              "substream 0 not honoured")
            assert 0 in _layer_events(sub), f"no substream 0 event: {_layer_events(sub)}"
            time.sleep(2)
            later = _inbound(sub)
            assert later["framesDecoded"] > low["framesDecoded"] + 20, f"frames stopped: {low} → {later}"
            assert later["frameWidth"] <= 400, f"left the low layer: {later}"

            sub.execute_script('window.e2e.handle.send({message: {request: "configure", '
                               'streams: [{mid: "1", substream: 1}]}});')
            middle = _wait_width(sub, lambda sample: 400 < sample["frameWidth"] < 960, time.monotonic() + 20,
                                 "substream 1 not honoured")
            print(f"\nlayer events {_layer_events(sub)}; low {low}; middle {middle}")
            assert _layer_events(sub)[-1] == 1, f"events: {_layer_events(sub)}"
    finally:
        admin.close()


def _events(sub, key: str) -> list:
    """Values of `key` in the subscriber page's `{"videoroom":"event",…}` messages."""
    state = sub.execute_script(PAGE_STATE)
    return [m["msg"][key] for m in state["messages"] if m["msg"].get("videoroom") == "event" and key in m["msg"]]


def _configure(sub, body: dict) -> None:
    sub.execute_script(f"window.e2e.handle.send({{message: {json.dumps({'request': 'configure', **body})}}});")


def test_simulcast_max_bitrate_lowers_the_decoded_resolution(server, page_server):  # noqa: F811
    """The data cap: `configure` with `max_bitrate` 250 kbit/s (janus.js layers are about
    900/300/100 kbit/s) brings the lowest layer's resolution within seconds and keeps it
    decoding; `max_bitrate` 0 lifts the cap and the top layer comes back. The subscriber's
    transport-wide feedback drives the estimate all along (the offer carries transport-cc)."""
    admin = VideoRoomHandle(server.http_url)
    room = create_room(admin, description="simulcast cap")
    deadline = time.monotonic() + 100
    try:
        with publisher_and_subscriber(publisher_camera_fps=30) as (pub, sub):
            pub.get(f"{page_server}/videoroom.html?mode=publish&simulcast=1&room={room}"
                    f"&server={server.ws_url}")
            feed = _wait_published(pub, deadline)["myId"]
            sub.get(f"{page_server}/videoroom.html?mode=subscribe&room={room}&feed={feed}"
                    f"&server={server.http_url}")
            _wait_width(sub, lambda sample: sample["frameWidth"] >= 960, deadline, "never on the top layer")

            capped_at = time.monotonic()
            _configure(sub, {"max_bitrate": 250000})
            low = _wait_width(sub, lambda sample: sample["frameWidth"] <= 400, time.monotonic() + 15,
                              "max_bitrate did not lower the resolution")
            took = time.monotonic() - capped_at
            time.sleep(3)
            later = _inbound(sub)
            assert later["frameWidth"] <= 400, f"left the low layer under the cap: {later}"
            assert later["framesDecoded"] > low["framesDecoded"] + 30, f"frames stopped: {low} → {later}"

            _configure(sub, {"max_bitrate": 0})
            lifted_at = time.monotonic()
            _wait_width(sub, lambda sample: sample["frameWidth"] >= 960, time.monotonic() + 20,
                        "the top layer did not come back without the cap")
            print(f"\ncap: low layer decoded {took:.1f} s after max_bitrate, top again "
                  f"{time.monotonic() - lifted_at:.1f} s after lifting it; substream events {_events(sub, 'substream')}")
            assert 0 in _events(sub, "substream"), f"no substream 0 event: {_events(sub, 'substream')}"
    finally:
        admin.close()


def test_simulcast_temporal_layer_choice_lowers_the_frame_rate(server, page_server):  # noqa: F811
    """Janus `temporal`: with `temporal: 0` the subscriber decodes the base temporal layer only
    (Chromium's layers are L1T3: a quarter of the frame rate, same resolution) and gets a
    `temporal` event; `temporal: 2` restores the full rate."""
    admin = VideoRoomHandle(server.http_url)
    room = create_room(admin, description="simulcast temporal")
    deadline = time.monotonic() + 100
    try:
        with publisher_and_subscriber(publisher_camera_fps=30) as (pub, sub):
            pub.get(f"{page_server}/videoroom.html?mode=publish&simulcast=1&room={room}"
                    f"&server={server.ws_url}")
            feed = _wait_published(pub, deadline)["myId"]
            sub.get(f"{page_server}/videoroom.html?mode=subscribe&room={room}&feed={feed}"
                    f"&server={server.http_url}")
            _wait_width(sub, lambda sample: (sample.get("framesPerSecond") or 0) >= 20, deadline, "not at full rate")

            def rate_over(seconds: float) -> float:
                first = _inbound(sub)
                time.sleep(seconds)
                return (_inbound(sub)["framesDecoded"] - first["framesDecoded"]) / seconds

            full = rate_over(3)
            _configure(sub, {"streams": [{"mid": "1", "temporal": 0}]})
            time.sleep(2)
            base = rate_over(4)
            assert 0 in _events(sub, "temporal"), f"no temporal 0 event: {_events(sub, 'temporal')}"
            _configure(sub, {"streams": [{"mid": "1", "temporal": 2}]})
            time.sleep(2)
            restored = rate_over(3)
            print(f"\ntemporal: {full:.1f} fps → temporal 0 {base:.1f} fps → temporal 2 {restored:.1f} fps; "
                  f"events {_events(sub, 'temporal')}; width {_inbound(sub).get('frameWidth')}")
            assert base <= 0.5 * full and base >= 4, f"temporal 0: {base:.1f} fps of {full:.1f}"
            assert restored >= 0.8 * full, f"temporal 2: {restored:.1f} fps of {full:.1f}"
            assert _events(sub, "temporal")[-1] == 2, f"events: {_events(sub, 'temporal')}"
    finally:
        admin.close()


@pytest.fixture
def shared_page_server():
    """The test pages on the test namespace's server address, reachable from other namespaces."""
    import functools
    import http.server
    import os
    import threading

    from test_echotest_chromium import WEB_DIR, _PageHandler

    handler = functools.partial(_PageHandler, directory=str(WEB_DIR))
    httpd = http.server.ThreadingHTTPServer((os.environ["SFU_TEST_ADDRESS"], 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="e2e-shared-page-server", daemon=True)
    thread.start()
    yield f"http://{os.environ['SFU_TEST_ADDRESS']}:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.timeout(180)
def test_simulcast_subscriber_behind_a_bottleneck_gets_a_lower_layer(server, page_server,  # noqa: F811
                                                                     shared_page_server):
    """A real bottleneck: one Chromium subscriber sits in a namespace of its own behind a 400 kbit/s
    `tbf` (only what the server sends it is limited), another on a free link. The free one decodes
    the top layer; the limited one, from its own transport-wide feedback, a lower layer's
    resolution within seconds, and keeps decoding; when the link opens up (3 Mbit/s) it climbs
    back to the top layer."""
    import os

    from bottleneck import bottleneck_namespace, chromium_in, tcp_relay

    admin = VideoRoomHandle(server.http_url)
    room = create_room(admin, description="simulcast bottleneck")
    deadline = time.monotonic() + 150
    try:
        address = os.environ["SFU_TEST_ADDRESS"]
        with bottleneck_namespace() as (enter, set_rate), publisher_and_subscriber(publisher_camera_fps=30) as (pub, free), \
                chromium_in(enter, secure_origin=shared_page_server) as limited, \
                tcp_relay(address, ("127.0.0.1", server.http_port)) as relayed_port:
            pub.get(f"{page_server}/videoroom.html?mode=publish&simulcast=1&room={room}"
                    f"&server={server.ws_url}")
            feed = _wait_published(pub, deadline)["myId"]
            for sub, pages, api in ((free, page_server, server.http_url),
                                    (limited, shared_page_server, f"http://{address}:{relayed_port}/janus")):
                sub.get(f"{pages}/videoroom.html?mode=subscribe&room={room}&feed={feed}&server={api}")
            _wait_width(free, lambda sample: sample["frameWidth"] >= 960 and (sample.get("framesDecoded") or 0) > 60,
                        deadline, "the free subscriber is not on the top layer")
            started = time.monotonic()
            low = _wait_width(limited, lambda sample: sample["frameWidth"] <= 640 and (sample.get("framesDecoded") or 0) > 30,
                              time.monotonic() + 30, "the limited subscriber never got a lower layer")
            took = time.monotonic() - started
            before = _inbound(limited)
            time.sleep(8)
            after = _inbound(limited)
            fps = (after["framesDecoded"] - before["framesDecoded"]) / 8
            print(f"\nbottleneck 400 kbit/s: lower layer {low['frameWidth']}x{low['frameHeight']} decoded "
                  f"(within {took:.1f} s of the free one's top layer); then {fps:.1f} fps at "
                  f"{after['frameWidth']} wide, {after['freezeCount'] - before['freezeCount']} new freezes; "
                  f"free subscriber {_inbound(free).get('frameWidth')} wide; events {_events(limited, 'substream')}")
            assert after["frameWidth"] <= 640, f"the limited subscriber went back up on 400 kbit/s: {after}"
            assert fps >= 10, f"the limited subscriber decodes {fps:.1f} fps"
            assert _inbound(free)["frameWidth"] >= 960, "the free subscriber was dragged down"

            set_rate("3mbit")
            opened = time.monotonic()
            _wait_width(limited, lambda sample: sample["frameWidth"] >= 960, time.monotonic() + 30,
                        "the top layer did not come back on 3 Mbit/s")
            print(f"bottleneck lifted to 3 Mbit/s: top layer decoded after {time.monotonic() - opened:.1f} s")
    finally:
        admin.close()
