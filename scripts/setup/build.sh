#!/usr/bin/env bash
# Configures and builds raftsim (Release) in ./build. Used by quickstart.sh,
# test.sh and the Dockerfile. Extra CMake arguments come from
# RAFTSIM_CMAKE_ARGS (test.sh passes -DRAFTSIM_WERROR=ON). As root it then
# installs the program, the Python package and the C++ library under
# /usr/local, so that `raftsim` is on PATH, `import raftsim` works in
# Debian's /usr/bin/python3 and find_package(raftsim) finds libraftsim
# (the tests use the build tree's copies, not these).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${RAFTSIM_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
if [[ $(id -u) -eq 0 ]]; then
  cmake --install build --component program >/dev/null
  cmake --install build --component python >/dev/null
  cmake --install build --component library >/dev/null
fi
