# Shared by the study scripts in experiments/ (source it, do not run it).
#
#   source "$(dirname "$0")/study_lib.sh" STUDY "$@"
#   study_sweep NAME [raftsim sweep arguments]   # DIR = $OUT/NAME
#       (base config experiments/STUDY.ini, or $SWEEP_CONFIG when set)
#   study_plot NAME [plot.py arguments]          # figures to $FIGURES
#   study_compare NAME KEY=BASELINE              # seed-paired comparisons
#       (raftsim summarize --compare) to $FIGURES/STUDY_NAME_compare.txt
#   study_protocol NAME PROTOCOL                 # raftsim summarize --protocol
#       experiments/protocols/PROTOCOL.ini, to standard output
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
# Absolute, so that study_protocol can run from $ROOT.
OUT=$(cd "$OUT" && pwd)
FIGURES=$(cd "$FIGURES" && pwd)
RAFTSIM=$(cd "$(dirname "$RAFTSIM")" && pwd)/$(basename "$RAFTSIM")
CONFIG=$ROOT/experiments/$STUDY.ini

# pick FULL QUICK: the value for this mode.
pick() { if [[ $QUICK -eq 1 ]]; then echo "$2"; else echo "$1"; fi; }

study_sweep() {
  local name=$1
  shift
  local quiet=()
  [[ -t 2 ]] || quiet=(--quiet)
  # Exit 1: some runs failed (a learning rate that diverges is a result);
  # the summary names them. Anything else stops the study.
  local status=0
  "$RAFTSIM" sweep --config "${SWEEP_CONFIG:-$CONFIG}" --out "$OUT/$name" --jobs "$JOBS" "${quiet[@]}" "$@" \
    || status=$?
  [[ $status -eq 0 || $status -eq 1 ]] || exit "$status"
  [[ $status -eq 0 ]] || echo "$STUDY $name: some runs failed; the summary lists them as skipped" >&2
  # Exit 1 with every run failed (a policy that ran away is a result too):
  # the study's own analysis reads the failed runs.
  "$RAFTSIM" summarize "$OUT/$name" | tee "$FIGURES/${STUDY}_${name}_summary.txt" \
    || { echo "$STUDY $name: no complete run to summarize" >&2
         rm -f "$FIGURES/${STUDY}_${name}_summary.txt"; }
}

study_compare() {
  local name=$1 against=$2
  "$RAFTSIM" summarize "$OUT/$name" --compare "$against" \
    | tee "$FIGURES/${STUDY}_${name}_compare.txt"
}

# The protocol is named relative to the repository, as summarize prints it
# into the summary: a summary committed to docs/figures then carries no
# machine's path.
study_protocol() {
  local name=$1 protocol=$2
  (cd "$ROOT" && "$RAFTSIM" summarize "$OUT/$name" --protocol "experiments/protocols/$protocol.ini")
}

study_plot() {
  local name=$1
  shift
  "$PYTHON" "$ROOT/analysis/plot.py" "$OUT/$name" --out "$FIGURES" --prefix "${STUDY}_${name}" "$@"
}

# study_bracket NAME KEY LO HI [raftsim sweep arguments] --grid KEY=V1,V2,...
#   A grid over KEY whose best point must be inside it: runs the sweep, and
#   while `raftsim summarize` flags the best point of some group at KEY's
#   lowest (highest) value, grows the grid by that value / 3 (x 3) and runs
#   again (the sweep keeps its finished runs), until every best is inside or
#   the next value would pass LO (HI); then says which. The numbers are
#   positive (learning rates, coefficients). A sweep directory that already
#   holds runs starts from its own values of KEY joined with the given ones,
#   so the study can run again (resumed, or with a value added) where a
#   grown grid would otherwise be refused for dropping values.
study_bracket() {
  local name=$1 key=$2 lo=$3 hi=$4
  shift 4
  local args=() values=""
  while [[ $# -gt 0 ]]; do
    if [[ $1 == --grid && $2 == "$key="* ]]; then
      values=${2#"$key="}
      shift 2
    else
      args+=("$1")
      shift
    fi
  done
  [[ -n $values ]] || { echo "study_bracket: no --grid $key=... given" >&2; exit 2; }
  if [[ -f $OUT/$name/sweep.h5 ]]; then
    values=$("$PYTHON" - "$OUT/$name/sweep.h5" "$key" "$values" <<'PY'
import sys

import h5py

path, key, given = sys.argv[1:]
with h5py.File(path, "r") as f:
    column = f["table"].get(key)
    had = [v.decode() if isinstance(v, bytes) else str(v) for v in column[:]] \
        if column is not None else []
texts = {}
for text in given.split(",") + had:  # the sweep's own spelling wins
    texts[float(text)] = text
print(",".join(texts[v] for v in sorted(texts)))
PY
)
  fi
  while :; do
    study_sweep "$name" "${args[@]}" --grid "$key=$values"
    local notes edge="" next=""
    notes=$("$RAFTSIM" summarize "$OUT/$name" 2>&1 >/dev/null | grep "note: .* at $key = " || true)
    if grep -q "the lowest value of the grid" <<<"$notes"; then
      next=$(awk -v v="${values%%,*}" -v b="$lo" 'BEGIN { n = v / 3; if (n < b) print ""; else printf "%.3g", n }')
      edge=lowest
      [[ -n $next ]] && values="$next,$values"
    elif grep -q "the highest value of the grid" <<<"$notes"; then
      next=$(awk -v v="${values##*,}" -v b="$hi" 'BEGIN { n = v * 3; if (n > b) print ""; else printf "%.3g", n }')
      edge=highest
      [[ -n $next ]] && values="$values,$next"
    fi
    if [[ -z $edge ]]; then
      echo "$STUDY $name: no best $key at an edge of the grid $values (edges are judged on 3 or more values)" | tee "$FIGURES/${STUDY}_${name}_bracket.txt"
      return
    fi
    if [[ -z $next ]]; then
      echo "$STUDY $name: a best $key is at the $edge value of $values; the next step passes the stated bound [$lo, $hi]" | tee "$FIGURES/${STUDY}_${name}_bracket.txt"
      return
    fi
    echo "$STUDY $name: a best $key is at the $edge value: growing the grid to $values"
  done
}
