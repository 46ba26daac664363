"""A 400-agent centre: every budget holds, and the number of series is the
formula documented in the README ("Series per agent")."""

import os
import unittest

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


if __name__ == "__main__":
    unittest.main()
