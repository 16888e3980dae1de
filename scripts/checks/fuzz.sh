#!/usr/bin/env bash
# Fuzzes, with libFuzzer for a bounded time each, then reports executions
# and coverage:
#  - fuzz_config: what a user types before a run starts (INI files, --set,
#    --grid and the validation of the resulting configs);
#  - fuzz_wire: what a peer or a file sends (every node-protocol message as
#    CAF decodes it off the wire, the frame guard's header check, and the
#    weight blobs that checkpoints and nodes decode).
#   scripts/checks/fuzz.sh [SECONDS]      default 300 per target; build in build-fuzz/
# The target (tests/fuzz/fuzz_config.cc) aborts on anything but a valid
# config or a ConfigError (exit 2), and on a resolved INI that does not
# parse back; libFuzzer also stops on a crash, a hang over 10 s, or more
# than 2 GB of memory. Built with clang + ASan + UBSan. Seeds: every
# experiments/*.ini, the full default config, and the --set items of
# tests/cli/data/bad_inputs.tsv. The corpus grows in build-fuzz/corpus and is
# reused; a finding is written to build-fuzz/crash-* and ends the script
# with exit 1. Not part of the default test suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] ||
  { echo "usage: scripts/checks/fuzz.sh [SECONDS] (SECONDS: a positive integer, got '$seconds')" >&2; exit 2; }
bash scripts/setup/install-deps.sh --fuzz >/dev/null  # clang, libFuzzer, llvm-cov
dir=build-fuzz
bin=$dir/tests/fuzz/fuzz_config
mkdir -p "$dir"
start=$(date +%s)
# Source-based coverage on top, to report the lines the fuzzer reached.
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined \
-fno-omit-frame-pointer -fprofile-instr-generate -fcoverage-mapping"
CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBUILD_TESTING=OFF -DRAFTSIM_FUZZ=ON -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined -fprofile-instr-generate" >"$dir/cmake.log" 2>&1 ||
  { echo "fuzz: cmake failed (see $dir/cmake.log)" >&2; exit 1; }
cmake --build "$dir" -j"$(nproc)" --target fuzz_config fuzz_wire >"$dir/build.log" 2>&1 ||
  { echo "fuzz: build failed (see $dir/build.log)" >&2; exit 1; }
built=$(date +%s)
echo "fuzz: built in $((built - start)) s"

seeds=$dir/seeds
rm -rf "$seeds" && mkdir -p "$seeds" "$dir/corpus"
RAFTSIM_FUZZ_SEEDS=$seeds LLVM_PROFILE_FILE=/dev/null "$bin"
for f in experiments/*.ini; do cp "$f" "$seeds/$(basename "$f")"; done
# The bad command lines' --set and --grid items, one seed each.
i=0
grep -v '^#' tests/cli/data/bad_inputs.tsv | tr '|' '\n' | sed 's/^ *//; s/ *$//' |
  awk 'prev == "--set" || prev == "--grid" { print prev " " $0 } { prev = $0 }' |
  while read -r flag item; do
    i=$((i + 1))
    if [[ $flag == --grid ]]; then item="grid $item"; fi
    printf '\n--\n%s\n' "$item" >"$seeds/item-$i"
  done

export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log=$dir/fuzz.log
rm -f "$dir"/*.profraw
set +e
LLVM_PROFILE_FILE=/dev/null "$bin" "$dir/corpus" "$seeds" -dict="$seeds/keys.dict" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -use_value_profile=1 -print_final_stats=1 \
  -artifact_prefix="$dir/" >"$log" 2>&1
status=$?
set -e
# libFuzzer's last status line: "#N DONE cov: C ft: F corp: ..."
last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n1 || true)
execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
echo "fuzz: ran ${seconds} s: ${execs:-?} executions; last status: $last"
# Lines reached over the whole run, in the code that reads and checks input
# (the parser, the schemas of every component, the run and sweep checks).
# Measured by running the final corpus once more (-runs=0 runs each input).
if [[ $status -eq 0 ]] && LLVM_PROFILE_FILE="$dir/corpus.profraw" "$bin" -runs=0 \
    "$dir/corpus" "$seeds" >"$dir/coverage-run.log" 2>&1; then
  llvm-profdata merge -sparse "$dir/corpus.profraw" -o "$dir/fuzz.profdata"
  llvm-cov report "$bin" -instr-profile="$dir/fuzz.profdata" \
    cli/settings_input.cc core/config.cc core/config.h experiment/run_config.cc sweep/grid.cc \
    models/tasks/task.cc models/policies/policy.cc models/selection/ranker.cc models/rewards/reward_model.cc \
    models/training/trainer.cc loop/actors_config.cc >"$dir/coverage.txt" 2>&1 || true
  echo "fuzz: line coverage of the input code (llvm-cov; $dir/coverage.txt):"
  # llvm-cov columns: regions, missed, cover, functions, missed, cover,
  # lines ($8), missed lines ($9), line cover ($10), ...
  awk '/^TOTAL|\.(cc|h) / { printf "  %-26s %5s lines, %4s missed, %s covered\n", $1, $8, $9, $10 }' \
    "$dir/coverage.txt" | sed 's|/work/[^ ]*/||'
fi
if [[ $status -ne 0 ]]; then
  echo "fuzz: FINDING (exit $status): see $log and $dir/crash-* / $dir/timeout-* / $dir/oom-*" >&2
  grep -m3 -E 'fuzz_config:|ERROR:|runtime error' "$log" >&2 || true
  exit 1
fi
echo "fuzz: no finding; corpus $(ls "$dir/corpus" | wc -l) inputs in $dir/corpus"

# The wire: one seed per message type, written by the target itself.
wire=$dir/tests/fuzz/fuzz_wire
wire_seeds=$dir/seeds-wire
rm -rf "$wire_seeds" && mkdir -p "$wire_seeds" "$dir/corpus-wire"
RAFTSIM_FUZZ_SEEDS=$wire_seeds LLVM_PROFILE_FILE=/dev/null "$wire"
wire_log=$dir/fuzz-wire.log
set +e
LLVM_PROFILE_FILE=/dev/null "$wire" "$dir/corpus-wire" "$wire_seeds" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$dir/wire-" >"$wire_log" 2>&1
status=$?
set -e
execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$wire_log" | grep -oE '[0-9]+$' || true)
last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$wire_log" | tail -n1 || true)
echo "fuzz wire: ran ${seconds} s: ${execs:-?} executions; last status: $last"
if [[ $status -ne 0 ]]; then
  echo "fuzz wire: FINDING (exit $status): see $wire_log and $dir/wire-*" >&2
  grep -m5 -E 'ERROR:|runtime error|out-of-memory|SUMMARY' "$wire_log" >&2 || true
  exit 1
fi
echo "fuzz wire: no finding; corpus $(ls "$dir/corpus-wire" | wc -l) inputs in $dir/corpus-wire"
