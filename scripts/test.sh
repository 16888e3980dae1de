#!/usr/bin/env bash
# Installs what is missing, checks the formatting, builds with warnings as
# errors, checks the includes against the build's link graph, and runs the
# test suite via CTest: every test but the quick studies (label "studies", ~17 min more; .ci/run runs them too, and
# `scripts/test.sh --studies` runs them after the suite).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup/install-deps.sh
bash scripts/checks/check-format.sh
RAFTSIM_CMAKE_ARGS="-DRAFTSIM_WERROR=ON" bash scripts/setup/build.sh
bash scripts/checks/check-layers.sh build  # reads the link graph of the build just made
cd build
studies=0
if [[ "${1:-}" == "--studies" ]]; then studies=1; shift; fi
ctest --output-on-failure -j"$(nproc)" -LE studies "$@"
if [[ $studies == 1 ]]; then ctest --output-on-failure -j"$(nproc)" -L studies "$@"; fi
