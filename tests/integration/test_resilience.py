"""A failing, slow, lying or absent upstream is counted and survived; a
broken config exits 1 naming the key; token auth works end to end."""

import os
import subprocess
import unittest

import expectations
import harness
from harness import (BIN_DIR, DAY_START, Exporter, SharedClock, Simulator,
                     TempDir, exporter_config, sum_where, value, wait_for)

SPEED = 400


def failures(samples, api, reason):
    return value(samples, "ozonetel_api_request_failures_total", api=api,
                 reason=reason)


class FaultsTest(unittest.TestCase):
    """Faults on, then off: the exporter keeps serving, marks the API down,
    counts failures by reason, and converges to the truth afterwards."""

    def setUp(self):
        self.tmp = TempDir("faults_")
        self.clock = SharedClock(DAY_START + 19 * 3600, SPEED)
        self.sim = Simulator(self.clock, agents=10, seed=11)
        config = exporter_config(self.sim.url, self.tmp.path, crm=False,
                                 extra_ozonetel="  request_timeout: 1s\n")
        self.exporter = Exporter(self.clock, config,
                                 os.path.join(self.tmp.path, "data"))

    def tearDown(self):
        self.exporter.stop()
        self.sim.stop()
        self.tmp.cleanup()

    def wait_for_failures(self, reason):
        def counted():
            samples = self.exporter.scrape()
            return (failures(samples, "cdr", reason) > 0 and
                    value(samples, "ozonetel_up", api="cdr") == 0)
        wait_for(counted, 60, f"cdr failures with reason {reason}")

    def test_faults_are_counted_and_survived(self):
        wait_for(lambda: value(self.exporter.scrape(), "ozonetel_up",
                               api="cdr") == 1, 30, "a first good poll")
        for switches, reason in (({"error_rate": 1.0}, "http"),
                                 ({"malformed_rate": 1.0}, "parse"),
                                 ({"truncated_rate": 1.0}, "parse"),
                                 ({"latency_ms": 2500}, "timeout")):
            self.sim.faults(reset=True)
            self.sim.faults(**switches)
            self.wait_for_failures(reason)
            self.assertTrue(self.exporter.process.alive())
        self.sim.faults(reset=True)
        end = DAY_START + 23 * 3600
        wait_for(lambda: self.clock.now() >= end,
                 self.clock.real_seconds_until(end) + 30, "23:00")

        def converged():
            samples = self.exporter.scrape()
            truth = self.sim.truth(harness.local_date(DAY_START))
            return (value(samples, "ozonetel_up", api="cdr") == 1 and
                    not expectations.call_mismatches(truth, samples))
        wait_for(converged, 90, "the counters to converge to the truth")
        self.assertNotIn("poll failed unexpectedly", self.exporter.process.text())


class RateLimitedTest(unittest.TestCase):
    """An upstream limit tighter than configured: 429s are counted as
    rate_limited and the exporter waits a window instead of hammering."""

    def test_429_is_counted_and_respected(self):
        tmp = TempDir("ratelimit_")
        clock = SharedClock(DAY_START + 10 * 3600, SPEED)
        sim = Simulator(clock, agents=5, extra=["--limit.summary=1"])
        try:
            config = exporter_config(sim.url, tmp.path, crm=False,
                                     extra_ozonetel="  summary: {interval: 15s}\n")
            exporter = Exporter(clock, config, os.path.join(tmp.path, "data"))
            try:
                wait_for(lambda: failures(exporter.scrape(), "summary",
                                          "rate_limited") >= 2, 60,
                         "rate-limited summary requests")
                samples = exporter.scrape()
                sent = value(samples, "ozonetel_api_requests_total",
                             api="summary")
                violations = sim.stats()["violations"]["summary"]
                # After each 429 the exporter waits a full window, so the
                # upstream sees at most one violation per minute.
                elapsed_minutes = (clock.now() - (DAY_START + 36000)) / 60
                self.assertLessEqual(violations, elapsed_minutes + 1)
                self.assertGreater(sent, violations)
            finally:
                exporter.stop()
        finally:
            sim.stop()
            tmp.cleanup()


class UnreachableUpstreamTest(unittest.TestCase):

    def test_serves_metrics_and_reports_down(self):
        tmp = TempDir("unreachable_")
        try:
            port = harness.free_port()  # nothing listens there
            clock = SharedClock(DAY_START + 10 * 3600, SPEED)
            config = exporter_config(f"http://127.0.0.1:{port}", tmp.path,
                                     crm=False)
            exporter = Exporter(clock, config, os.path.join(tmp.path, "data"))
            try:
                wait_for(lambda: failures(exporter.scrape(), "cdr", "http") > 0,
                         30, "connection failures to be counted")
                samples = exporter.scrape()
                self.assertEqual(0, value(samples, "ozonetel_up", api="cdr"))
                self.assertEqual(1, sum_where(samples,
                                              "callcenter_exporter_build_info"))
                status, _, _ = harness.http_get(exporter.url + "/-/healthy")
                self.assertEqual(200, status)
                self.assertTrue(exporter.process.alive())
            finally:
                exporter.stop()
        finally:
            tmp.cleanup()


