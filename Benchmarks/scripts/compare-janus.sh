#!/usr/bin/env bash
# Runs one sfu-load scenario against our sfu-server and then against the real Janus 1.1.2
# (videoroom), both inside a private network namespace (tests/e2e/run-in-netns.sh: the
# servers on 10.203.0.1, the peers on 10.203.0.2 — libnice does not gather loopback
# candidates, so Janus needs a non-loopback address, and the namespace gives one without
# touching the host's interfaces). Prints one JSON line per server on stdout.
#
# Usage (as root, from the repository root, after
#   swift build -c release --product sfu-server && (cd Benchmarks && swift build -c release --product sfu-load)):
#   Benchmarks/scripts/compare-janus.sh [sfu-load flags...]    e.g. --publishers 1 --subscribers 10 --duration 10
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ "${SFU_NETNS:-}" != 1 ]]; then
    exec "$ROOT/tests/e2e/run-in-netns.sh" "$0" "$@"
fi
# libnice pins its sockets to the interface (IP_UNICAST_IF = veth-sfu0), so Janus's packets to
# the peer address leave through the veth pair and arrive on veth-sfu1 from an address that is
# local too: accept them (these sysctls belong to the private namespace only).
for conf in all default veth-sfu0 veth-sfu1; do
    sysctl -q -w "net.ipv4.conf.$conf.accept_local=1" "net.ipv4.conf.$conf.rp_filter=0" >/dev/null 2>&1 || true
done
SERVER_ADDR="${SFU_TEST_ADDRESS:-10.203.0.1}"
PEER_ADDR="${SFU_PEER_ADDRESS:-10.203.0.2}"
LOAD="$ROOT/Benchmarks/.build/release/sfu-load"
WORK="$(mktemp -d /tmp/sfu-load-compare.XXXXXX)"
SERVERS="${SFU_LOAD_SERVERS:-swift janus}"
SERVER_PID=""
cleanup() { if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

wait_http() {
    for _ in $(seq 100); do
        if curl -s -m 1 -X POST -d '{"janus":"info","transaction":"x"}' "http://$SERVER_ADDR:$1/janus" | grep -q server_info; then return 0; fi
        sleep 0.1
    done
    echo "server on port $1 did not come up" >&2; return 1
}

for server in $SERVERS; do
    case "$server" in
    swift)
        "$ROOT/.build/release/sfu-server" --ice-address "$SERVER_ADDR" --http "$SERVER_ADDR:18088" --ws off \
            --media-ports 41000-41010 --log-level error >"$WORK/swift.log" 2>&1 &
        SERVER_PID=$!; PORT=18088 ;;
    janus)
        python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests/e2e')
from pathlib import Path
from janus_config import write_janus_config
write_janus_config(Path('$WORK/janus-conf'), http=('$SERVER_ADDR', 18089), ws=('$SERVER_ADDR', 18189),
                   ice_addresses=['$SERVER_ADDR'], media_ports=(42000, 44000), debug_level=int('${JANUS_DEBUG:-2}'), plugins=('videoroom',))"
        if [[ "${JANUS_NICE_DEBUG:-}" == 1 ]]; then sed -i 's/nice_debug = false/nice_debug = true/' "$WORK/janus-conf/janus.jcfg"; fi
        janus -F "$WORK/janus-conf" -C "$WORK/janus-conf/janus.jcfg" >"$WORK/janus.log" 2>&1 &
        SERVER_PID=$!; PORT=18089 ;;
    *) echo "unknown server $server" >&2; exit 2 ;;
    esac
    wait_http "$PORT"
    echo "== $server (pid $SERVER_PID)" >&2
    "$LOAD" --url "http://$SERVER_ADDR:$PORT/janus" --local-address "$PEER_ADDR" --server-pid "$SERVER_PID" --json "$@" \
        | sed "s/^{/{\"server\":\"$server\",/" || echo "{\"server\":\"$server\",\"error\":\"sfu-load failed\"}"
    cleanup; SERVER_PID=""
done
