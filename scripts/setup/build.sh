#!/usr/bin/env bash
# Configures and builds raftsim (Release) in ./build. Used by quickstart.sh,
# test.sh and the Dockerfile. Extra CMake arguments come from
# RAFTSIM_CMAKE_ARGS (test.sh passes -DRAFTSIM_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${RAFTSIM_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
