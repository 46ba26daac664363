"""Large centres.

400 agents through a working morning: every budget holds, and the number of
series is the formula documented in the README ("Series per agent").

5,000 agents (about 37,000 calls in the day): a first start reads the whole
day in one catch-up response, committed in journaled batches; a kill -9
while that response is still arriving, then a restart, counts every call
exactly once; the series formula holds at that size too.
"""

import json
import os
import struct
import unittest

import expectations
import harness
from harness import (DAY_START, Exporter, SharedClock, Simulator, TempDir,
                     exporter_config, wait_for)

AGENTS = 400
SPEED = 200
START = DAY_START + 8 * 3600
END = DAY_START + 11 * 3600

# Series every known agent has (README, "Series per agent").
PER_AGENT = {
    "ozonetel_calls_total": 4,
    "ozonetel_call_talk_seconds_total": 2,
    "ozonetel_call_hold_seconds_total": 2,
    "ozonetel_call_wrapup_seconds_total": 2,
    "ozonetel_call_handling_seconds_total": 2,
    "ozonetel_agent_info": 1,
    "ozonetel_agent_state_seconds_total": 6,
}
AHT_FAMILIES = ("ozonetel_agent_aht_seconds",
                "ozonetel_agent_aht_timestamp_seconds")


class ScaleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir("scale_")
        cls.clock = SharedClock(START, SPEED)
        cls.sim = Simulator(cls.clock, agents=AGENTS, seed=3)
        config = exporter_config(cls.sim.url, cls.tmp.path, extra_ozonetel="""
  summary: {interval: 30s}
""")
        cls.exporter = Exporter(cls.clock, config,
                                os.path.join(cls.tmp.path, "data"))
        try:
            half_hour_before = END - 1800
            wait_for(lambda: cls.clock.now() >= half_hour_before,
                     cls.clock.real_seconds_until(half_hour_before) + 60,
                     "10:30")
            cls.known_early = {
                dict(k)["agent"]
                for k in cls.exporter.scrape()["ozonetel_agent_info"]}
            wait_for(lambda: cls.clock.now() >= END,
                     cls.clock.real_seconds_until(END) + 60, "11:00")
            cls.samples = cls.exporter.scrape()
            cls.stats = cls.sim.stats()
        finally:
            cls.exporter.stop()
            cls.sim.stop()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_budget_holds(self):
        self.assertEqual(0, sum(self.stats["violations"].values()),
                         self.stats)
        # The AHT budget was the busiest one: it was used, not idle.
        self.assertGreater(self.stats["requests"]["aht"], 400)

    def test_series_match_the_documented_formula(self):
        agents = {dict(k)["agent"] for k in self.samples["ozonetel_agent_info"]}
        self.assertGreater(len(agents), AGENTS * 0.9)
        # At 50 requests a minute a round over 400 agents takes about eight
        # minutes: every agent known half an hour ago has been refreshed,
        # with one value and one timestamp each.
        for family in AHT_FAMILIES:
            aht_agents = [dict(k)["agent"] for k in self.samples[family]]
            self.assertEqual(len(aht_agents), len(set(aht_agents)))
            self.assertLessEqual(self.known_early, set(aht_agents))
            self.assertLessEqual(set(aht_agents), agents)
        for family, per_agent in PER_AGENT.items():
            agent_series = [k for k in self.samples[family]
                            if dict(k).get("agent") in agents]
            self.assertEqual(per_agent * len(agents), len(agent_series), family)
        # Dispositions: one series per (agent, disposition) actually seen.
        dispositions = self.samples["ozonetel_call_dispositions_total"]
        self.assertLessEqual(len(dispositions), (len(agents) + 1) * 52)
        total = sum(len(v) for v in self.samples.values())
        fixed = total - sum(len(self.samples[f]) for f in PER_AGENT) \
            - sum(len(self.samples[f]) for f in AHT_FAMILIES) \
            - len(dispositions) - len(self.samples.get(
                "crm_appointments_booked_total", {}))
        # Everything else is bounded by campaigns and APIs, not agents.
        self.assertLess(fixed, 400)


