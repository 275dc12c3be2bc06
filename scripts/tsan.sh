#!/usr/bin/env bash
# Runs the data-plane tests (media workers, cross-worker fan-out, engine end-to-end over
# loopback) under ThreadSanitizer, in a scratch path of their own so the normal .build stays
# as it is. Exit status is non-zero on any test failure or TSan report.
#
#   scripts/tsan.sh                 # the data-plane suites
#   scripts/tsan.sh SomeSuite       # other filters (passed to --filter)
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=${TSAN_SCRATCH:-.build-tsan}
FILTER=${1:-"FanOutPrimitiveTests|EngineFanOutStressTests|EngineRoomTests|EngineEchoTests|EngineDTLSFailureTests|EngineSequenceMappingTests"}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

# halt_on_error=0: collect every report; exitcode makes any report fail the run.
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0 second_deadlock_stack=1 exitcode=66}"
swift build --build-tests --sanitize=thread --scratch-path "$SCRATCH"
set +e
swift test --skip-build --sanitize=thread --scratch-path "$SCRATCH" --filter "$FILTER" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
reports=$(grep -c "WARNING: ThreadSanitizer" "$LOG" || true)
echo "tsan.sh: exit status $status, $reports ThreadSanitizer report(s)"
if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then exit 1; fi
