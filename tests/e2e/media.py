"""Generated media for aiortc peers, and the checks on what comes back.

Video: 320x240 frames whose luma carries the frame counter in big black/white
blocks (a 4x4 grid of 80x60 blocks: rows 0-1 hold the 8-bit counter, rows 2-3 its
bitwise complement), so a decoded echo can be matched to a frame we sent, and a
frame that is not ours (or is corrupted) fails the complement check. Blocks are
large and flat so that VP8/H.264 at low bitrates keep them readable.

Audio: a 440 Hz tone, 48 kHz mono, 20 ms frames.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from dataclasses import dataclass, field

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

WIDTH, HEIGHT = 320, 240
COLS, ROWS = 4, 4
BLOCK_W, BLOCK_H = WIDTH // COLS, HEIGHT // ROWS
VIDEO_CLOCK = 90000
VIDEO_FPS = 30
BLACK, WHITE = 16, 235  # studio-range luma


def _bits(value: int) -> list[int]:
    return [(value >> (7 - i)) & 1 for i in range(8)]


def encode_pattern(counter: int) -> np.ndarray:
    """The yuv420p plane stack (shape (H*3/2, W)) for frame `counter`."""
    value = counter & 0xFF
    bits = _bits(value) + _bits(value ^ 0xFF)
    y = np.empty((HEIGHT, WIDTH), dtype=np.uint8)
    for i, bit in enumerate(bits):
        r, c = divmod(i, COLS)
        y[r * BLOCK_H:(r + 1) * BLOCK_H, c * BLOCK_W:(c + 1) * BLOCK_W] = WHITE if bit else BLACK
    chroma = np.full((HEIGHT // 2, WIDTH), 128, dtype=np.uint8)  # U and V planes, neutral
    return np.concatenate([y, chroma])


def decode_pattern(frame: av.VideoFrame) -> int | None:
    """The counter carried by a decoded frame, or None if the frame is not one of ours."""
    if frame.width != WIDTH or frame.height != HEIGHT:
        frame = frame.reformat(width=WIDTH, height=HEIGHT)
    y = frame.to_ndarray(format="yuv420p")[:HEIGHT]
    bits = []
    for i in range(16):
        r, c = divmod(i, COLS)
        # Sample the middle of the block: edges blur under compression.
        block = y[r * BLOCK_H + BLOCK_H // 4:(r + 1) * BLOCK_H - BLOCK_H // 4,
                  c * BLOCK_W + BLOCK_W // 4:(c + 1) * BLOCK_W - BLOCK_W // 4]
        mean = float(block.mean())
        if 70 < mean < 180:  # neither black nor white: not our pattern
            return None
        bits.append(1 if mean >= 128 else 0)
    value = int("".join(map(str, bits[:8])), 2)
    check = int("".join(map(str, bits[8:])), 2)
    if value ^ check != 0xFF:
        return None
    return value


class PatternVideoTrack(MediaStreamTrack):
    """Video track whose every frame is different (see module doc)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            wait = self._start + self.sent / VIDEO_FPS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        frame = av.VideoFrame.from_ndarray(encode_pattern(self.sent), format="yuv420p")
        frame.pts = self.sent * (VIDEO_CLOCK // VIDEO_FPS)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.sent += 1
        return frame


class ToneAudioTrack(MediaStreamTrack):
    """440 Hz sine, 48 kHz mono s16, 20 ms frames."""

    kind = "audio"
    RATE = 48000
    SAMPLES = 960

    def __init__(self, frequency: float = 440.0) -> None:
        super().__init__()
        self.sent = 0
        self._start: float | None = None
        t = np.arange(self.RATE) / self.RATE
        self._wave = (np.sin(2 * math.pi * frequency * t) * 8000).astype(np.int16)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            wait = self._start + self.sent * self.SAMPLES / self.RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        offset = (self.sent * self.SAMPLES) % self.RATE
        samples = np.take(self._wave, range(offset, offset + self.SAMPLES), mode="wrap")
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.RATE
        frame.pts = self.sent * self.SAMPLES
        frame.time_base = fractions.Fraction(1, self.RATE)
        self.sent += 1
        return frame


@dataclass
class ReceivedMedia:
    """What an aiortc peer decoded from the tracks it received."""

    video_frames: int = 0
    video_matched: int = 0          # frames whose pattern decoded to a counter
    video_counters: list[int] = field(default_factory=list)
    video_stale: int = 0            # matched, but not a recently sent counter (> 3 s old)
    video_fresh: int = 0            # matched, and at most 0.5 s behind what we send now
    audio_frames: int = 0
    audio_loud: int = 0             # frames with signal (our tone, not silence)
    errors: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        self.changed.set()

    async def wait_until(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}: {self.summary()}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass

    def summary(self) -> str:
        last = self.video_counters[-5:]
        return (f"video frames={self.video_frames} matched={self.video_matched} "
                f"stale={self.video_stale} fresh={self.video_fresh} last counters={last} audio frames={self.audio_frames} "
                f"loud={self.audio_loud} errors={self.errors[:3]}")


async def consume_video(track: MediaStreamTrack, sender: PatternVideoTrack, out: ReceivedMedia) -> None:
    try:
        while True:
            frame = await track.recv()
            out.video_frames += 1
            counter = decode_pattern(frame)
            if counter is not None:
                out.video_matched += 1
                out.video_counters.append(counter)
                # The echo of frame n must come back while we send frames n..n+~90 (3 s).
                lag = (sender.sent - 1 - counter) & 0xFF
                if lag > 90:
                    out.video_stale += 1
                if lag <= 15:
                    out.video_fresh += 1
            out.notify()
    except MediaStreamError:
        pass
    except Exception as e:  # surfaced by the test through `errors`
        out.errors.append(repr(e))
        out.notify()


async def consume_audio(track: MediaStreamTrack, out: ReceivedMedia) -> None:
    try:
        while True:
            frame = await track.recv()
            out.audio_frames += 1
            samples = frame.to_ndarray()
            if samples.size and float(np.abs(samples.astype(np.int32)).max()) > 1000:
                out.audio_loud += 1
            out.notify()
    except MediaStreamError:
        pass
    except Exception as e:
        out.errors.append(repr(e))
        out.notify()
