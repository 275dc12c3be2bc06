#!/usr/bin/env bash
# Run from the repository root after building sfu-server and sfu-load (release). Loopback only.
# One fresh server per run; prints its RSS before the run (idle) and at the start/end of the
# measured window, with loss and CPU per forwarded packet.
# usage: memrun.sh PUBLISHERS SUBSCRIBERS -> prints server RSS start/end (MB) from sfu-load JSON
P=$1; S=$2; PORT=$((18100 + RANDOM % 500))
${SFU_SERVER_BIN:-.build/release/sfu-server} --ice-address 127.0.0.1 --http 127.0.0.1:$PORT --ws off --media-ports 42000-42010 --log-level error >/dev/null 2>&1 &
PID=$!
for i in $(seq 50); do curl -s http://127.0.0.1:$PORT/janus/info >/dev/null && break; sleep 0.1; done
RSS0=$(awk '{print $2*4096/1048576}' /proc/$PID/statm)
${SFU_LOAD_BIN:-Benchmarks/.build/release/sfu-load} --url http://127.0.0.1:$PORT/janus --local-address 127.0.0.1 --publishers $P --subscribers $S --duration 5 --server-pid $PID --json 2>/dev/null > ${TMPDIR:-/tmp}/mem-$P-$S.json
python3 -c "import json;d=json.load(open('${TMPDIR:-/tmp}/mem-$P-$S.json'));print('P=$P S=$S idle_rss=%.1f start=%s end=%s loss=%s cpu_us=%s' % ($RSS0, d['server_rss_start_mb'], d['server_rss_mb'], d['loss_ratio'], d['cpu_us_per_forwarded_packet']))"
kill $PID; wait $PID 2>/dev/null
