# syntax=docker/dockerfile:1
# callcenter_exporter and ozonetel_sim on Debian 12, built from this
# repository. One image for both: the default entrypoint is the exporter;
# docker-compose.yml's ozonetel-sim service overrides it with ozonetel_sim.
#
#   docker build -t callcenter_exporter:local .
#   docker run --rm -p 10469:10469 -v $PWD/examples/config.yml:/etc/callcenter/config.yml:ro \
#     -e OZONETEL_API_KEY=... callcenter_exporter:local
#
# Both stages start from the same Debian 12 image, pinned by digest (the
# dated tag says which build it is; the digest fixes the bytes). To move to
# a newer build, take the digest of a newer debian:bookworm-YYYYMMDD-slim
# (`docker buildx imagetools inspect debian:bookworm-YYYYMMDD-slim`) and
# change both FROM lines. Debian packages still come from the live bookworm
# archive (with its security updates).

# ---- build ------------------------------------------------------------------
FROM debian:bookworm-20241202-slim@sha256:1537a6a1cbc4b4fd401da800ee9480207e7dc1f23560c21259f681db56768f63 AS build

# The build packages of scripts/install-deps.sh, without the test-only ones
# (googletest, libgtest-dev, libgmock-dev, libbenchmark-dev, prometheus,
# prometheus-alertmanager, python3, python3-yaml, curl, clang, packaging and
# browser-test packages). libssl-dev and libcrypt-dev: the web surface's TLS
# and bcrypt basic auth (--web.config.file).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev rapidjson-dev \
      libyaml-cpp-dev zlib1g-dev libssl-dev libcrypt-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
# .git is not copied (.dockerignore), so callcenter_exporter_build_info
# reports revision="unknown" for image builds.
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release \
      -DCALLCENTER_BUILD_TESTS=OFF -DCALLCENTER_BUILD_BENCHMARKS=OFF \
 && cmake --build /build --target callcenter_exporter ozonetel_sim -j"$(nproc)" \
 && strip /build/bin/callcenter_exporter /build/bin/ozonetel_sim

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-20241202-slim@sha256:1537a6a1cbc4b4fd401da800ee9480207e7dc1f23560c21259f681db56768f63

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libprometheus-cpp-core1.0 libcivetweb1 libcurl4 libyaml-cpp0.7 zlib1g \
      libssl3 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
# curl: for HEALTHCHECK below and docker-compose.yml's healthchecks. It is a
# small front end to the libcurl the exporter already needs.

# A fixed, non-root uid/gid, so a host directory used as --storage.path can be
# chowned to it (10469, the exporter's port).
RUN groupadd --system --gid 10469 callcenter \
 && useradd --system --uid 10469 --gid callcenter --no-create-home \
      --home-dir /var/lib/callcenter_exporter --shell /usr/sbin/nologin callcenter \
 && install -d -o callcenter -g callcenter -m 0750 /var/lib/callcenter_exporter \
 && install -d -m 0755 /etc/callcenter

COPY --from=build /build/bin/callcenter_exporter /build/bin/ozonetel_sim /usr/local/bin/

USER callcenter:callcenter
WORKDIR /var/lib/callcenter_exporter
# State (counters, dedupe sets, request history) must survive restarts.
VOLUME ["/var/lib/callcenter_exporter"]
EXPOSE 10469
# For `docker run`; docker-compose.yml sets its own (and the simulator's,
# which runs from this image on :18080).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:10469/-/healthy"]

ENTRYPOINT ["callcenter_exporter"]
CMD ["--config.file=/etc/callcenter/config.yml", "--storage.path=/var/lib/callcenter_exporter"]
