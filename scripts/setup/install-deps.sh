#!/usr/bin/env bash
# Installs everything raftsim needs from Debian 12 (bookworm) packages.
# Idempotent; run as root. This is the only install path: the README,
# .ci/run and the Dockerfile all call it.
#
#   scripts/setup/install-deps.sh              build, test and analysis dependencies
#   scripts/setup/install-deps.sh --container  also buildah/podman/debootstrap, for
#                                        scripts/checks/container-test.sh
#   scripts/setup/install-deps.sh --fuzz       also clang, libFuzzer and llvm-cov,
#                                        for scripts/checks/fuzz.sh
set -euo pipefail

packages=(
  # toolchain, and the formatter CI checks with (scripts/checks/check-format.sh)
  cmake g++ make clang-format
  # the design card's libraries
  libcaf-dev              # CAF 0.17.6 (core, io, openssl)
  libssl-dev openssl      # TLS between a run and its nodes; certificates for tests
  libtorch-dev            # LibTorch 1.13.1, CPU
  libhdf5-dev             # HDF5 1.10 C and C++ APIs
  libboost-program-options-dev
  libboost-test-dev
  # LibTorch links the reference BLAS by default, ~10x slower: this
  # alternative takes priority over libblas3 once installed.
  libopenblas0-openmp
  libblas-dev             # cblas.h: the transformer decoder calls sgemm directly
  # inspecting run files and the analysis scripts (/usr/bin/python3)
  hdf5-tools python3-h5py python3-matplotlib python3-numpy python3-pandas
  # the Python package (python/): its binding, its tests, and the SciPy
  # and mpmath its statistics are checked against; Optuna for examples/optuna_tune.py
  pybind11-dev python3-dev python3-pytest python3-scipy python3-mpmath python3-optuna
  # `raftsim sweep --executor slurm`, and the one-machine Slurm that
  # scripts/fixtures/slurm-local.sh starts for the tests (sbatch, squeue, scancel)
  slurmctld slurmd slurm-client munge
)
case "${1:-}" in
  "") ;;
  --container) packages+=(buildah podman runc debootstrap fuse-overlayfs uidmap) ;;
  --fuzz) packages+=(clang libclang-rt-dev llvm) ;;
  # scripts/bench/benchmarks.sh: the PyTorch peer; scripts/bench/profile.sh: perf
  --bench) packages+=(python3-torch linux-perf) ;;
  *) echo "install-deps.sh: unknown option '$1' (allowed: --container, --fuzz, --bench)" >&2; exit 2 ;;
esac

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: must run as root (it calls apt-get)" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps.sh: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps.sh: done"
