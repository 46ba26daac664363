#!/usr/bin/env bash
# The demo: a simulated contact centre, the exporter, Prometheus with the
# recording and alert rules, Alertmanager, and (with Docker) Grafana.
#
# With a working Docker engine this is `docker compose --profile demo up`
# (as the compose project callcenter-demo, so it never touches the volumes
# of a stack run by hand). Without one it installs Debian's packages,
# builds, and runs the same stack minus Grafana as local processes until you
# press Ctrl-C.
#
# Both ways the simulator and the exporter share one simulated clock: today
# 09:00 IST, running ten times faster than real time, so calls flow at once
# and an afternoon passes in half an hour. Each run starts that day afresh:
# the exporter's state (and the demo's Prometheus and Alertmanager data) from
# an earlier run is removed first, since its clock would be ahead of the new
# one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

# The shared clock (docs/architecture.md, "Simulated time"); docker compose
# passes these to both services (docker-compose.yml).
CLOCK_ORIGIN=$(date -u -d "$(TZ=Asia/Kolkata date +%F) 09:00 +0530" +%s)
CLOCK_EPOCH=$(date +%s)
CLOCK_SPEED=10
export CLOCK_ORIGIN CLOCK_EPOCH CLOCK_SPEED
TODAY=$(TZ=Asia/Kolkata date +%F)

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 &&
  docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose -p callcenter-demo --profile demo)
  "${COMPOSE[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true
  "${COMPOSE[@]}" build
  # The clock starts now, after the build; --wait returns once every
  # service's healthcheck passes (or one fails).
  CLOCK_EPOCH=$(date +%s)
  if ! "${COMPOSE[@]}" up -d --wait; then
    echo "demo: a service did not become healthy:" >&2
    "${COMPOSE[@]}" ps -a >&2 || true
    echo "Logs: ${COMPOSE[*]} logs <service>" >&2
    exit 1
  fi
  cat <<MSG
callcenter_exporter demo is up (docker compose project callcenter-demo):
  Grafana       http://localhost:3000   (dashboards in the "Call centre" folder)
  Prometheus    http://localhost:9090
  Alertmanager  http://localhost:9093
  Exporter      http://localhost:10469/metrics
  Live floor    http://localhost:10469/live
  Simulator     http://localhost:18080/_sim/truth?date=$TODAY
Simulated time: $TODAY 09:00 IST at $(date -d "@$CLOCK_EPOCH" +%T), ${CLOCK_SPEED}x real time.
Stop it with: ${COMPOSE[*]} down --volumes
MSG
  exit 0
fi

bash scripts/install-deps.sh
# Configured exactly as scripts/test.sh configures build/ (so running one
# after the other never flips the other's options); only the two binaries
# are built.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target callcenter_exporter ozonetel_sim

DEMO="$ROOT/.demo"
mkdir -p "$DEMO"
rm -rf "$DEMO/data" "$DEMO/tsdb" "$DEMO/alertmanager"

# The clock starts now, after the build.
CLOCK_EPOCH=$(date +%s)
CLOCK=(--clock.origin="$CLOCK_ORIGIN" --clock.epoch="$CLOCK_EPOCH" --clock.speed="$CLOCK_SPEED")

NAMES=()  # per process: its name
LOGS=()   # its log file
PIDS=()   # its pid
STOP_SIGNAL=""

start() {  # start NAME COMMAND...: runs COMMAND in the background, logging to .demo/NAME.log
  local name=$1
  shift
  "$@" >"$DEMO/$name.log" 2>&1 &
  NAMES+=("$name")
  LOGS+=("$DEMO/$name.log")
  PIDS+=($!)
}

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

# Ctrl-C (SIGINT) or SIGTERM: remembered here, handled after `wait` returns.
# A terminal's Ctrl-C also reaches the demo processes themselves; they stop
# cleanly on it, and that is not a crash.
trap 'STOP_SIGNAL=INT' INT
trap 'STOP_SIGNAL=TERM' TERM
trap stop_all EXIT

