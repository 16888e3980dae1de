#!/usr/bin/env bash
# find_package(raftsim) after `cmake --install`: installs the library
# component into a scratch prefix, configures and builds examples/cpp
# against it outside raftsim's tree (as a user's program would be), runs it,
# and checks that its run file has the /metrics of `raftsim run` with the
# same configuration, bit for bit.
#
#   tests/scripts/test_find_package.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --component library --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/raftsim/raftsim.h"
test -f "$tmp/prefix/lib/cmake/raftsim/raftsimConfig.cmake"
cmake -S "$source/examples/cpp" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
mkdir "$tmp/out"
"$tmp/build/k_compare" "$tmp/out" 3 | tee "$tmp/log"
grep -q "^K = 8: complete, 3 rows" "$tmp/log"
grep -q "^refused: sampler.k = '0' is not allowed" "$tmp/log"
printf 'seed = 1\n[task]\nname = bandit\n[policy]\nmodel = tabular\n[reward]\nnoise = gaussian\nnoise_scale = 0.5\n' \
  >"$tmp/k.ini"
"$build/raftsim" run --quiet --config "$tmp/k.ini" --set sampler.k=8 --set iterations=3 \
  --out "$tmp/cli.h5" >/dev/null
/usr/bin/python3 - "$tmp/out/k8.h5" "$tmp/cli.h5" <<'PY'
import sys, h5py
a, b = (h5py.File(p, "r")["metrics"] for p in sys.argv[1:])
assert sorted(a) == sorted(b), (sorted(a), sorted(b))
differ = [n for n in a if a[n][:].tobytes() != b[n][:].tobytes()]
assert not differ, f"/metrics differ from raftsim run's in {differ}"
print(f"test_find_package: {len(a)} /metrics columns identical to raftsim run's, bit for bit")
PY
