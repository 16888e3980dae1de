#!/usr/bin/env bash
# Runs the eleven shipped studies (experiments/*_sweep.sh, bon_theory.sh,
# rest_vs_raft.sh, rm_overoptimization.sh, rl_vs_raft.sh, diffusion_raft.sh,
# tuning_cost.sh):
#   scripts/studies/run-studies.sh           full studies; figures to docs/figures/
#   scripts/studies/run-studies.sh --quick [STUDY...]
#                                    the quick variants (of every study, or
#                                    of those named) into a temporary
#                                    directory, checking that every step
#                                    (sweep -> summarize -> plot) produced
#                                    its files, and that the summaries are
#                                    reproducible: each quick study runs a
#                                    second time, one run at a time, and
#                                    every sweep's summary must come out the
#                                    same (timing aside); CI runs each
#                                    study as a CTest test of the label
#                                    "studies" (.ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
studies=(bon_theory k_sweep acceptance_sweep noise_sweep staleness_sweep temperature_kl_sweep rest_vs_raft
         rm_overoptimization rl_vs_raft diffusion_raft tuning_cost)
if [[ "${1:-}" != "--quick" ]]; then
  for s in "${studies[@]}"; do
    echo "== $s"
    start=$(date +%s)
    bash "experiments/$s.sh"
    echo "== $s took $(( $(date +%s) - start )) s"
  done
  exit 0
fi
shift
if [[ $# -gt 0 ]]; then
  for s in "$@"; do
    [[ " ${studies[*]} " == *" $s "* ]] \
      || { echo "run-studies.sh: unknown study '$s' (one of: ${studies[*]})" >&2; exit 2; }
  done
  studies=("$@")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raftsim=${RAFTSIM:-./build/raftsim}
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
  # Every sweep loads into one tidy table (raftsim.load_sweep, docs/hdf5-layout.md).
  for manifest in "$tmp/$s"/*/sweep.h5; do
    PYTHONPATH="$(dirname "$raftsim")/python" /usr/bin/python3 -m raftsim.tidy "$(dirname "$manifest")" >/dev/null \
      || { echo "study $s: raftsim.tidy could not load $(dirname "$manifest")"; exit 1; }
  done
  # Reproducible: the same study again, one run at a time (another order of
  # messages and workers), gives the same summary of every sweep, to the
  # last printed digit; the seconds-per-iteration column (last) is timing.
  bash "experiments/$s.sh" --quick --jobs 1 --out "$tmp/$s.again" >"$tmp/$s.again.log" 2>&1 \
    || { cat "$tmp/$s.again.log"; echo "study $s failed on its second run"; exit 1; }
  for manifest in "$tmp/$s"/*/sweep.h5; do
    sweep=$(basename "$(dirname "$manifest")")
    for side in "$s" "$s.again"; do
      "$raftsim" summarize "$tmp/$side/$sweep" --format csv 2>/dev/null | sed 's/,[^,]*$//' \
        >"$tmp/$side.$sweep.csv"
    done
    if ! cmp -s "$tmp/$s.$sweep.csv" "$tmp/$s.again.$sweep.csv"; then
      diff "$tmp/$s.$sweep.csv" "$tmp/$s.again.$sweep.csv" | head -20
      echo "study $s: sweep $sweep's summary differs between two runs of the same quick study"
      exit 1
    fi
  done
  echo "study $s (quick): $pngs figures, $summaries summaries, reproduced; $(( $(date +%s) - start )) s"
done
