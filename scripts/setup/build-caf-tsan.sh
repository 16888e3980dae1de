#!/usr/bin/env bash
# Builds CAF with -fsanitize=thread for scripts/checks/sanitizers.sh tsan and
# prints its install prefix (build-tsan-caf/install). The source is Debian's
# source package of the libcaf-dev version installed here, fetched from the
# mirror apt is configured with (scripts/setup/apt-mirror.sh) and checked against
# the archive's SHA256; the result is reused while that version stays.
# Takes about 3.5 minutes on 2 cores. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD/build-tsan-caf
version=$(dpkg-query -W -f='${source:Version}' libcaf-dev)
upstream=${version%-*}
prefix=$root/install
if [[ -f $prefix/lib/libcaf_core.so && "$(cat "$prefix/VERSION" 2>/dev/null)" == "$version" ]]; then
  echo "$prefix"
  exit 0
fi
mirror=$(bash scripts/setup/apt-mirror.sh)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
apt_dir=$root/apt
rm -rf "$root"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d"
cat >"$apt_dir/sources.list.d/caf-source.sources" <<SOURCES
Types: deb-src
URIs: $mirror
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt=(apt-get -q -o Dir::Etc::SourceParts="$apt_dir/sources.list.d"
     -o Dir::Etc::SourceList=/dev/null -o Dir::State::Lists="$apt_dir/lists"
     -o Dir::Cache="$apt_dir/cache")
echo "build-caf-tsan: fetching the source of actor-framework $version" >&2
"${apt[@]}" update >"$root/apt-update.log" 2>&1 ||
  { echo "build-caf-tsan: apt-get update of the source index failed (see $root/apt-update.log)" >&2; exit 1; }
# Only the upstream tarball is needed ('URI' name size SHA256:hash).
read -r uri name _ hash < <("${apt[@]}" --print-uris source "actor-framework=$version" 2>/dev/null |
  grep -E "orig\\.tar\\.[a-z]+' " | tr -d "'") ||
  { echo "build-caf-tsan: no source package actor-framework=$version in the archive" >&2; exit 1; }
/usr/lib/apt/apt-helper download-file "$uri" "$root/$name" "$hash" >"$root/download.log" 2>&1 ||
  { echo "build-caf-tsan: download of $name failed (see $root/download.log)" >&2; exit 1; }
tar -C "$root" -xf "$root/$name"
src=$root/actor-framework-$upstream
# 0.17.6 relies on <limits> arriving through other headers, which GCC 12's
# library no longer does.
sed -i 's|#include <cstddef>|#include <cstddef>\n#include <limits>|' \
  "$src/libcaf_io/caf/io/network/receive_buffer.hpp"
echo "build-caf-tsan: building CAF $upstream with ThreadSanitizer" >&2
flags="-fsanitize=thread -fno-omit-frame-pointer"
cmake -S "$src" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes \
  -DCAF_NO_OPENCL=yes -DCAF_NO_PYTHON=yes -DCAF_NO_TOOLS=yes -DCAF_NO_SUMMARY=yes \
  >"$root/cmake.log" 2>&1
cmake --build "$root/build" -j"$(nproc)" >"$root/build.log" 2>&1 ||
  { echo "build-caf-tsan: CAF build failed (see $root/build.log)" >&2; exit 1; }
cmake --install "$root/build" >"$root/install.log" 2>&1
echo "$version" >"$prefix/VERSION"
echo "$prefix"
