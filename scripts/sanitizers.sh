#!/usr/bin/env bash
# Builds raftsim with sanitizers in separate build trees and runs tests:
#   scripts/sanitizers.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer
#                                (build-asan/) over the unit and engine tests
#   scripts/sanitizers.sh tsan   ThreadSanitizer (build-tsan/) over the actor
#                                tests (engine determinism, schedule, resume)
# Not part of the default test suite (a sanitized build takes minutes);
# prints the time each step took.
#
# Status (measured): asan is clean. tsan is not yet usable: Debian's
# libcaf_core is not instrumented, so TSan misses the happens-before edge of
# every message hand-off through CAF's lock-free mailboxes and reports the
# payload's construction on the sender and its reading on the receiver
# (first on spawn, then on SampleBatch). A meaningful run needs CAF 0.17.6
# built with -fsanitize=thread; the suppressions below cover what was
# confirmed to be such an artefact, nothing of raftsim's own. LibTorch, OpenBLAS, HDF5 and CAF are not
# instrumented; the suppressions below are for them only, each with why.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-asan}
jobs=$(nproc)
start=$(date +%s)
case "$kind" in
  asan)
    dir=build-asan
    flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    tests='test_rng|test_config|test_h5_file|test_schedule|test_ranker|test_reward_model|test_trainer|test_conformance|test_engine_determinism|test_engine_theory|test_readers'
    # LibTorch and OpenBLAS keep thread pools and allocator caches alive
    # until exit, which LeakSanitizer reports as leaks of non-instrumented
    # code: leak checking is off; use-after-free, overflows and UB stay on.
    export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_odr_violation=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ;;
  tsan)
    dir=build-tsan
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    tests='test_schedule|test_engine_determinism|test_resume$'
    cat > /tmp/raftsim-tsan.supp <<'SUPP'
# OpenMP (libgomp) and OpenBLAS synchronise with primitives TSan cannot
# see (futexes in uninstrumented code): races reported inside them only.
# (called_from_lib is not usable: the OpenBLAS alternative is mapped under
# two names, which TSan refuses.)
race:libgomp.so
race:libopenblas.so
# CAF 0.17 hands a newly spawned actor (its init function) to a scheduler
# thread through libcaf_core's lock-free queues, uninstrumented, so TSan
# misses that happens-before edge and reports the spawn's own writes.
race:caf::detail::init_fun_factory_helper
# LibTorch's intra-op thread pool and allocator, uninstrumented.
race:libtorch_cpu.so
race:libc10.so
SUPP
    export TSAN_OPTIONS="suppressions=/tmp/raftsim-tsan.supp:halt_on_error=1:second_deadlock_stack=1"
    ;;
  *) echo "usage: scripts/sanitizers.sh asan|tsan" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$dir" -j"$jobs" >/dev/null
built=$(date +%s)
echo "sanitizers ($kind): built in $((built - start)) s"
(cd "$dir" && ctest --output-on-failure -j"$jobs" -R "$tests")
echo "sanitizers ($kind): tests took $(( $(date +%s) - built )) s"
