#!/usr/bin/env bash
# Prints every speed number raftsim tracks (no pass/fail: numbers to read).
#   1. raftsim bench on the bandit, transformer and GRU workloads: samples/s,
#      tokens/s, time per stage, overhead share, peak RSS, 2-vs-1 generator
#      speed-up, per-token sampling cost at response length 8 vs 32;
#   2. a 4-run sweep of experiments/bench.ini with --jobs 2 against --jobs 1
#      (target: <= 0.6x the wall time).
# Build first (bash scripts/build.sh). Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
raftsim=./build/raftsim
for config in experiments/bench_bandit.ini experiments/bench.ini experiments/bench_gru.ini; do
  "$raftsim" bench --config "$config"
  echo
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sweep() {
  local jobs=$1
  local start end
  start=$(date +%s.%N)
  "$raftsim" sweep --config experiments/bench.ini --grid seed=1,2,3,4 --out "$tmp/jobs$jobs" \
    --jobs "$jobs" --quiet >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
one=$(sweep 1)
two=$(sweep 2)
printf '4-run sweep of experiments/bench.ini: --jobs 1 %.1f s, --jobs 2 %.1f s, ratio %.2f (target <= 0.6)\n' \
  "$one" "$two" "$(awk -v a="$one" -v b="$two" 'BEGIN { print b / a }')"
