#!/usr/bin/env python3
"""Stand-in for `sfu-server` that runs the real Janus with the same command-line contract.

It exists to check the harness's `swift` code path (flags, readiness, logs) before our
server can run the echotest, and documents the expected flags executably:

    SFU_E2E_SERVER=swift SFU_SERVER_BIN=tests/e2e/tools/janus-as-sfu-server.py \
        tests/e2e/run-in-netns.sh python3 -m pytest -v tests/e2e

Flags (all of sfu-server's that the harness uses, plus the rest of the contract):
  --http HOST:PORT          Janus HTTP API (base path /janus)
  --ws HOST:PORT            Janus WebSocket API (subprotocol janus-protocol)
  --ice-address ADDR        address to gather/advertise ICE candidates on (repeatable)
  --media-ports LOW-HIGH    UDP port range for media
  --session-timeout SECONDS Janus session timeout (default 60)
  --log-level LEVEL         trace|debug|info|notice|warning|error|critical
  --config FILE             accepted and ignored here
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from janus_config import write_janus_config  # noqa: E402

LOG_LEVELS = {"trace": 7, "debug": 5, "info": 4, "notice": 4, "warning": 3, "error": 2, "critical": 1}


def host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def port_range(value: str) -> tuple[int, int]:
    low, sep, high = value.partition("-")
    if not sep or not low.isdigit() or not high.isdigit() or int(low) > int(high):
        raise argparse.ArgumentTypeError(f"expected LOW-HIGH, got {value!r}")
    return int(low), int(high)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--http", type=host_port, required=True)
    p.add_argument("--ws", type=host_port, required=True)
    p.add_argument("--ice-address", action="append", required=True)
    p.add_argument("--media-ports", type=port_range, default=(40000, 40100))
    p.add_argument("--session-timeout", type=int, default=60)
    p.add_argument("--log-level", choices=sorted(LOG_LEVELS), default="info")
    p.add_argument("--config")
    args = p.parse_args()
    confdir = Path(tempfile.mkdtemp(prefix="janus-as-sfu-"))
    jcfg = write_janus_config(confdir, http=args.http, ws=args.ws, ice_addresses=args.ice_address,
                              media_ports=args.media_ports, session_timeout=args.session_timeout,
                              debug_level=LOG_LEVELS[args.log_level],
                              plugins=("echotest", "videoroom"))
    janus = os.environ.get("JANUS_BIN", "/usr/bin/janus")
    os.execv(janus, [janus, "-F", str(confdir), "-C", str(jcfg)])


if __name__ == "__main__":
    main()
