# syntax=docker/dockerfile:1
# callcenter_exporter and ozonetel_sim on Debian 12, built from this
# repository. One image for both: the default entrypoint is the exporter;
# docker-compose.yml's ozonetel-sim service overrides it with ozonetel_sim.
#
#   docker build -t callcenter_exporter:local .
#   docker run --rm -p 10469:10469 -v $PWD/examples/config.yml:/etc/callcenter/config.yml:ro \
#     -e OZONETEL_API_KEY=... callcenter_exporter:local

# ---- build ------------------------------------------------------------------
FROM debian:12-slim AS build

# The build packages of scripts/install-deps.sh, without the test-only ones
# (googletest, libgtest-dev, libgmock-dev, libbenchmark-dev, prometheus,
# prometheus-alertmanager, python3, python3-yaml, curl).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev rapidjson-dev \
      libyaml-cpp-dev zlib1g-dev \
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
FROM debian:12-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libprometheus-cpp-core1.0 libcivetweb1 libcurl4 libyaml-cpp0.7 zlib1g \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*

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

ENTRYPOINT ["callcenter_exporter"]
CMD ["--config.file=/etc/callcenter/config.yml", "--storage.path=/var/lib/callcenter_exporter"]
