# raftsim in a container: the same install script, a Release build, the
# test suite run during the build (less test_faults, which mounts small
# tmpfs disks and so needs CAP_SYS_ADMIN, which an image build lacks, and
# test_slurm, which starts munged, slurmctld and slurmd: daemons an image
# build should not run), and raftsim as the entry point.
#
#   docker build -t raftsim .
#   docker run --rm -v "$PWD/results:/results" raftsim \
#       run --config /opt/raftsim/experiments/quickstart.ini --out /results/quickstart.h5
#
# (Here, without a Docker engine: scripts/container-test.sh does the same
# with buildah and podman.)
FROM debian:bookworm-slim

COPY . /opt/raftsim
WORKDIR /opt/raftsim
RUN bash scripts/install-deps.sh \
 && rm -rf /var/lib/apt/lists/* \
 && bash scripts/build.sh \
 && (cd build && ctest --output-on-failure -j"$(nproc)" -E 'test_faults|test_slurm') \
 && install -m 0755 build/raftsim /usr/local/bin/raftsim \
 && mkdir -p /etc/raftsim /results \
 && dpkg-query -W -f='${Package} ${Version}\n' libcaf-dev libtorch-dev libhdf5-dev \
      libboost-program-options-dev libopenblas0-openmp g++ > /etc/raftsim/packages

WORKDIR /results
VOLUME /results
ENTRYPOINT ["raftsim"]
CMD ["--help"]
