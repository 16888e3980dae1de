#!/usr/bin/env bash
# Checks every include against the build's own link graph
# (scripts/checks/check_layers.py says how): a file may include headers of its own
# library and of the libraries it links; CAF and LibTorch headers only where
# its library links them. Needs a build directory (default build/ of the
# checkout, which scripts/setup/build.sh makes; it is configured again to read
# the graph); prints every offending include, or one line saying all is
# well.
#   bash scripts/checks/check-layers.sh [BUILD_DIR]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$(realpath -m "${1:-$source_dir/build}")  # relative to the caller
if [[ "$build_dir" == "$source_dir" ]]; then
  echo "check-layers: BUILD_DIR '$1' is not allowed: must be a build directory, not the sources" >&2
  exit 2
fi
exec /usr/bin/python3 "$source_dir/scripts/checks/check_layers.py" "$source_dir" "$build_dir"
