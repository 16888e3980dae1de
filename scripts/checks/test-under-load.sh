#!/usr/bin/env bash
# Runs the README's test command (scripts/test.sh) beside LOAD CPU-bound
# busy loops (default 2, on this 2-core machine: the suite gets about half
# of it), ROUNDS times (default 1), and prints each round's wall time and
# result. The suite must pass under load: its fault tests trigger at fixed
# points of a run, never on a timer.
#   scripts/checks/test-under-load.sh [LOAD] [ROUNDS]
set -uo pipefail
cd "$(dirname "$0")/../.."
load=${1:-2}
rounds=${2:-1}
hogs=()
cleanup() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
for ((i = 0; i < load; i++)); do
  (while :; do :; done) &
  hogs+=($!)
done
failed=0
for ((r = 1; r <= rounds; r++)); do
  start=$(date +%s)
  if bash scripts/test.sh >"/tmp/raftsim-loaded-$r.log" 2>&1; then result=passed; else
    result=FAILED
    failed=1
  fi
  echo "round $r under $load busy loops: $result in $(( $(date +%s) - start )) s" \
       "($(grep -E 'tests passed|tests failed' "/tmp/raftsim-loaded-$r.log" | tail -1))"
done
exit $failed
