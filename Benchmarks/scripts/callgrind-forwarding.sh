#!/usr/bin/env bash
# Instructions and mallocs per forwarded packet of the forwarding core (issues 4, 10, 12):
# forward-replay under callgrind, 200 subscribers, 200 and 400 publisher packets, one worker and
# cross-worker, each without and with transport-wide congestion control (--twcc). The setup (real
# ICE/DTLS handshakes of 201 peers) cancels out of the difference:
#   instructions per forwarded packet = (Ir(400) − Ir(200)) / (200 packets × 200 subscribers)
# Mallocs are the malloc-family calls made inside ForwardingReplay.feed (collection toggled on
# only there), so setup allocations do not count; the first packets' one-time allocations (SRTP
# stream state, DTLS state released, the send history) do, and cancel out of the difference
# between the 200- and the 400-packet runs: that difference is the per-packet figure.
# Usage: scripts/callgrind-forwarding.sh   (from Benchmarks/; needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product forward-replay >/dev/null
# valgrind refuses some of the binary's debug info; symbols stay.
strip --strip-debug -o /tmp/forward-replay-cg .build/release/forward-replay
out=$(mktemp -d)
collected() { grep -o "Collected : [0-9]*" "$1" | grep -o "[0-9]*"; }
mallocs() {
    python3 - "$1" <<'PY'
import re, sys
names, total, callee = {}, 0, None
for line in open(sys.argv[1]):
    m = re.match(r'c?fn=\((\d+)\)(?: (.*))?', line)
    if m:
        if m.group(2): names[m.group(1)] = m.group(2).strip()
        if line.startswith('cfn'): callee = names.get(m.group(1), '')
        continue
    m = re.match(r'calls=(\d+)', line)
    if m and callee in ('malloc', 'calloc', 'realloc', 'posix_memalign', 'aligned_alloc', 'swift_slowAlloc'):
        total += int(m.group(1))
print(total)
PY
}
for variant in "" "--cross-worker" "--twcc" "--cross-worker --twcc"; do
    for packets in 200 400; do
        valgrind --tool=callgrind --callgrind-out-file="$out/ir-$packets.out" \
            /tmp/forward-replay-cg --subscribers 200 --packets $packets $variant >/dev/null 2>"$out/ir-$packets.err"
        valgrind --tool=callgrind --collect-atstart=no "--toggle-collect=*ForwardingReplay*feed*" \
            --callgrind-out-file="$out/feed-$packets.out" /tmp/forward-replay-cg --subscribers 200 --packets $packets \
            $variant >/dev/null 2>"$out/feed-$packets.err"
    done
    first=$(collected "$out/ir-200.err"); second=$(collected "$out/ir-400.err")
    once=$(mallocs "$out/feed-200.out"); twice=$(mallocs "$out/feed-400.out")
    # The first packets to each subscriber allocate once (SRTP stream state, the send history):
    # what 200 more packets add is the per-packet figure.
    echo "${variant:-one worker}: Ir 200 packets $first, 400 packets $second," \
        "instructions per forwarded packet $(( (second - first) / 40000 ))," \
        "malloc calls in feed: $once (265 × 200 packets), $twice (465 × 200):" \
        "$(( twice - once )) for the 40,000 more forwarded packets"
done
rm -rf "$out"
