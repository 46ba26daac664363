"""Process harness for integration tests: the simulator, the exporter,
Prometheus and Alertmanager as real processes on loopback, sharing one
simulated clock (docs/architecture.md, "Simulated time").

Standard library only. Waiting is done by polling for an observable
condition with a deadline, never by sleeping a fixed time and hoping.
"""

import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BUILD_DIR = os.environ.get("CALLCENTER_BUILD_DIR", os.path.join(
    os.path.dirname(__file__), "..", "..", "build"))
BIN_DIR = os.path.join(BUILD_DIR, "bin")
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

IST_OFFSET = 5 * 3600 + 1800
# 2026-03-02 00:00:00 +05:30: a Monday, inside every test's 15-day lookback.
DAY_START = 1772389800


def local_date(unix_seconds):
    return time.strftime("%Y-%m-%d", time.gmtime(unix_seconds + IST_OFFSET))


def http_get(url, timeout=10, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, dict(response.headers), response.read()


def http_post_json(url, payload, timeout=10):
    data = json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"},
        method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def api_get(url):
    """A Prometheus HTTP API call; its error text, not just the HTTP status,
    ends up in the failure."""
    try:
        body = json.loads(http_get(url)[2])
    except urllib.error.HTTPError as error:
        body = json.loads(error.read() or b"{}")
    if body.get("status") != "success":
        raise AssertionError(f"{urllib.parse.unquote(url)} failed: {body}")
    return body["data"]


def wait_for(predicate, timeout, what, interval=0.05):
    """Polls `predicate` until it returns a truthy value; fails after
    `timeout` real seconds with a message naming `what`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # the process may still be starting
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}"
                         + (f" (last error: {last_error})" if last_error else ""))


class SharedClock:
    """origin/epoch/speed flags that make two processes agree on time."""

    def __init__(self, origin, speed):
        self.origin = origin
        self.speed = speed
        self.epoch = time.time()

    def flags(self):
        return [f"--clock.origin={self.origin}", f"--clock.epoch={self.epoch}",
                f"--clock.speed={self.speed}"]

    def now(self):
        return self.origin + (time.time() - self.epoch) * self.speed

    def real_seconds_until(self, sim_time):
        return max(0.0, (sim_time - self.now()) / self.speed)


class Process:
    """A child process whose stdout and stderr are collected in threads."""

    def __init__(self, name, args, cwd=None, env=None):
        self.name = name
        self.args = args
        self.output = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace", start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.output.append(line)

    def text(self):
        with self.lock:
            return "".join(self.output)

    def wait_for_line(self, pattern, timeout=20):
        regex = re.compile(pattern)

        def find():
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.proc.returncode}:\n"
                    + self.text()[-3000:])
            match = regex.search(self.text())
            return match
        return wait_for(find, timeout, f"{self.name} to print /{pattern}/")

    def alive(self):
        return self.proc.poll() is None

    def _close(self):
        self.reader.join(timeout=10)
        self.proc.stdout.close()

    def kill9(self):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close()

    def stop(self, timeout=15):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
                return self.proc.returncode
        if not self.proc.stdout.closed:
            self._close()
        return self.proc.returncode


class Simulator:
    def __init__(self, clock, agents=20, seed=7, extra=()):
        self.clock = clock
        self.process = Process("ozonetel_sim", [
            os.path.join(BIN_DIR, "ozonetel_sim"),
            "--web.listen-address=127.0.0.1:0", f"--seed={seed}",
            f"--agents={agents}", "--user-name=acme",
            "--api-key=sim-api-key", "--crm-api-key=sim-crm-key",
            *clock.flags(), *extra])
        match = self.process.wait_for_line(r"listening on 127\.0\.0\.1:(\d+)")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def get(self, path):
        return json.loads(http_get(self.url + path)[2])

    def truth(self, date, until=None):
        query = f"/_sim/truth?date={date}"
        if until is not None:
            query += f"&until={int(until)}"
        return self.get(query)

    def stats(self):
        return self.get("/_sim/stats")

    def faults(self, **switches):
        return http_post_json(self.url + "/_sim/faults", switches)

    def stop(self):
        self.process.stop()


def exporter_config(sim_url, workdir, extra_ozonetel="", extra_top="",
                    crm=True, margin="40s", timezone="+05:30",
                    limits="cdr_per_minute: 2, summary_per_minute: 5, "
                           "aht_per_minute: 50, tokens_per_hour: 10"):
    # At 400 times real speed a millisecond of scheduling delay between
    # exporter and simulator is 0.4 simulated seconds. The margin, which
    # absorbs disagreement between our clock and the vendor's, must grow
    # with the speed-up: 40 s covers 100 ms of real jitter at 400x, which a
    # two-core machine running four busy processes does produce.
    key_file = os.path.join(workdir, "api_key")
    with open(key_file, "w") as out:
        out.write("sim-api-key\n")
    crm_key = os.path.join(workdir, "crm_key")
    with open(crm_key, "w") as out:
        out.write("sim-crm-key\n")
    crm_block = f"""
crm:
  url: {sim_url}/graphql
  api_key_file: {crm_key}
  interval: 60s
""" if crm else ""
    text = f"""
ozonetel:
  url: {sim_url}
  user_name: acme
  auth: api_key
  api_key_file: {key_file}
  timezone: "{timezone}"
  limits: {{{limits}, margin: {margin}}}
{extra_ozonetel}
{crm_block}
{extra_top}
"""
    path = os.path.join(workdir, "config.yml")
    with open(path, "w") as out:
        out.write(text)
    return path


class Exporter:
    def __init__(self, clock, config_path, storage, extra=(), port=0):
        self.clock = clock
        # Flags that cannot repeat: a caller's --log.level replaces ours.
        log_level = [] if any(a.startswith("--log.level") for a in extra) \
            else ["--log.level=info"]
        self.args = [
            os.path.join(BIN_DIR, "callcenter_exporter"),
            f"--config.file={config_path}", f"--storage.path={storage}",
            *log_level, *clock.flags(), *extra]
        self.port = port
        self.start()

    def start(self):
        """Starts (or restarts, on the same port) the exporter."""
        self.process = Process("callcenter_exporter", self.args + [
            f"--web.listen-address=127.0.0.1:{self.port}"])
        match = self.process.wait_for_line(r'msg=listening .*ports=(\d+)')
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def scrape_calls(self, timeout=60):
        """The first scrape with call counters: the exporter withholds them
        until its CDR poller has caught up with the day."""
        def published():
            samples = self.scrape()
            return samples if "ozonetel_calls_total" in samples else None
        return wait_for(published, timeout, "call counters to be published")

    def scrape_text(self):
        return http_get(self.url + "/metrics")[2].decode()

    def scrape(self):
        return parse_metrics(self.scrape_text())

    def kill9(self):
        self.process.kill9()

    def stop(self):
        return self.process.stop()


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def _unescape(value):
    return (value.replace('\\\\', '\x00').replace('\\"', '"')
            .replace('\\n', '\n').replace('\x00', '\\'))


def parse_metrics(text):
    """{name: {frozenset(labels.items()): value}} from the text format."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            raise AssertionError(f"unparseable exposition line: {line!r}")
        name, _, labels, value = match.groups()
        label_map = {k: _unescape(v) for k, v in _LABEL.findall(labels or "")}
        samples.setdefault(name, {})[frozenset(label_map.items())] = float(value)
    return samples


def value(samples, name, **labels):
    return samples.get(name, {}).get(frozenset(labels.items()), 0.0)


def sum_where(samples, name, **labels):
    want = set(labels.items())
    return sum(v for k, v in samples.get(name, {}).items() if want <= set(k))


def go_duration_seconds(text):
    """Seconds in a Prometheus duration such as 15s, 5m, 1h, 7d or 1h30m."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400,
             "w": 604800, "y": 31536000}
    parts = re.findall(r"(\d+)(ms|s|m|h|d|w|y)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(n) * units[u] for n, u in parts)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempDir:
    def __init__(self, prefix):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def promtool():
    path = shutil.which("promtool")
    if not path:
        raise AssertionError("promtool not found: run scripts/install-deps.sh")
    return path


class Prometheus:
    """A real Prometheus server from Debian's package, on loopback."""

    def __init__(self, workdir, scrape_targets=(), rule_files=(),
                 alertmanager=None, storage=None, interval="1s",
                 extra_args=()):
        binary = shutil.which("prometheus")
        if not binary:
            raise AssertionError("prometheus not found: run scripts/install-deps.sh")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = {
            "global": {"scrape_interval": interval,
                       "evaluation_interval": interval},
            "rule_files": list(rule_files),
            "scrape_configs": [{
                "job_name": "callcenter_exporter",
                "static_configs": [{"targets": list(scrape_targets)}],
            }] if scrape_targets else [],
        }
        if alertmanager:
            config["alerting"] = {"alertmanagers": [
                {"static_configs": [{"targets": [alertmanager]}]}]}
        config_path = os.path.join(workdir, "prometheus.yml")
        with open(config_path, "w") as out:
            json.dump(config, out)  # JSON is YAML
        self.process = Process("prometheus", [
            binary, f"--config.file={config_path}",
            f"--storage.tsdb.path={storage or os.path.join(workdir, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            *extra_args])
        wait_for(lambda: http_get(self.url + "/-/ready")[0] == 200, 60,
                 "prometheus to be ready")

    def query_range(self, expr, start, end, step):
        params = {"query": expr, "start": str(start), "end": str(end),
                  "step": str(step)}
        return api_get(self.url + "/api/v1/query_range?"
                       + urllib.parse.urlencode(params))["result"]

    def label_values(self, label, match=None, start=None, end=None):
        params = {"match[]": match} if match else {}
        if start is not None:
            params.update(start=str(start), end=str(end))
        return api_get(self.url + f"/api/v1/label/{label}/values?"
                       + urllib.parse.urlencode(params))

    def query(self, expr, at=None):
        params = {"query": expr}
        if at is not None:
            params["time"] = str(at)
        return api_get(self.url + "/api/v1/query?"
                       + urllib.parse.urlencode(params))["result"]

    def series(self, match, start, end):
        """The label sets of `match` between start and end, as frozensets."""
        params = {"match[]": match, "start": str(start), "end": str(end)}
        data = api_get(self.url + "/api/v1/series?"
                       + urllib.parse.urlencode(params))
        return {frozenset((k, v) for k, v in labels.items() if k != "__name__")
                for labels in data}

    def stop(self):
        self.process.stop()


class Alertmanager:
    """A real Alertmanager (Debian's prometheus-alertmanager) on loopback."""

    def __init__(self, workdir, config_path):
        binary = (shutil.which("prometheus-alertmanager")
                  or shutil.which("alertmanager"))
        if not binary:
            raise AssertionError(
                "prometheus-alertmanager not found: run scripts/install-deps.sh")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.process = Process("alertmanager", [
            binary, f"--config.file={config_path}",
            f"--storage.path={os.path.join(workdir, 'alertmanager')}",
            f"--web.listen-address={self.address}",
            "--cluster.listen-address="])  # no gossip: a single instance
        wait_for(lambda: http_get(f"http://{self.address}/-/ready")[0] == 200,
                 60, "alertmanager to be ready")

    def stop(self):
        self.process.stop()


class WebhookReceiver:
    """Collects what Alertmanager POSTs, by URL path (/pager, /ticket)."""

    def __init__(self):
        received = self.received = []
        lock = self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    received.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def alerts(self, path):
        """Every alert of every notification POSTed to `path`."""
        with self.lock:
            return [alert for p, body in self.received if p == path
                    for alert in body["alerts"]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

