#!/usr/bin/env bash
# Every sfu-load scenario of issue 4 against our sfu-server and the real Janus 1.1.2, one
# server after the other per scenario, in the same run on the same machine, inside the
# private network namespace of tests/e2e/run-in-netns.sh (see compare-janus.sh for why).
# Writes one JSON file per (scenario, server), then a markdown table (ours, Janus, ratio) on
# stdout and in $OUT/table.md, ready to paste into BENCHMARKS.md.
#
# Usage (as root, from the repository root, after
#   swift build -c release --product sfu-server && (cd Benchmarks && swift build -c release --product sfu-load)):
#   Benchmarks/scripts/scenarios.sh
# Environment: DURATION (measured seconds per run, 20), SCENARIOS (names to run, default all),
# SFU_LOAD_SERVERS ("swift janus"), SFU_LOAD_TRANSPORT (http | ws), OUT (result folder),
# EXTRA (more sfu-load flags for every run).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ "${SFU_NETNS:-}" != 1 ]]; then
    exec "$ROOT/tests/e2e/run-in-netns.sh" "$0" "$@"
fi
OUT="${OUT:-/tmp/sfu-load-scenarios.$(date -u +%Y%m%dT%H%M%S)}"
mkdir -p "$OUT"
WORK="$OUT"
source "$ROOT/Benchmarks/scripts/lib-servers.sh"
trap stop_server EXIT
allow_local_veth_traffic
DURATION="${DURATION:-20}"

# name | sfu-load flags (each subscriber subscribes to every publisher)
ALL_SCENARIOS=(
    "1to50|--publishers 1 --subscribers 50"
    "1to100|--publishers 1 --subscribers 100"
    "1to200|--publishers 1 --subscribers 200"
    "1to200-video2500|--publishers 1 --subscribers 200 --no-audio --video-bitrate 2500000"
    "4to20|--publishers 4 --subscribers 20"
    "audio10to300|--publishers 10 --subscribers 300 --no-video"
)

{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "sfu-server: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), janus: $(janus --version 2>/dev/null | sed -n 1p)"
    echo "transport: ${SFU_LOAD_TRANSPORT:-http}, duration: $DURATION s, extra flags: ${EXTRA:-none}"
} >"$OUT/machine.txt"

for entry in "${ALL_SCENARIOS[@]}"; do
    name="${entry%%|*}"; flags="${entry#*|}"
    if [[ -n "${SCENARIOS:-}" && " $SCENARIOS " != *" $name "* ]]; then continue; fi
    for server in ${SFU_LOAD_SERVERS:-swift janus}; do
        start_server "$server" "$name-$server"
        URL="$HTTP_URL"; [[ "${SFU_LOAD_TRANSPORT:-http}" == ws ]] && URL="$WS_URL"
        load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "== $name on $server (pid $SERVER_PID, $URL), load average $load_before" >&2
        # shellcheck disable=SC2086
        if ! "$LOAD" --url "$URL" --local-address "$PEER_ADDR" --server-pid "$SERVER_PID" --duration "$DURATION" \
            --json $flags ${EXTRA:-} >"$OUT/$name-$server.json" 2>"$OUT/$name-$server.progress"; then
            echo "   sfu-load failed (see $OUT/$name-$server.progress)" >&2
        fi
        echo "$load_before $(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/$name-$server.load"
        stop_server
        sleep 1
    done
done

python3 - "$OUT" <<'PY' | tee "$OUT/table.md"
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
names = {
    "1to50": "1 → 50", "1to100": "1 → 100", "1to200": "1 → 200",
    "1to200-video2500": "1 → 200, video only 2.5 Mbit/s", "4to20": "4 ↔ 20", "audio10to300": "audio-only 10 → 300",
}
def load(name, server):
    path = out / f"{name}-{server}.json"
    try:
        return json.loads(path.read_text().strip().splitlines()[-1])
    except Exception:
        return None
def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)
print("\n".join(f"<!-- {line} -->" for line in (out / "machine.txt").read_text().splitlines()))
print()
print("| scenario | server | delivered / expected (loss) | latency p50 / p99 | server CPU | µs per forwarded packet | forwarded packets per CPU-s | RSS | harness CPU | other work on the machine (load avg before) |")
print("|---|---|---|---|---|---|---|---|---|---|")
ratios = {}
for name, label in names.items():
    results = {server: load(name, server) for server in ("swift", "janus")}
    for server, result in results.items():
        if result is None:
            if (out / f"{name}-{server}.progress").exists():
                print(f"| {label} | {server} | failed | | | | | | | |")
            continue
        loadavg = (out / f"{name}-{server}.load").read_text().split() if (out / f"{name}-{server}.load").exists() else []
        other = result.get("other_cpu_s")
        load_text = (f"{other:.1f} CPU-s of {result.get('cpus', '?')} × {result['duration_s']:.0f} s" if other is not None else "?") + (f" ({loadavg[0]})" if loadavg else "")
        latency = result["latency_ms"]
        print(f"| {label} | {'swift-sfu' if server == 'swift' else 'Janus 1.1.2'} "
              f"| {result['packets_received']} / {result['expected_deliveries']} ({result['loss_ratio'] * 100:.3f} %) "
              f"| {latency['p50']:.2f} / {latency['p99']:.2f} ms | {fmt(result['server_cpu_s'], '.2f')} s "
              f"| {fmt(result['cpu_us_per_forwarded_packet'], '.2f')} | {fmt(result.get('forwarded_packets_per_server_cpu_s'), ',.0f')} "
              f"| {fmt(result['server_rss_mb'], '.1f')} MB | {result['load_cpu_s']:.1f} s | {load_text} |")
    ours, janus = results["swift"], results["janus"]
    if ours and janus and ours.get("cpu_us_per_forwarded_packet") and janus.get("cpu_us_per_forwarded_packet"):
        ratios[label] = ours["cpu_us_per_forwarded_packet"] / janus["cpu_us_per_forwarded_packet"]
print()
print("| scenario | CPU per forwarded packet, ours ÷ Janus (target ≤ 0.2) |")
print("|---|---|")
for label, ratio in ratios.items():
    print(f"| {label} | {ratio:.3f} {'✔' if ratio <= 0.2 else '✘'} |")
print()
for name in ("1to200", "1to200-video2500"):
    ours = load(name, "swift")
    if ours and ours.get("forwarded_packets_per_server_cpu_s"):
        rate = ours["forwarded_packets_per_server_cpu_s"]
        print(f"- {names[name]} (SRTP {', '.join(ours.get('srtp_profiles', []))}, mean payload {ours.get('mean_payload_bytes')} B): "
              f"{rate:,.0f} forwarded packets per server CPU-second (target ≥ 300,000) {'✔' if rate >= 300000 else '✘'}")
ours = load("1to100", "swift")
if ours:
    p99 = ours["latency_ms"]["p99"]
    print(f"- 1 → 100: p99 one-way latency through swift-sfu {p99:.2f} ms (target: p99 added by the server ≤ 1 ms) {'✔' if p99 <= 1 else '✘'}")
PY
echo "results in $OUT" >&2
