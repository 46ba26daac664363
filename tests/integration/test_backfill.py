"""Backfill: seven simulated days into a fresh TSDB with promtool, then a
real Prometheus on that TSDB answers increase(ozonetel_calls_total[1d]) per
day with the simulator's truth; the live exporter started afterwards, scraped
into the same TSDB, continues the very same series without a reset."""

import os
import subprocess
import time
import unittest

import expectations
import harness
from harness import (BIN_DIR, DAY_START, Exporter, Prometheus, SharedClock,
                     Simulator, TempDir, exporter_config, sum_where)

SPEED = 400
DAYS = 7
TODAY = DAY_START + 8 * 86400  # 2026-03-10
# 00:30: the backfill and the live exporter's first poll end long before
# 08:00, today's first call.
FIRST_CALL = TODAY + 8 * 3600


class BackfillTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir("backfill_")
        cls.clock = SharedClock(TODAY + 1800, SPEED)
        cls.sim = Simulator(cls.clock, agents=20, seed=5)
        cls.config = exporter_config(cls.sim.url, cls.tmp.path, crm=False)
        cls.storage = os.path.join(cls.tmp.path, "data")
        cls.output = os.path.join(cls.tmp.path, "backfill.om")
        # The live exporter's scrape address is known in advance, so the
        # backfilled series carry the labels Prometheus will give it.
        cls.live_port = harness.free_port()
        cls.instance = f"127.0.0.1:{cls.live_port}"
        cls.backfill = subprocess.run(
            [os.path.join(BIN_DIR, "callcenter_exporter"), "backfill",
             f"--days={DAYS}", f"--output={cls.output}",
             f"--label=instance={cls.instance}",
             f"--config.file={cls.config}", f"--storage.path={cls.storage}",
             *cls.clock.flags()],
            capture_output=True, text=True, timeout=300)
        cls.tsdb = os.path.join(cls.tmp.path, "tsdb")
        cls.blocks = subprocess.run(
            [harness.promtool(), "tsdb", "create-blocks-from", "openmetrics",
             cls.output, cls.tsdb], capture_output=True, text=True,
            timeout=300)
        cls.days = [DAY_START + (8 - DAYS + i) * 86400 for i in range(DAYS)]
        cls.truths = [cls.sim.truth(harness.local_date(d)) for d in cls.days]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        cls.tmp.cleanup()

    def test_backfill_succeeds_and_reports_progress(self):
        self.assertEqual(0, self.backfill.returncode, self.backfill.stderr)
        self.assertIn(f"{DAYS}/{DAYS} days done", self.backfill.stderr)
        self.assertIn("requests spent", self.backfill.stderr)
        self.assertEqual(0, sum(self.sim.stats()["violations"].values()))

    def test_promtool_accepts_the_openmetrics(self):
        self.assertEqual(0, self.blocks.returncode,
                         self.blocks.stdout + self.blocks.stderr)

    def test_prometheus_daily_increase_equals_truth(self):
        prometheus = Prometheus(
            self.tmp.path, storage=self.tsdb,
            extra_args=["--storage.tsdb.retention.time=100y"])
        try:
            for day, truth in zip(self.days, self.truths):
                total, missed = expectations.truth_totals(truth)
                end_of_day = day + 86400
                result = prometheus.query(
                    "sum(increase(ozonetel_calls_total[1d]))", at=end_of_day)
                self.assertEqual(total, float(result[0]["value"][1]),
                                 harness.local_date(day))
                result = prometheus.query(
                    'sum(increase(ozonetel_calls_total{direction="inbound",'
                    'status="unanswered"}[1d]))', at=end_of_day)
                self.assertEqual(missed, float(result[0]["value"][1]))
        finally:
            prometheus.stop()

    def test_live_exporter_continues_without_reset(self):
        backfilled = sum(expectations.truth_totals(t)[0] for t in self.truths)
        exporter = Exporter(self.clock, self.config, self.storage,
                            port=self.live_port)
        prometheus = None
        try:
            # Before 08:00 no call of today exists: the live counters equal
            # the backfilled totals at today's midnight.
            live = exporter.scrape_calls()
            self.assertLess(self.clock.now(), FIRST_CALL, "test ran too slowly")
            self.assertEqual(backfilled, sum_where(live, "ozonetel_calls_total"))
            prometheus = Prometheus(
                self.tmp.path, scrape_targets=[self.instance],
                storage=self.tsdb,
                extra_args=["--storage.tsdb.retention.time=100y"])
            live_series = {
                labels | {("job", "callcenter_exporter"),
                          ("instance", self.instance)}
                for labels in live["ozonetel_calls_total"]}

            def scraped():
                return prometheus.query(
                    f'ozonetel_calls_total{{instance="{self.instance}"}}')
            harness.wait_for(scraped, 60, "the first scrape")
            # One set of series, history and live: the labels line up ...
            history = prometheus.series(
                "ozonetel_calls_total", start=self.days[0],
                end=TODAY - 1)
            self.assertEqual(live_series, history)
            # ... and from the last backfilled sample to the live one no
            # counter drops (the first scrape is months of wall time later).
            span = f"{int(time.time() - self.days[0]) + 86400}s"
            result = prometheus.query(
                f"sum(resets(ozonetel_calls_total[{span}]))")
            self.assertEqual(0.0, float(result[0]["value"][1]))
            result = prometheus.query(
                f"count(count_over_time(ozonetel_calls_total[{span}]))")
            self.assertEqual(len(live_series), int(result[0]["value"][1]))
        finally:
            if prometheus:
                prometheus.stop()
            exporter.stop()

    def test_backfill_refuses_existing_state(self):
        again = subprocess.run(
            [os.path.join(BIN_DIR, "callcenter_exporter"), "backfill",
             "--days=1", f"--output={self.output}.again",
             f"--config.file={self.config}", f"--storage.path={self.storage}",
             *self.clock.flags()],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(1, again.returncode)
        self.assertIn("already holds exporter state", again.stderr)


if __name__ == "__main__":
    unittest.main()
