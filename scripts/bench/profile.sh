#!/usr/bin/env bash
# Where raftsim's time goes: perf record of one run of a config (default
# experiments/bench.ini with 1 generator), then the top frames by self time
# and the share of samples under each stage.
#   bash scripts/bench/profile.sh [CONFIG.ini] [--set KEY=VALUE]...
# Needs linux-perf (bash scripts/setup/install-deps.sh --bench) and a build.
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${1:-experiments/bench.ini}
shift || true
if ! command -v perf >/dev/null; then
  echo "profile.sh: perf is missing: bash scripts/setup/install-deps.sh --bench" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# DWARF unwinding: OpenBLAS and LibTorch have no frame pointers.
perf record -q -F 499 --call-graph dwarf,16384 -o "$tmp/perf.data" ./build/raftsim run --config "$config" \
  --set actors.generators=1 "$@" --out "$tmp/run.h5" --quiet >/dev/null 2>"$tmp/perf.log"
echo "== top frames by self time ($config, 1 generator)"
perf report -i "$tmp/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null |
  grep -E '^ +[0-9]' | head -20 | cut -c1-110
echo "== share of all samples under each stage"
perf report -i "$tmp/perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
  grep -E '\[\.\] raftsim::(generate_chunk|Trainer::train|SequencePolicy::(sample|log_prob)|TransformerDecoder::(begin|extend)|TransformerPolicy::forward)( |$)' |
  awk '{ printf "  %-8s %s\n", $1, $4 }'
