#!/usr/bin/env bash
# Generator nodes on this machine (issue 14): the standard workload
# (experiments/bench.ini, 30 iterations, staleness 0 and 1) in one process
# with 2 generators, against a coordinator with no local generator plus
# 2 `raftsim node` processes with 1 generator each, over loopback in plain
# TCP and in mutual TLS. Prints the median seconds per iteration (rows 3..,
# over 3 runs) and the bytes that crossed to the nodes per iteration (what
# `raftsim run` reports: CAF-serialised payloads, before BASP and TLS
# framing). No pass/fail: numbers to read. About 2 minutes on 2 cores.
#
#   bash scripts/bench/bench-nodes.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
raftsim=./build/raftsim
python=/usr/bin/python3
iterations=${1:-30}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

bash scripts/fixtures/make-test-ca.sh "$tmp/ca" node1 node2 run >/dev/null
tls() { echo "--tls-cert $tmp/ca/$1.pem --tls-key $tmp/ca/$1.key --tls-ca $tmp/ca/ca.pem"; }

# Starts a node on a free port with extra options; prints its address.
start_node() {
  local log=$tmp/node-$RANDOM.log
  "$raftsim" node --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    local port
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log")
    [[ -n $port ]] && { echo "127.0.0.1:$port"; return; }
    sleep 0.1
  done
  echo "bench-nodes.sh: a node did not start: $(cat "$log")" >&2
  exit 1
}

plain="$(start_node),$(start_node)"
# shellcheck disable=SC2046
secure="$(start_node $(tls node1)),$(start_node $(tls node2))"

median_row() {  # median seconds per iteration over the given files, rows 3..
  "$python" - "$@" <<'PY'
import sys, h5py, numpy as np
rows = np.concatenate([h5py.File(p, "r")["timing/wall_seconds"][2:] for p in sys.argv[1:]])
print(f"{np.median(rows):.3f}")
PY
}

printf "%-44s %9s %10s %12s %12s\n" "layout" "staleness" "s/iter" "work kB/it" "weights kB/it"
for staleness in 0 1; do
  for layout in local plain tls; do
    files=()
    traffic="-"
    for rep in 1 2 3; do
      out=$tmp/$layout-$staleness-$rep.h5
      args=(run --config experiments/bench.ini --set iterations="$iterations"
            --set actors.max_staleness="$staleness" --out "$out" --quiet)
      case $layout in
        local) args+=(--set actors.generators=2) ;;
        plain) args+=(--set actors.generators=0 --set actors.nodes="$plain") ;;
        # shellcheck disable=SC2207
        tls) args+=(--set actors.generators=0 --set actors.nodes="$secure" $(tls run)) ;;
      esac
      "$raftsim" "${args[@]}" >/dev/null 2>"$tmp/err.txt"
      files+=("$out")
      if [[ $layout != local ]]; then
        traffic=$(sed -n 's/.*nodes: \([0-9.]*\) kB of work per iteration.*, \([0-9.]*\) kB of weights.*/\1 \2/p' "$tmp/err.txt")
      fi
    done
    case $layout in
      local) name="1 process x 2 generators" ;;
      plain) name="coordinator + 2 nodes x 1 generator (TCP)" ;;
      tls) name="coordinator + 2 nodes x 1 generator (TLS)" ;;
    esac
    read -r work weights <<<"${traffic/-/- -}"
    printf "%-44s %9s %10s %12s %12s\n" "$name" "$staleness" "$(median_row "${files[@]}")" \
      "$work" "$weights"
  done
done