def journal_entries(path):
    """The payloads of a state journal (length, CRC-32, payload frames; the
    first is the snapshot fingerprint), parsed as JSON after the first."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    frames, pos = [], 0
    while len(data) - pos >= 8:
        length, _ = struct.unpack_from("<II", data, pos)
        if len(data) - pos - 8 < length:
            break  # being written
        frames.append(data[pos + 8:pos + 8 + length])
        pos += 8 + length
    return [json.loads(frame) for frame in frames[1:]]


def series_mismatches(samples, agents):
    """Differences from the README's per-agent formula, as text."""
    problems = []
    for family, per_agent in {**PER_AGENT,
                              **{f: 1 for f in AHT_FAMILIES}}.items():
        counts = {}
        for labels in samples.get(family, {}):
            agent = dict(labels).get("agent")
            counts[agent] = counts.get(agent, 0) + 1
        for agent in agents:
            if counts.get(agent, 0) != per_agent:
                problems.append(f"{family}: {agent} has "
                                f"{counts.get(agent, 0)}, not {per_agent}")
    return problems


class FiveThousandAgentsTest(unittest.TestCase):

    AGENTS = 5000
    SPEED = 30
    START = DAY_START + 21 * 3600  # 21:00: the day's shifts are over
    AHT_PER_MINUTE = 1000

    def test_a_crash_mid_catch_up_counts_every_call_once(self):
        tmp = TempDir("scale5000_")
        clock = SharedClock(self.START, self.SPEED)
        # AHT at 1,000 a minute on both sides, so that one round over every
        # agent takes five simulated minutes, not a hundred.
        sim = Simulator(clock, agents=self.AGENTS, seed=5,
                        extra=["--calls-per-agent-hour=1",
                               f"--limit.aht={self.AHT_PER_MINUTE}"])
        exporter = None
        try:
            truth = sim.truth(harness.local_date(DAY_START))
            total, _ = expectations.truth_totals(truth)
            self.assertGreater(total, 30000)
            # The day's one response arrives over about ten seconds.
            sim.faults(body_bytes_per_second=4_000_000)
            config = exporter_config(sim.url, tmp.path, crm=False,
                                     limits=f"cdr_per_minute: 2, "
                                     f"summary_per_minute: 5, aht_per_minute: "
                                     f"{self.AHT_PER_MINUTE}, tokens_per_hour: "
                                     f"10",
                                     extra_ozonetel="""
  request_timeout: 10m
  summary: {interval: 60s}
""")
            storage = os.path.join(tmp.path, "data")
            exporter = Exporter(clock, config, storage)
            journal = os.path.join(storage, "cdr_state.json.journal")
            entries = wait_for(
                lambda: (lambda e: e if len(e) >= 2 else None)(
                    journal_entries(journal)),
                120, "two batches of the catch-up to be journaled")
            exporter.kill9()
            entries = journal_entries(journal)
            committed = sum(len(e["calls"]) for e in entries)
            # Mid-response: batches committed, the window not yet advanced.
            self.assertFalse(any("window" in e for e in entries))
            self.assertLess(committed, total)
            sim.faults(body_bytes_per_second=0)

            exporter.start()
            samples = exporter.scrape_calls(timeout=300)
            self.assertEqual([], expectations.call_mismatches(truth, samples))
            self.assertEqual([], expectations.histogram_mismatches(truth,
                                                                   samples))
            with open(f"/proc/{exporter.process.proc.pid}/status") as f:
                peak = [line for line in f if line.startswith("VmHWM")]
            print(f"\n5,000 agents, {total} calls: exporter {peak[0].strip()}"
                  " after the catch-up")

            # One AHT round over every agent, then every known agent has
            # the formula's series.
            agents = {dict(k)["agent"] for k in samples["ozonetel_agent_info"]}
            self.assertGreater(len(agents), self.AGENTS * 0.95)

            def formula_holds():
                current = exporter.scrape()
                return current if not series_mismatches(current, agents) \
                    else None
            round_end = clock.now() + (self.AGENTS // self.AHT_PER_MINUTE
                                       + 5) * 60
            wait_for(formula_holds,
                     clock.real_seconds_until(round_end) + 120,
                     "every agent to have the documented series")
            self.assertEqual(0, sum(sim.stats()["violations"].values()))
        finally:
            if exporter is not None:
                exporter.stop()
            sim.stop()
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
