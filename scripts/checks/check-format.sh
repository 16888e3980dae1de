#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format (clang-format 14, as
# Debian 12 ships it). Fix with: scripts/checks/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.h' '*.cc' 2>/dev/null || true)
# Files deleted in the working tree but still in the index are not files.
existing=()
for f in "${files[@]}"; do [[ -f "$f" ]] && existing+=("$f"); done
files=("${existing[@]}")
if [[ ${#files[@]} -eq 0 ]]; then
  mapfile -t files < <(find core models loop experiment runfile actors nodes run sweep analysis api cli python tests -name '*.h' -o -name '*.cc')
fi
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/check-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/check-format.$$ | cut -d: -f1 | sort -u |
    sed 's/^/check-format: differs from .clang-format: /'
  rm -f /tmp/check-format.$$
  echo "check-format: run 'bash scripts/checks/check-format.sh --fix'"
  exit 1
fi
rm -f /tmp/check-format.$$
echo "check-format: ${#files[@]} files match .clang-format"
