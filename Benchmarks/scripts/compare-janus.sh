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
# SFU_LOAD_SERVERS="swift janus" picks the servers, SFU_LOAD_TRANSPORT=ws the WebSocket API.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ "${SFU_NETNS:-}" != 1 ]]; then
    exec "$ROOT/tests/e2e/run-in-netns.sh" "$0" "$@"
fi
WORK="$(mktemp -d /tmp/sfu-load-compare.XXXXXX)"
source "$ROOT/Benchmarks/scripts/lib-servers.sh"
trap stop_server EXIT
allow_local_veth_traffic

for server in ${SFU_LOAD_SERVERS:-swift janus}; do
    start_server "$server" "$server"
    URL="$HTTP_URL"; [[ "${SFU_LOAD_TRANSPORT:-http}" == ws ]] && URL="$WS_URL"
    echo "== $server (pid $SERVER_PID, $URL)" >&2
    "$LOAD" --url "$URL" --local-address "$PEER_ADDR" --server-pid "$SERVER_PID" --json "$@" \
        | sed "s/^{/{\"server\":\"$server\",/" || echo "{\"server\":\"$server\",\"error\":\"sfu-load failed\"}"
    stop_server
done
