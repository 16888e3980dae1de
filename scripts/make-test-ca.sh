#!/usr/bin/env bash
# Makes a throw-away certificate authority and certificates signed by it,
# for mutual TLS between `raftsim run` and `raftsim node` (tests, and users
# trying nodes out; a cluster should use certificates from its own CA).
#
#   scripts/make-test-ca.sh DIR NAME...            DIR/ca.pem, DIR/NAME.pem + NAME.key
#   scripts/make-test-ca.sh --passphrase DIR NAME... keys encrypted (AES-256);
#                                                  the passphrase in DIR/NAME.pass
#
# Each NAME's certificate has CN=NAME and subjectAltName DNS:NAME,
# DNS:localhost, IP:127.0.0.1 (CAF 0.17 checks no host name; the CA is the
# trust boundary). Keys are EC P-256; everything is valid for 30 days.
# Refuses to overwrite an existing DIR/ca.pem. Needs the openssl command.
set -euo pipefail

encrypt=0
if [[ "${1:-}" == "--passphrase" ]]; then encrypt=1; shift; fi
if [[ $# -lt 2 ]]; then
  echo "usage: make-test-ca.sh [--passphrase] DIR NAME..." >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "make-test-ca.sh: needs the openssl command (scripts/install-deps.sh installs it)" >&2; exit 2; }
dir=$1; shift
if [[ -e "$dir/ca.pem" ]]; then
  echo "make-test-ca.sh: $dir/ca.pem exists; refusing to replace a CA" >&2
  exit 2
fi
mkdir -p "$dir"
chmod 700 "$dir"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 30 \
  -subj "/CN=raftsim test CA $(date -u +%Y%m%dT%H%M%SZ)" 2>/dev/null

for name in "$@"; do
  key="$dir/$name.key"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$key.plain" -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\n' "$name" > "$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$name.pem" -days 30 -extfile "$dir/$name.ext" 2>/dev/null
  if [[ $encrypt -eq 1 ]]; then
    openssl rand -hex 16 > "$dir/$name.pass"
    openssl pkey -in "$key.plain" -aes256 -passout "file:$dir/$name.pass" -out "$key"
    rm -f "$key.plain"
  else
    mv "$key.plain" "$key"
  fi
  chmod 600 "$key"
  rm -f "$dir/$name.csr" "$dir/$name.ext"
done
rm -f "$dir/ca.srl"
echo "make-test-ca.sh: CA $dir/ca.pem; certificates: $*"
