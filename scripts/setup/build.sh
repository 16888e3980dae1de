#!/usr/bin/env bash
# Configures and builds raftsim (Release) in ./build. Used by quickstart.sh,
# test.sh and the Dockerfile. Extra CMake arguments come from
# RAFTSIM_CMAKE_ARGS (test.sh passes -DRAFTSIM_WERROR=ON). As root it then
# installs the program and the Python package under /usr/local, so that
# `raftsim` is on PATH and `import raftsim` works in Debian's /usr/bin/python3
# (the tests use the build tree's copies, not these).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${RAFTSIM_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
if [[ $(id -u) -eq 0 ]]; then
  cmake --install build --component program >/dev/null
  cmake --install build --component python >/dev/null
fi
