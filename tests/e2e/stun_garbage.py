"""STUN messages (RFC 8489) and garbage datagrams for the media-port robustness tests.

Only what the tests need: a Binding request with chosen USERNAME and a
MESSAGE-INTEGRITY computed with a chosen (wrong) key, a response parser, and
generators of malformed datagrams that look like each protocol demultiplexed on
a WebRTC port (RFC 7983: STUN 0-3, DTLS 20-63, RTP/RTCP 128-191).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import struct
import zlib
from dataclasses import dataclass

MAGIC_COOKIE = 0x2112A442
BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
BINDING_ERROR = 0x0111
ATTR_USERNAME = 0x0006
ATTR_MESSAGE_INTEGRITY = 0x0008
ATTR_ERROR_CODE = 0x0009
ATTR_PRIORITY = 0x0024
ATTR_USE_CANDIDATE = 0x0025
ATTR_FINGERPRINT = 0x8028
ATTR_ICE_CONTROLLING = 0x802A
FINGERPRINT_XOR = 0x5354554E


def _attr(kind: int, value: bytes) -> bytes:
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", kind, len(value)) + value + b"\x00" * pad


def _header(kind: int, body_len: int, txid: bytes) -> bytes:
    return struct.pack("!HHI", kind, body_len, MAGIC_COOKIE) + txid


def binding_request(username: str, key: bytes, txid: bytes | None = None,
                    use_candidate: bool = False) -> tuple[bytes, bytes]:
    """A Binding request as an ICE controlling agent would send, with
    MESSAGE-INTEGRITY keyed by `key` (pass a wrong key to test rejection) and a
    correct FINGERPRINT. Returns (datagram, transaction id)."""
    txid = txid or os.urandom(12)
    attrs = _attr(ATTR_USERNAME, username.encode())
    attrs += _attr(ATTR_PRIORITY, struct.pack("!I", 0x6E7F1EFF))
    attrs += _attr(ATTR_ICE_CONTROLLING, os.urandom(8))
    if use_candidate:
        attrs += _attr(ATTR_USE_CANDIDATE, b"")
    # MESSAGE-INTEGRITY covers the header with the length up to and including itself.
    length_with_mi = len(attrs) + 24
    mac = hmac.new(key, _header(BINDING_REQUEST, length_with_mi, txid) + attrs, hashlib.sha1).digest()
    attrs += _attr(ATTR_MESSAGE_INTEGRITY, mac)
    length_with_fp = len(attrs) + 8
    crc = zlib.crc32(_header(BINDING_REQUEST, length_with_fp, txid) + attrs) ^ FINGERPRINT_XOR
    attrs += _attr(ATTR_FINGERPRINT, struct.pack("!I", crc & 0xFFFFFFFF))
    return _header(BINDING_REQUEST, len(attrs), txid) + attrs, txid


@dataclass
class StunResponse:
    kind: int
    txid: bytes
    error_code: int | None

    @property
    def is_success(self) -> bool:
        return self.kind == BINDING_SUCCESS

    @property
    def is_error(self) -> bool:
        return self.kind == BINDING_ERROR


def parse_response(data: bytes) -> StunResponse | None:
    """A STUN message header and its ERROR-CODE, or None if `data` is not STUN."""
    if len(data) < 20:
        return None
    kind, length, cookie = struct.unpack("!HHI", data[:8])
    if cookie != MAGIC_COOKIE or kind & 0xC000 or 20 + length > len(data):
        return None
    txid = data[8:20]
    error_code = None
    pos = 20
    while pos + 4 <= 20 + length:
        akind, alen = struct.unpack("!HH", data[pos:pos + 4])
        value = data[pos + 4:pos + 4 + alen]
        if akind == ATTR_ERROR_CODE and len(value) >= 4:
            error_code = (value[2] & 0x07) * 100 + value[3]
        pos += 4 + alen + (4 - alen % 4) % 4
    return StunResponse(kind, txid, error_code)


def garbage_datagrams(rng: random.Random, count: int = 200) -> list[bytes]:
    """Malformed datagrams in every demux class, plus pure noise."""
    out: list[bytes] = []

    def noise(n: int) -> bytes:
        return bytes(rng.getrandbits(8) for _ in range(n))

    txid = noise(12)
    # STUN-class: truncated headers, wrong cookie, lengths beyond the datagram,
    # attributes overrunning the message, zero-length, unknown comprehension-required attrs.
    out += [b"\x00", b"\x00\x01", b"\x00\x01\x00\x00", _header(BINDING_REQUEST, 0, txid)[:19]]
    out.append(struct.pack("!HHI", BINDING_REQUEST, 0, 0xDEADBEEF) + txid)
    out.append(_header(BINDING_REQUEST, 400, txid) + noise(8))
    out.append(_header(BINDING_REQUEST, 8, txid) + struct.pack("!HH", ATTR_USERNAME, 500) + b"abcd")
    out.append(_header(BINDING_REQUEST, 4, txid) + struct.pack("!HH", ATTR_USERNAME, 0))
    out.append(_header(BINDING_REQUEST, 8, txid) + struct.pack("!HH", 0x0001, 4) + noise(4))
    out.append(_header(BINDING_REQUEST, 24, txid) + struct.pack("!HH", ATTR_MESSAGE_INTEGRITY, 20)
               + noise(20))
    out.append(_header(BINDING_SUCCESS, 12, txid) + struct.pack("!HH", 0x0020, 8) + noise(8))
    out.append(_header(BINDING_REQUEST, 8, txid) + struct.pack("!HH", ATTR_FINGERPRINT, 4) + noise(4))
    for _ in range(20):
        body = noise(rng.randrange(0, 120) * 4)
        out.append(_header(rng.choice([0x0001, 0x0011, 0x0101, 0x0111, 0x0003]), len(body), noise(12))
                   + body)
    # DTLS-class: records with bogus versions/epochs/lengths, truncated handshakes.
    for ctype in (20, 21, 22, 23, 24, 25, 63):
        out.append(bytes([ctype, 0xFE, 0xFD]) + noise(8) + struct.pack("!H", 5000) + noise(20))
        out.append(bytes([ctype, 0xFE, 0xFD]) + b"\x00\x00" + noise(6) + struct.pack("!H", 0))
        out.append(bytes([ctype]) + noise(rng.randrange(0, 12)))
    out.append(bytes([22, 0xFE, 0xFF]) + b"\x00" * 8 + struct.pack("!H", 12) + b"\x01" + b"\xff" * 11)
    # RTP/RTCP-class: headers with CSRC counts, extensions and padding that overrun,
    # RTCP with lengths beyond the datagram, unknown payload types, random SSRCs.
    out.append(b"\x80")
    out.append(b"\x80\x60\x00\x01")
    out.append(b"\x8f\x60" + noise(10))                               # 15 CSRCs, no room
    out.append(b"\x90\x60" + noise(10) + b"\xbe\xde\xff\xff")          # extension overrun
    out.append(b"\xa0\x60" + noise(10) + b"\xff")                       # padding > payload
    out.append(b"\x80\xc8\xff\xff" + noise(8))                         # SR, length overrun
    out.append(b"\x81\xcd\x00\x02" + noise(8))                         # generic NACK, short
    out.append(b"\x81\xce\x00\x00")                                    # PLI, truncated
    for pt in (0x60, 0x6f, 0xc8, 0xc9, 0xcd, 0xce, 0x00, 0x7f):
        out.append(bytes([0x80 | rng.randrange(0, 64), pt]) + noise(rng.randrange(10, 1200)))
    # Other first bytes (64-127, 192-255) and pure noise of every size.
    while len(out) < count:
        n = rng.choice([1, 2, 3, 7, 20, 21, 100, 500, 1200, 1472, rng.randrange(1, 1500)])
        out.append(noise(n))
    rng.shuffle(out)
    return out
