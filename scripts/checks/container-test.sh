#!/usr/bin/env bash
# Builds the Dockerfile without a Docker engine and runs the quickstart in
# the image, results written to a mounted directory:
#   1. debootstrap a minimal bookworm root file system (from the apt mirror
#      this machine is configured with) and import it as debian:bookworm-slim;
#   2. buildah bud (chroot isolation) the Dockerfile: install, build, tests;
#   3. podman run (runc) the quickstart with a host directory at /results,
#      then check the HDF5 file from the host with h5py;
#   4. run a study (k_sweep --quick) in the container into the same mount.
# Run as root. Takes tens of minutes (the image build runs the test suite).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup/install-deps.sh --container

work=${CONTAINER_WORK:-/var/tmp/raftsim-container}
mkdir -p "$work"
mirror=$(bash scripts/setup/apt-mirror.sh) || exit 2  # debootstrap uses apt's own mirror

if ! podman image exists docker.io/library/debian:bookworm-slim; then
  echo "container-test: debootstrap bookworm from $mirror"
  rm -rf "$work/rootfs"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log"
  tar -C "$work/rootfs" -c . | podman import - docker.io/library/debian:bookworm-slim
fi

# The base by digest, so a rebuild cannot silently take another one.
base_digest=$(podman image inspect --format '{{.Digest}}' docker.io/library/debian:bookworm-slim)
base="docker.io/library/debian:bookworm-slim@$base_digest"
echo "container-test: base $base"
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
echo "container-test: building the image (runs the test suite)"
start=$(date +%s)
# buildah's own status decides, read before anything else can replace it
# (a trailing `|| true` would, and a failed build would pass as built).
set +e
buildah bud --isolation chroot --ulimit nofile=4096:4096 -t localhost/raftsim:latest \
  --build-arg BASE_IMAGE="$base" --build-arg RAFTSIM_SOURCE_COMMIT="$commit" . \
  | tee "$work/build.log" | grep -E '^(STEP|COMMIT|[0-9]+/[0-9]+ Test|100% tests|.*tests passed|.*tests failed)'
build_status=${PIPESTATUS[0]}
set -e
[[ $build_status -eq 0 ]] || { echo "container-test: image build failed (exit $build_status; see $work/build.log)"; exit 1; }
echo "container-test: image built in $(( $(date +%s) - start )) s"

results=$(mktemp -d)
podman run --rm --runtime runc --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -v "$results:/results" localhost/raftsim:latest \
  run --config /opt/raftsim/experiments/quickstart.ini --out /results/quickstart.h5 --quiet
/usr/bin/python3 - "$results/quickstart.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    rows = len(f["metrics/gold_reward_mean"])
    assert f.attrs["status"] == "complete", f.attrs["status"]
    print(f"container-test: {sys.argv[1]}: status {f.attrs['status']}, {rows} rows, "
          f"final gold {f['metrics/gold_reward_mean'][-1]:.3f}")
    print("container-test: environment:", f.attrs["environment"].replace("\n", "; "))
    print("container-test: image:", f.attrs["image"])
    assert f.attrs["image"].startswith("base "), f.attrs["image"]
PY
# The run made in the container, rerun on this host: the same bits.
./build/raftsim reproduce "$results/quickstart.h5" --quiet | tail -1
# A study inside the container, results and figures on the host.
podman run --rm --runtime runc --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -v "$results:/results" --entrypoint bash localhost/raftsim:latest \
  /opt/raftsim/experiments/k_sweep.sh --quick --out /results/k_sweep --figures /results/figures \
  >"$work/study.log" 2>&1 || { cat "$work/study.log"; echo "container-test: study failed"; exit 1; }
ls "$results/figures"/*.png >/dev/null
echo "container-test: k_sweep --quick in the container wrote $(ls "$results/figures" | wc -l) files to $results/figures"
echo "container-test: OK"
