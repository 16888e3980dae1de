#!/usr/bin/env bash
# Configures and builds raftsim (Release) in ./build. Used by quickstart.sh,
# test.sh and the Dockerfile.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
