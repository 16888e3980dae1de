# Shared by the study scripts in experiments/ (source it, do not run it).
#
#   source "$(dirname "$0")/study_lib.sh" STUDY "$@"
#   study_sweep NAME [raftsim sweep arguments]   # DIR = $OUT/NAME
#       (base config experiments/STUDY.ini, or $SWEEP_CONFIG when set)
#   study_plot NAME [plot.py arguments]          # figures to $FIGURES
#   study_compare NAME KEY=BASELINE              # seed-paired comparisons
#       (raftsim summarize --compare) to $FIGURES/STUDY_NAME_compare.txt
#
# Options every study takes:
#   --quick     a variant under a minute (small grid, few iterations) that
#               proves the whole path; figures go to $OUT/figures
#   --out DIR   where run files go (default runs/studies/STUDY, or
#               runs/quick/STUDY with --quick)
#   --jobs N    runs at once (default: the number of cores)
#   --figures DIR  where figures and summaries go (default: docs/figures for
#               full runs, OUT/figures with --quick)
set -euo pipefail

STUDY=$1
shift
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RAFTSIM=${RAFTSIM:-$ROOT/build/raftsim}
PYTHON=/usr/bin/python3
QUICK=0
OUT=""
FIGURES=""
JOBS=$(nproc)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --out) OUT=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --figures) FIGURES=$2; shift ;;
    -h|--help) sed -n '2,/^source/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$STUDY: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ ! -x "$RAFTSIM" ]]; then
  echo "$STUDY: $RAFTSIM not found: build first (bash scripts/setup/build.sh)" >&2
  exit 2
fi
# The analysis scripts import the package `raftsim` built beside the program
# (<build>/python), so the figures come from the code just built.
export PYTHONPATH="$(dirname "$RAFTSIM")/python${PYTHONPATH:+:$PYTHONPATH}"
if [[ $QUICK -eq 1 ]]; then
  OUT=${OUT:-$ROOT/runs/quick/$STUDY}
  FIGURES=${FIGURES:-$OUT/figures}
else
  OUT=${OUT:-$ROOT/runs/studies/$STUDY}
  FIGURES=${FIGURES:-$ROOT/docs/figures}
fi
mkdir -p "$OUT" "$FIGURES"
CONFIG=$ROOT/experiments/$STUDY.ini

# pick FULL QUICK: the value for this mode.
pick() { if [[ $QUICK -eq 1 ]]; then echo "$2"; else echo "$1"; fi; }

study_sweep() {
  local name=$1
  shift
  local quiet=()
  [[ -t 2 ]] || quiet=(--quiet)
  "$RAFTSIM" sweep --config "${SWEEP_CONFIG:-$CONFIG}" --out "$OUT/$name" --jobs "$JOBS" "${quiet[@]}" "$@"
  "$RAFTSIM" summarize "$OUT/$name" | tee "$FIGURES/${STUDY}_${name}_summary.txt"
}

study_compare() {
  local name=$1 against=$2
  "$RAFTSIM" summarize "$OUT/$name" --compare "$against" \
    | tee "$FIGURES/${STUDY}_${name}_compare.txt"
}

study_plot() {
  local name=$1
  shift
  "$PYTHON" "$ROOT/analysis/plot.py" "$OUT/$name" --out "$FIGURES" --prefix "${STUDY}_${name}" "$@"
}
