#!/usr/bin/env bash
# The demo: a simulated contact centre, the exporter, Prometheus with the
# recording and alert rules, Alertmanager, and (with Docker) Grafana.
#
# With a working Docker engine this is `docker compose --profile demo up`.
# Without one it installs Debian's packages, builds, and runs the same stack
# minus Grafana as local processes until you press Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 &&
  docker compose version >/dev/null 2>&1; then
  docker compose --profile demo up -d --build
  cat <<MSG
callcenter_exporter demo is up (docker compose, profile demo):
  Grafana       http://localhost:3000   (dashboards in the "Call centre" folder)
  Prometheus    http://localhost:9090
  Alertmanager  http://localhost:9093
  Exporter      http://localhost:10469/metrics
Stop it with: docker compose --profile demo down
MSG
  exit 0
fi

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALLCENTER_BUILD_TESTS=OFF \
  -DCALLCENTER_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target callcenter_exporter ozonetel_sim

DEMO="$ROOT/.demo"
mkdir -p "$DEMO"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Simulated time: today 09:00 IST, ten times faster than real time, so
# calls flow at once and an afternoon passes in half an hour.
ORIGIN=$(( $(date -u -d "$(TZ=Asia/Kolkata date +%F) 09:00 +0530" +%s) ))
EPOCH=$(date +%s)
CLOCK=(--clock.origin="$ORIGIN" --clock.epoch="$EPOCH" --clock.speed=10)

./build/bin/ozonetel_sim --web.listen-address=127.0.0.1:18080 --agents=40 \
  --user-name=demo "${CLOCK[@]}" >"$DEMO/sim.log" 2>&1 &
PIDS+=($!)

sed 's#http://ozonetel-sim:18080#http://127.0.0.1:18080#' examples/config.demo.yml \
  >"$DEMO/config.yml"
OZONETEL_API_KEY=sim-api-key CRM_API_KEY=sim-crm-key \
  ./build/bin/callcenter_exporter --config.file="$DEMO/config.yml" \
  --storage.path="$DEMO/data" --web.listen-address=127.0.0.1:10469 \
  "${CLOCK[@]}" >"$DEMO/exporter.log" 2>&1 &
PIDS+=($!)

cat >"$DEMO/prometheus.yml" <<YAML
global: {scrape_interval: 15s, evaluation_interval: 15s}
rule_files: ["$ROOT/rules/*.yml", "$ROOT/alerts/*.yml"]
alerting:
  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:9093"]}]}]
scrape_configs:
  - job_name: callcenter_exporter
    static_configs: [{targets: ["127.0.0.1:10469"]}]
YAML
prometheus --config.file="$DEMO/prometheus.yml" --storage.tsdb.path="$DEMO/tsdb" \
  --web.listen-address=127.0.0.1:9090 >"$DEMO/prometheus.log" 2>&1 &
PIDS+=($!)
prometheus-alertmanager --config.file=alertmanager/alertmanager.yml \
  --storage.path="$DEMO/alertmanager" --web.listen-address=127.0.0.1:9093 \
  --cluster.listen-address= >"$DEMO/alertmanager.log" 2>&1 &
PIDS+=($!)

cat <<MSG
callcenter_exporter demo is running (no Docker engine, so no Grafana):
  Exporter      http://127.0.0.1:10469/metrics
  Prometheus    http://127.0.0.1:9090      (try: sum by (agent) (ozonetel_calls_total))
  Alertmanager  http://127.0.0.1:9093
  Simulator     http://127.0.0.1:18080/_sim/truth?date=$(TZ=Asia/Kolkata date +%F)
Dashboards: in any Grafana, add this Prometheus as a data source and import
dashboards/*.json (or provision dashboards/provisioning/). Logs are in .demo/.
Press Ctrl-C to stop.
MSG
wait -n "${PIDS[@]}"
echo "a demo process exited; see the logs in .demo/" >&2