class TokenAuthTest(unittest.TestCase):

    def test_token_mode_counts_calls_within_the_token_budget(self):
        tmp = TempDir("token_")
        clock = SharedClock(DAY_START + 12 * 3600, SPEED)
        sim = Simulator(clock, agents=5, extra=["--auth=token"])
        try:
            config = exporter_config(sim.url, tmp.path, crm=False)
            with open(config) as f:
                text = f.read().replace("auth: api_key", "auth: token")
            with open(config, "w") as f:
                f.write(text)
            exporter = Exporter(clock, config, os.path.join(tmp.path, "data"))
            try:
                def counted():
                    s = exporter.scrape()
                    return (sum_where(s, "ozonetel_calls_total") > 0 and
                            value(s, "ozonetel_up", api="token") == 1)
                wait_for(counted, 60, "calls counted in token mode")
                end = clock.now() + 3 * 3600
                wait_for(lambda: clock.now() >= end,
                         clock.real_seconds_until(end) + 30, "three hours")
                stats = sim.stats()
                self.assertEqual(0, sum(stats["violations"].values()))
                # 55-minute tokens: about one per simulated hour.
                self.assertLessEqual(stats["requests"]["token"], 5)
            finally:
                exporter.stop()
        finally:
            sim.stop()
            tmp.cleanup()


class BadConfigTest(unittest.TestCase):

    def run_exporter(self, *args, config_text):
        tmp = TempDir("config_")
        try:
            path = os.path.join(tmp.path, "config.yml")
            with open(path, "w") as out:
                out.write(config_text)
            return subprocess.run(
                [os.path.join(BIN_DIR, "callcenter_exporter"),
                 f"--config.file={path}",
                 f"--storage.path={os.path.join(tmp.path, 'data')}",
                 "--web.listen-address=127.0.0.1:0", *args],
                capture_output=True, text=True, timeout=30,
                # The secrets scripts/demo.sh and docker-compose.yml set.
                env={**os.environ, "OZONETEL_API_KEY": "k", "CRM_API_KEY": "k",
                     "OZONETEL_EVENTS_TOKEN": "events-token-0123456789"})
        finally:
            tmp.cleanup()

    def test_broken_config_exits_1_naming_the_key(self):
        broken = ("ozonetel:\n  url: https://x\n  user_name: acme\n"
                  "  limits: {cdr_per_minute: lots}\n")
        for args in ((), ("--check-config",)):
            result = self.run_exporter(*args, config_text=broken)
            self.assertEqual(1, result.returncode, result.stderr)
            self.assertIn("ozonetel.limits.cdr_per_minute", result.stderr)

    def test_valid_config_checks_ok(self):
        result = self.run_exporter(
            "--check-config",
            config_text="ozonetel:\n  url: https://x\n  user_name: acme\n")
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn("config OK", result.stdout)

    def test_example_configs_check_ok(self):
        tmp = TempDir("secrets_")
        try:
            key = os.path.join(tmp.path, "key")
            with open(key, "w") as out:
                out.write("k\n")
            for name in ("config.yml", "config.demo.yml"):
                path = os.path.join(harness.SOURCE_DIR, "examples", name)
                with open(path) as f:
                    # The example's secret path exists only in a deployment.
                    text = f.read().replace("/run/secrets/ozonetel_api_key", key)
                result = self.run_exporter("--check-config", config_text=text)
                self.assertEqual(0, result.returncode,
                                 name + ": " + result.stderr)
        finally:
            tmp.cleanup()

    def test_secrets_never_reach_logs_or_metrics(self):
        tmp = TempDir("secret_")
        clock = SharedClock(DAY_START + 12 * 3600, SPEED)
        sim = Simulator(clock, agents=3)
        try:
            config = exporter_config(sim.url, tmp.path)
            exporter = Exporter(clock, config, os.path.join(tmp.path, "data"),
                                extra=["--log.level=debug"])
            try:
                wait_for(lambda: sum_where(exporter.scrape(),
                                           "ozonetel_calls_total") > 0,
                         60, "some calls")
                landing = harness.http_get(exporter.url + "/")[2].decode()
                for text in (exporter.scrape_text(), landing,
                             exporter.process.text()):
                    self.assertNotIn("sim-api-key", text)
                    self.assertNotIn("sim-crm-key", text)
            finally:
                exporter.stop()
        finally:
            sim.stop()
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
