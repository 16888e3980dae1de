#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default experiment
# (experiments/quickstart.ini). Prints where the HDF5 file went.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup/install-deps.sh
bash scripts/setup/build.sh
./build/raftsim run --config experiments/quickstart.ini "$@"
