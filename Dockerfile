# raftsim in a container: the same install script, a Release build, the
# default test suite run during the build (as scripts/test.sh runs it: not
# the quick studies, label "studies"; and less test_faults, which mounts small
# tmpfs disks and so needs CAP_SYS_ADMIN, which an image build lacks, and
# test_slurm, which starts munged, slurmctld and slurmd: daemons an image
# build should not run), and raftsim as the entry point.
#
#   docker build -t raftsim .
#   docker run --rm -v "$PWD/results:/results" raftsim \
#       run --config /opt/raftsim/experiments/quickstart.ini --out /results/quickstart.h5
#
# (Here, without a Docker engine: scripts/checks/container-test.sh does the same
# with buildah and podman.)
#
# The base is pinned: scripts/checks/container-test.sh passes BASE_IMAGE as the
# digest of the base it built, and RAFTSIM_SOURCE_COMMIT as the commit (the
# build context has no .git). The image records its identity in
# /etc/raftsim/image (base, source commit, and the sha256 of the full
# package list in /etc/raftsim/packages); every run file made in it carries
# that line as its `image` attribute (docs/hdf5-layout.md).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
ARG BASE_IMAGE
ARG RAFTSIM_SOURCE_COMMIT=unknown
ENV RAFTSIM_SOURCE_COMMIT=${RAFTSIM_SOURCE_COMMIT}

COPY . /opt/raftsim
WORKDIR /opt/raftsim
RUN bash scripts/setup/install-deps.sh \
 && rm -rf /var/lib/apt/lists/* \
 && bash scripts/setup/build.sh \
 && (cd build && ctest --output-on-failure -j"$(nproc)" -LE studies -E 'test_faults|test_slurm') \
 && install -m 0755 build/raftsim /usr/local/bin/raftsim \
 && mkdir -p /etc/raftsim /results \
 && dpkg-query -W -f='${Package} ${Version}\n' | sort > /etc/raftsim/packages \
 && echo "base ${BASE_IMAGE}; source ${RAFTSIM_SOURCE_COMMIT};" \
      "packages sha256:$(sha256sum /etc/raftsim/packages | cut -c1-64)" > /etc/raftsim/image

WORKDIR /results
VOLUME /results
ENTRYPOINT ["raftsim"]
CMD ["--help"]