# The live floor: events pushed to the exporter's webhook, from two hours
# before the demo's 09:00 so that the morning's logins are seen.
EVENTS_TOKEN=demo-events-token-0123456789
EVENTS="http://127.0.0.1:10469/ozonetel/events"
start ozonetel_sim ./build/bin/ozonetel_sim --web.listen-address=127.0.0.1:18080 \
  --agents=40 --user-name=demo "${CLOCK[@]}" \
  --events.replay-from=$((CLOCK_ORIGIN - 7200)) \
  --events.agent-url="$EVENTS/agent?token=$EVENTS_TOKEN" \
  --events.call-url="$EVENTS/call?token=$EVENTS_TOKEN"

sed 's#http://ozonetel-sim:18080#http://127.0.0.1:18080#' examples/config.demo.yml \
  >"$DEMO/config.yml"
OZONETEL_API_KEY=sim-api-key CRM_API_KEY=sim-crm-key \
  OZONETEL_EVENTS_TOKEN="$EVENTS_TOKEN" \
  start callcenter_exporter ./build/bin/callcenter_exporter --config.file="$DEMO/config.yml" \
  --storage.path="$DEMO/data" --web.listen-address=127.0.0.1:10469 "${CLOCK[@]}"

cat >"$DEMO/prometheus.yml" <<YAML
global: {scrape_interval: 15s, evaluation_interval: 15s}
rule_files: ["$ROOT/rules/*.yml", "$ROOT/alerts/*.yml"]
alerting:
  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:9093"]}]}]
scrape_configs:
  - job_name: callcenter_exporter
    static_configs: [{targets: ["127.0.0.1:10469"]}]
YAML
# Fails here, naming the file, if a rule file does not load.
promtool check config "$DEMO/prometheus.yml" >"$DEMO/promtool.log" 2>&1 || {
  cat "$DEMO/promtool.log" >&2
  echo "demo: the Prometheus configuration or a rule file does not load (above)" >&2
  exit 1
}
start prometheus prometheus --config.file="$DEMO/prometheus.yml" \
  --storage.tsdb.path="$DEMO/tsdb" --web.listen-address=127.0.0.1:9090
start alertmanager prometheus-alertmanager --config.file=alertmanager/alertmanager.yml \
  --storage.path="$DEMO/alertmanager" --web.listen-address=127.0.0.1:9093 \
  --cluster.listen-address=

cat <<MSG
callcenter_exporter demo is running (no Docker engine, so no Grafana):
  Exporter      http://127.0.0.1:10469/metrics
  Live floor    http://127.0.0.1:10469/live
  Prometheus    http://127.0.0.1:9090      (try: sum by (agent) (ozonetel_calls_total))
  Alertmanager  http://127.0.0.1:9093
  Simulator     http://127.0.0.1:18080/_sim/truth?date=$TODAY
Simulated time: $TODAY 09:00 IST at $(date -d "@$CLOCK_EPOCH" +%T), ${CLOCK_SPEED}x real time.
Dashboards: in any Grafana, add this Prometheus as a data source and import
dashboards/*.json (or provision dashboards/provisioning/). Logs are in .demo/.
Press Ctrl-C to stop.
MSG

# Until a demo process exits or a stop signal arrives (a trapped signal
# interrupts `wait`; its trap has run when `wait` returns).
exited_pid=""
status=0
wait -n -p exited_pid "${PIDS[@]}" || status=$?

if [ -n "$STOP_SIGNAL" ]; then
  echo
  echo "Stopping the demo (SIG$STOP_SIGNAL)..."
  stop_all
  echo "Demo stopped. Logs are in .demo/."
  exit 0
fi

for i in "${!PIDS[@]}"; do
  if [ "${PIDS[$i]}" = "$exited_pid" ]; then
    echo "demo: ${NAMES[$i]} exited unexpectedly (exit status $status); its log is ${LOGS[$i]}:" >&2
    tail -n 15 "${LOGS[$i]}" >&2 || true
  fi
done
echo "demo: stopping the other demo processes" >&2
stop_all
exit 1
