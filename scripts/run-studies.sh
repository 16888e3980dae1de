#!/usr/bin/env bash
# Runs the nine shipped studies (experiments/*_sweep.sh, bon_theory.sh,
# rm_overoptimization.sh, rl_vs_raft.sh, diffusion_raft.sh):
#   scripts/run-studies.sh           full studies; figures to docs/figures/
#   scripts/run-studies.sh --quick   the quick variants into a temporary
#                                    directory, checking that every step
#                                    (sweep -> summarize -> plot) produced
#                                    its files; CI runs this through CTest
set -euo pipefail
cd "$(dirname "$0")/.."
studies=(bon_theory k_sweep acceptance_sweep noise_sweep staleness_sweep temperature_kl_sweep rest_vs_raft
         rm_overoptimization rl_vs_raft diffusion_raft)
if [[ "${1:-}" != "--quick" ]]; then
  for s in "${studies[@]}"; do
    echo "== $s"
    start=$(date +%s)
    bash "experiments/$s.sh"
    echo "== $s took $(( $(date +%s) - start )) s"
  done
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in "${studies[@]}"; do
  start=$(date +%s)
  bash "experiments/$s.sh" --quick --out "$tmp/$s" >"$tmp/$s.log" 2>&1 \
    || { cat "$tmp/$s.log"; echo "study $s failed"; exit 1; }
  pngs=$(find "$tmp/$s/figures" -name '*.png' | wc -l)
  summaries=$(find "$tmp/$s/figures" -name '*_summary.txt' | wc -l)
  if [[ $pngs -lt 1 || $summaries -lt 1 ]]; then
    cat "$tmp/$s.log"
    echo "study $s: expected figures and summaries in $tmp/$s/figures, found $pngs PNG, $summaries summaries"
    exit 1
  fi
  # Every sweep loads into one tidy table (analysis/tidy.py, docs/hdf5-layout.md).
  for manifest in "$tmp/$s"/*/sweep.h5; do
    /usr/bin/python3 analysis/tidy.py "$(dirname "$manifest")" >/dev/null \
      || { echo "study $s: analysis/tidy.py could not load $(dirname "$manifest")"; exit 1; }
  done
  echo "study $s (quick): $pngs figures, $summaries summaries, $(( $(date +%s) - start )) s"
done
