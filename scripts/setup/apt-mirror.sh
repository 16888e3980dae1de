#!/usr/bin/env bash
# Prints the Debian archive mirror this machine's apt is configured with
# (the first non-security URI of a "deb" entry in /etc/apt/sources.list or
# an active *.list / *.sources file), so that scripts fetching from the
# archive use the same one. Exits 2 with a message when there is none.
# Usage: mirror=$(bash scripts/setup/apt-mirror.sh) || exit 2
set -euo pipefail
files=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
         /etc/apt/sources.list.d/*.sources; do
  [[ -f $f ]] && files+=("$f")
done
mirror=""
if ((${#files[@]})); then
  # One-line format: "deb [options] URI suite ..."; deb822: a "URIs:" line
  # in a stanza whose Types include deb. Security archives are a separate
  # suite that holds no sources of ordinary packages.
  mirror=$(awk '
    /^[[:space:]]*#/ { next }
    /^deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; break } }
    /^Types:/ { deb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
    /^URIs:/ && deb { print $2 }
    /^$/ { deb = 0 }
  ' "${files[@]}" | grep -v -- '-security' | head -n1 || true)
fi
if [[ -z $mirror ]]; then
  echo "apt-mirror: apt has no Debian mirror configured (no 'deb' entry in" \
       "/etc/apt/sources.list or /etc/apt/sources.list.d); configure one first" >&2
  exit 2
fi
echo "${mirror%/}"
