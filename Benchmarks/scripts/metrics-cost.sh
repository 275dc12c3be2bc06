#!/usr/bin/env bash
# The CPU cost of Prometheus metrics (issue 14): the same sfu-load scenario against sfu-server
# with `--metrics off` and with metrics on the Janus HTTP listener while a scraper reads
# GET /metrics every second, alternating, ROUNDS times. Prints one JSON line per run (sfu-load's
# report with "metrics":"off"|"scraped"); compare `server_cpu_us_per_forwarded_packet`.
#
# Usage (as root, from the repository root, after the release builds of sfu-server and sfu-load):
#   ROUNDS=3 Benchmarks/scripts/metrics-cost.sh --publishers 1 --subscribers 50 --duration 10
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ "${SFU_NETNS:-}" != 1 ]]; then
    exec "$ROOT/tests/e2e/run-in-netns.sh" "$0" "$@"
fi
WORK="$(mktemp -d /tmp/sfu-metrics-cost.XXXXXX)"
source "$ROOT/Benchmarks/scripts/lib-servers.sh"
SCRAPER=""
cleanup() {
    if [[ -n "$SCRAPER" ]]; then kill "$SCRAPER" 2>/dev/null || true; fi
    stop_server
}
trap cleanup EXIT
allow_local_veth_traffic

for round in $(seq "${ROUNDS:-3}"); do
    for mode in off scraped; do
        if [[ "$mode" == off ]]; then SFU_SERVER_ARGS="--metrics off"; else SFU_SERVER_ARGS="--metrics http"; fi
        export SFU_SERVER_ARGS
        start_server swift "swift-$mode-$round"
        if [[ "$mode" == scraped ]]; then
            (while true; do curl -s -m 2 -o /dev/null "http://$SERVER_ADDR:18088/metrics"; sleep 1; done) &
            SCRAPER=$!
        fi
        echo "== round $round, metrics $mode (pid $SERVER_PID)" >&2
        "$LOAD" --url "$HTTP_URL" --local-address "$PEER_ADDR" --server-pid "$SERVER_PID" --json "$@" \
            | sed "s/^{/{\"metrics\":\"$mode\",\"round\":$round,/" || echo "{\"metrics\":\"$mode\",\"error\":\"sfu-load failed\"}"
        if [[ -n "$SCRAPER" ]]; then kill "$SCRAPER" 2>/dev/null || true; wait "$SCRAPER" 2>/dev/null || true; SCRAPER=""; fi
        stop_server
    done
done
