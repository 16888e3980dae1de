#!/usr/bin/env bash
# Installs what is missing, checks the layering and formatting, builds with
# warnings as errors, and runs the whole test suite via CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-layers.sh
bash scripts/check-format.sh
RAFTSIM_CMAKE_ARGS="-DRAFTSIM_WERROR=ON" bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
