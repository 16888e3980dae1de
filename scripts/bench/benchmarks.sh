#!/usr/bin/env bash
# Prints every speed number raftsim tracks, each measured side by side in
# this one run (no pass/fail: numbers to read; targets from issue 10):
#   1. raftsim bench on the bandit, transformer and GRU workloads: samples/s,
#      tokens/s, stage times, overhead, peak RSS, 2 generators against the
#      ceiling of two independent single-thread processes (target >= 0.9),
#      FLOPs per stage against the measured sgemm peak (target >= 35 %);
#   2. the plain PyTorch peer (benchmarks/raft_peer.py) on
#      experiments/bench.ini with every core, and raftsim's ratio to it
#      (target >= 3x);
#   3. 200 one-iteration bandit points: `raftsim sweep --jobs 2` against the
#      same 200 runs inside one process (target <= 3x), and against one
#      process per point (what sweeps did before 0.3);
#   4. memory: RSS over 100 iterations of experiments/bench.ini;
#   5. each trainer.algorithm on experiments/bench.ini at staleness 0 and 1:
#      the trainer's share of an iteration (issue 12);
#   6. the diffusion policy (experiments/bench_diffusion.ini): samples/s with
#      1 and 2 generators and the cost of one denoising step of a chunk
#      (issue 13; in section 1's raftsim bench);
#   7. the Python package (scripts/bench/python_bench.py): a tiny run through
#      raftsim.run against `raftsim run` as a process, and the throughput
#      cost of a gold reward written in Python (issue 26).
# Needs a build (bash scripts/setup/build.sh) and python3-torch
# (bash scripts/setup/install-deps.sh --bench). About 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
raftsim=./build/raftsim
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "== 1. raftsim bench"
for config in experiments/bench_bandit.ini experiments/bench.ini experiments/bench_gru.ini \
              experiments/bench_diffusion.ini; do
  "$raftsim" bench --config "$config" | tee "$tmp/bench.txt"
  [[ $config == experiments/bench.ini ]] && cp "$tmp/bench.txt" "$tmp/bench-transformer.txt"
  echo
done

echo "== 2. plain PyTorch peer on experiments/bench.ini ($(nproc) threads; best of 3)"
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "python3-torch is missing: bash scripts/setup/install-deps.sh --bench" >&2
  exit 2
fi
ours=$(awk '/^samples\/s at auto:/ { print $4 }' "$tmp/bench-transformer.txt")
for variant in "" --per-row-prefill; do
  : >"$tmp/peer.txt"
  for i in 1 2 3; do
    # shellcheck disable=SC2086
    "$python" benchmarks/raft_peer.py --threads "$(nproc)" $variant | tee -a "$tmp/peer.txt"
  done
  peer=$(awk '{ print $3 }' "$tmp/peer.txt" | sort -n | tail -1)
  awk -v a="$ours" -v b="$peer" -v v="${variant:-prefill per prompt}" 'BEGIN {
    printf "raftsim %d samples/s (auto generators) / peer (%s) %d = %.2fx (target >= 3)\n", a, v, b, a / b }'
done
echo

echo "== 3. 200 one-iteration bandit points (experiments/quickstart.ini, iterations = 1)"
seeds=$(seq -s, 1 200)
start=$(seconds)
"$raftsim" sweep --config experiments/quickstart.ini --set iterations=1 --grid "seed=$seeds" \
  --out "$tmp/sweep" --jobs 2 --quiet >/dev/null
sweep_s=$(elapsed "$start" "$(seconds)")
# The same 200 runs inside one process: one worker fed every point.
mkdir -p "$tmp/inproc"
for i in $(seq 1 200); do
  printf '%s\0' "$tmp/inproc/$i.log" run --config "$tmp/sweep/configs/seed=$i.ini" \
    --out "$tmp/inproc/$i.h5" --quiet --overwrite
  printf '\0'
done >"$tmp/requests"
start=$(seconds)
"$raftsim" sweep-worker <"$tmp/requests" >/dev/null
inproc_s=$(elapsed "$start" "$(seconds)")
# One process per point, two at a time.
mkdir -p "$tmp/procs"
start=$(seconds)
seq 1 200 | xargs -P 2 -I{} "$raftsim" run --config "$tmp/sweep/configs/seed={}.ini" \
  --out "$tmp/procs/{}.h5" --quiet >/dev/null
procs_s=$(elapsed "$start" "$(seconds)")
awk -v s="$sweep_s" -v i="$inproc_s" -v p="$procs_s" 'BEGIN {
  printf "sweep --jobs 2: %.2f s; inside one process: %.2f s; ratio %.2f (target <= 3)\n", s, i, s / i
  printf "one process per point, 2 at a time: %.2f s (%.1fx the sweep)\n", p, p / s }'
echo

echo "== 4. memory over 100 iterations of experiments/bench.ini"
"$raftsim" run --config experiments/bench.ini --set iterations=100 --out "$tmp/long.h5" --quiet >/dev/null
"$python" - "$tmp/long.h5" <<'PY'
import sys, h5py
rss = h5py.File(sys.argv[1], "r")["timing/rss_bytes"][:] / 2**20
print(f"rss MB at iteration 5: {rss[4]:.1f}, 50: {rss[49]:.1f}, 100: {rss[99]:.1f} "
      f"({100 * (rss[99] / rss[4] - 1):+.1f}% from 5 to 100)")
PY
echo

echo "== 5. each trainer.algorithm on experiments/bench.ini: the trainer's share of an iteration"
for staleness in 0 1; do
  for algorithm in sft raftpp rloo grpo ppo; do
    ranker=all
    [[ $algorithm == sft || $algorithm == raftpp ]] && ranker=best_of_k
    "$raftsim" run --config experiments/bench.ini --set trainer.algorithm=$algorithm \
      --set ranker.strategy=$ranker --set actors.max_staleness=$staleness --set iterations=12 \
      --out "$tmp/$algorithm-$staleness.h5" --quiet >/dev/null
    "$python" - "$tmp/$algorithm-$staleness.h5" "$algorithm" "$staleness" <<'PY'
import sys, h5py
t = h5py.File(sys.argv[1], "r")["timing"]
train, wall = t["train_seconds"][2:].mean(), t["wall_seconds"][2:].mean()
gen = t["generate_seconds"][2:].mean()
print(f"staleness {sys.argv[3]} {sys.argv[2]:7s} train {train:.3f} s, generate {gen:.3f} s "
      f"(compute), wall {wall:.3f} s per iteration: trainer = {100 * train / wall:.0f}% of wall, "
      f"{t['samples_per_second'][2:].mean():.0f} samples/s")
PY
  done
done

echo
echo "== 7. the Python package: a tiny run in-process against a process, and a gold"
echo "      reward written in Python on experiments/bench.ini (issue 26)"
PYTHONPATH=build/python "$python" scripts/bench/python_bench.py
