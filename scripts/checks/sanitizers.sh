#!/usr/bin/env bash
# Builds raftsim with sanitizers in separate build trees and runs tests:
#   scripts/checks/sanitizers.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer
#                                (build-asan/) over the unit and engine tests
#   scripts/checks/sanitizers.sh tsan   ThreadSanitizer (build-tsan/) over every
#                                test that runs the actors
# Not part of the default test suite (a sanitized build takes minutes);
# prints the time each step took.
#
# ThreadSanitizer sees a happens-before edge only in instrumented code, and
# CAF hands every message between threads through its own lock-free
# mailboxes: against Debian's uninstrumented libcaf_core TSan reports every
# message hand-off (the payload written by the sender, read by the
# receiver). The tsan build therefore first builds CAF itself, from Debian's
# source package of the installed libcaf-dev version, with
# -fsanitize=thread (into build-tsan-caf/, reused by later runs).
# LibTorch, OpenBLAS and HDF5 stay uninstrumented. One suppression was
# needed, for oneDNN (see below); any other report is a report to read.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-asan}
extra_cmake=()
jobs=$(nproc)
preload=
start=$(date +%s)
case "$kind" in
  asan)
    dir=build-asan
    flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    tests='test_rng|test_config|test_h5_file|test_schedule|test_ranker|test_reward_model|test_trainer|test_conformance|test_sequence|test_sweep|test_engine_determinism|test_engine_theory|test_readers|test_learned_reward|test_policy_gradient|test_diffusion'
    # LibTorch and OpenBLAS keep thread pools and allocator caches alive
    # until exit, which LeakSanitizer reports as leaks of non-instrumented
    # code: leak checking is off; use-after-free, overflows and UB stay on.
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_odr_violation=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    # Tests start Debian's /usr/bin/python3 on this tree's package
    # (`python3 -m raftsim.tidy`, the plot scripts), whose _native module
    # is instrumented: ASan refuses to start in a process whose runtime did
    # not load first, so the tests run with it preloaded.
    preload=$(c++ -print-file-name=libasan.so)
    ;;
  tsan)
    dir=build-tsan
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    # Every test that runs the actors (in process or as raftsim children),
    # the trainer's shard threads, and the sweep's worker processes.
    tests='test_schedule|test_trainer|test_engine_determinism|test_engine_theory|test_resume|test_cli|test_faults|test_sweep|test_learned_reward|test_policy_gradient|test_diffusion'
    caf_prefix=$(bash scripts/setup/build-caf-tsan.sh)
    extra_cmake=(-DCMAKE_PREFIX_PATH="$caf_prefix")
    cat >/tmp/raftsim-tsan.supp <<'SUPP'
# oneDNN (libdnnl, LibTorch's CPU kernels for the transformer's matmuls)
# allocates a primitive cache with its rwlock in one thread and publishes
# it through its own uninstrumented atomics; TSan then reports the first
# rdlock from another generator thread against that allocation (seen in
# test_resume_transformer, both stacks inside libdnnl under
# TransformerPolicy::begin).
race:libdnnl.so
SUPP
    export TSAN_OPTIONS="suppressions=/tmp/raftsim-tsan.supp:halt_on_error=1:second_deadlock_stack=1"
    ;;
  *) echo "usage: scripts/checks/sanitizers.sh asan|tsan" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DRAFTSIM_TEST_TIMEOUT_SCALE=6 \
  -DCMAKE_EXE_LINKER_FLAGS="$flags" "${extra_cmake[@]}" >/dev/null
cmake --build "$dir" -j"$jobs" >/dev/null
built=$(date +%s)
echo "sanitizers ($kind): built in $((built - start)) s"
(cd "$dir" && env ${preload:+LD_PRELOAD="$preload"} ctest --output-on-failure -j"$jobs" -R "$tests")
echo "sanitizers ($kind): tests took $(( $(date +%s) - built )) s"
