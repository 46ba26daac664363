"""The live floor against the simulator's truth (live-floor.md).

400 agents on an accelerated day (90 times real time) push Ozonetel agent and call events to the
exporter's webhook. At sampled instants the test pauses delivery, waits
until nothing is in flight, and compares every agent's state and
since-timestamp, the agents per state, the queues and the active calls with
/_sim/live at the last delivered instant. With dropped, duplicated and
reordered deliveries, the duplicate and out-of-order counters equal what
the simulator injected and reconciliation from agentdetails brings the
states back. After a kill -9 the floor is restored from disk.
"""

import os
import subprocess
import unittest

import harness
from harness import (DAY_START, Exporter, SharedClock, Simulator, TempDir,
                     exporter_config, http_post_json, sum_where, value,
                     wait_for)

TOKEN = "live-floor-test-token-0123456789"
STATES = ["available", "ringing", "busy", "hold", "wrapup", "pause",
          "outbound", "supervising", "unknown"]


def exporter_floor(samples):
    """{agent: (state, since)} from the exporter's live families."""
    states = {}
    for labels, v in samples.get("callcenter_agent_state", {}).items():
        labels = dict(labels)
        if v == 1:
            states[labels["agent"]] = labels["state"]
    since = {dict(k)["agent"]: v for k, v in samples.get(
        "callcenter_agent_state_since_timestamp_seconds", {}).items()}
    return {agent: (state, since.get(agent)) for agent, state in states.items()}


def reconciled_after(samples, at):
    """Agents whose state dates from after `at`: a reconciliation answered
    with the vendor's present, which the truth at `at` cannot show."""
    return {agent for agent, (_, since) in exporter_floor(samples).items()
            if since is not None and since > at}


def truth_floor(truth):
    return {a["agent"]: (a["state"], a["since"]) for a in truth["agents"]}


def floor_mismatches(samples, truth, compare_since=True, skip=()):
    problems = []
    got = exporter_floor(samples)
    want = truth_floor(truth)
    for agent in sorted(set(got) | set(want)):
        if agent in skip:
            continue
        g, w = got.get(agent), want.get(agent)
        if g is None or w is None or g[0] != w[0] or \
                (compare_since and g[1] != w[1]):
            problems.append(f"{agent}: exporter {g}, truth {w}")
    return problems


def aggregate_mismatches(samples, truth):
    problems = []
    for state in STATES:
        got = value(samples, "callcenter_agents", state=state)
        want = truth["counts"].get(state, 0)
        if got != want:
            problems.append(f"agents {state}: exporter {got}, truth {want}")
    for queue in truth["queues"]:
        got = value(samples, "callcenter_queue_waiting_calls",
                    queue=queue["queue"])
        if got != queue["waiting"]:
            problems.append(f"waiting {queue['queue']}: exporter {got}, "
                            f"truth {queue['waiting']}")
        oldest = samples.get(
            "callcenter_queue_oldest_waiting_timestamp_seconds", {}).get(
                frozenset({("queue", queue["queue"])}))
        if oldest != queue["oldest_since"]:
            problems.append(f"oldest {queue['queue']}: exporter {oldest}, "
                            f"truth {queue['oldest_since']}")
    for direction in ("inbound", "outbound"):
        got = value(samples, "callcenter_calls_active", direction=direction)
        want = truth["calls_active"][direction]
        if got != want:
            problems.append(f"calls {direction}: exporter {got}, truth {want}")
    return problems


class EventsStack:
    """A simulator pushing events to an exporter, subscribed the way an
    operator would: `callcenter_exporter subscribe --set`."""

    def __init__(self, prefix, speed, agents, start, events_config="",
                 sim_extra=()):
        self.tmp = TempDir(prefix)
        self.clock = SharedClock(start, speed)
        self.sim = Simulator(self.clock, agents=agents, seed=11,
                             extra=["--queues=8", *sim_extra])
        token_file = os.path.join(self.tmp.path, "events_token")
        with open(token_file, "w") as out:
            out.write(TOKEN + "\n")
        self.config = exporter_config(
            self.sim.url, self.tmp.path, crm=False, margin="20s",
            extra_ozonetel=f"""
  aht: {{min_refresh: 1h}}
  events:
    token_file: {token_file}
    subscription_url: {self.sim.url}
{events_config}""")
        self.storage = os.path.join(self.tmp.path, "data")
        self.exporter = Exporter(self.clock, self.config, self.storage)
        self.accepted_before_start = 0
        self.subscribe()

    def kill9_exporter(self):
        """kill -9 while delivery is paused; what it accepted went to this
        process, the next start counts from zero."""
        self.exporter.kill9()
        self.accepted_before_start = self.events()["accepted"]

    def subscribe(self):
        base = f"{self.exporter.url}/ozonetel/events"
        result = subprocess.run(
            [os.path.join(harness.BIN_DIR, "callcenter_exporter"), "subscribe",
             f"--config.file={self.config}", "--set",
             f"--agent-url={base}/agent?token={TOKEN}",
             f"--call-url={base}/call?token={TOKEN}"],
            capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise AssertionError(f"subscribe failed: {result.stderr}")
        if TOKEN in result.stdout + result.stderr:
            raise AssertionError("subscribe printed the token")
        self.subscribe_output = result.stdout

    def events(self, **switches):
        if switches:
            return http_post_json(self.sim.url + "/_sim/events", switches)
        return self.sim.get("/_sim/events")

    def received(self, samples):
        return sum_where(samples, "ozonetel_events_received_total")

    def paused_instant(self):
        """Pauses delivery, waits until nothing is in flight and the
        exporter has applied every delivery; returns (W, samples)."""
        self.events(paused=True)
        status = wait_for(lambda: (lambda s: s if s["in_flight"] == 0
                                   else None)(self.events()),
                          30, "event delivery to drain")
        # Every POST the exporter answered 2xx (second copies included) is
        # one it counted; its counter starts again at each start.
        accepted = status["accepted"] - self.accepted_before_start

        def applied():
            samples = self.exporter.scrape()
            return samples if self.received(samples) >= accepted else None
        # The count renders after the events it counts were applied, so
        # this scrape shows their effect on the floor too.
        samples = wait_for(applied, 30, "the exporter to apply every event")
        return status["delivered_through"], samples

    def resume(self):
        self.events(paused=False)

    def run_until(self, instant):
        wait_for(lambda: self.clock.now() >= instant,
                 self.clock.real_seconds_until(instant) + 60,
                 harness.time.strftime("%H:%M", harness.time.gmtime(
                     instant + harness.IST_OFFSET)))

    def mismatches_after_a_reconciliation_round(self):
        """Runs one reconciliation round (60 agents at 10/min) with
        delivery on, then compares the floor with the truth; returns
        (problems, samples)."""
        self.resume()
        self.run_until(self.clock.now() + 8 * 60)
        at, samples = self.paused_instant()
        truth = self.sim.get(f"/_sim/live?at={int(at)}")
        return floor_mismatches(samples, truth, compare_since=False,
                                skip=reconciled_after(samples, at)), samples

    def close(self):
        self.exporter.stop()
        self.sim.stop()
        self.tmp.cleanup()


class LiveFloorExactTest(unittest.TestCase):
    """No faults, no reconciliation: events alone make the floor exact."""

    @classmethod
    def setUpClass(cls):
        cls.stack = EventsStack("live_exact_", speed=90, agents=400,
                                start=DAY_START + int(7.75 * 3600),
                                events_config="    reconcile: false\n")

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_subscribe_shows_the_subscription_without_the_token(self):
        self.assertIn("token=***", self.stack.subscribe_output)

    def test_the_floor_equals_the_truth_across_the_day(self):
        stack = self.stack
        checked = 0
        for hour in (9, 10.5):
            stack.run_until(DAY_START + int(hour * 3600))
            at, samples = stack.paused_instant()
            try:
                truth = stack.sim.get(f"/_sim/live?at={int(at)}")
                self.assertGreater(len(truth["agents"]), 100, hour)
                self.assertEqual([], floor_mismatches(samples, truth), hour)
                self.assertEqual([], aggregate_mismatches(samples, truth),
                                 hour)
                checked += 1
            finally:
                stack.resume()
        self.assertEqual(2, checked)
        samples = stack.exporter.scrape()
        self.assertEqual(0, sum_where(samples,
                                      "ozonetel_events_rejected_total"))
        self.assertEqual(0, value(samples, "ozonetel_events_duplicates_total"))

    def test_series_count_follows_the_documented_formula(self):
        # On a staffed floor, whichever test ran first.
        self.stack.run_until(max(self.stack.clock.now(),
                                 DAY_START + 9 * 3600))
        samples = self.stack.exporter.scrape()
        agents = len(exporter_floor(samples))
        self.assertGreater(agents, 100)
        queues = len(samples.get("callcenter_queue_waiting_calls", {}))
        live = sum(len(samples.get(name, {})) for name in (
            "callcenter_agent_state",
            "callcenter_agent_state_since_timestamp_seconds",
            "callcenter_agent_login_timestamp_seconds",
            "callcenter_agent_live_info", "callcenter_agents",
            "callcenter_queue_waiting_calls",
            "callcenter_queue_oldest_waiting_timestamp_seconds",
            "callcenter_queue_agents", "callcenter_calls_active"))
        waiting = len(samples.get(
            "callcenter_queue_oldest_waiting_timestamp_seconds", {}))
        logins = len(samples.get("callcenter_agent_login_timestamp_seconds",
                                 {}))
        # README, "Series of the live floor": 9 states + since + info per
        # agent, login when known, 9 aggregate states, per queue its
        # waiting calls and (while a call waits) its oldest wait, 2
        # directions.
        self.assertEqual(11 * agents + logins + 9 + queues + waiting + 2,
                         live)
        check = subprocess.run([harness.promtool(), "check", "metrics"],
                               input=self.stack.exporter.scrape_text(),
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(0, check.returncode, check.stdout + check.stderr)


class LiveFloorFaultsTest(unittest.TestCase):
    """Dropped, duplicated and reordered deliveries."""

    def test_faults_are_counted_and_reconciliation_converges(self):
        stack = EventsStack("live_faults_", speed=60, agents=60,
                            start=DAY_START + int(8.5 * 3600),
                            events_config="    reconcile: true\n")
        try:
            stack.events(drop_rate=0.05, duplicate_rate=0.05,
                         reorder_rate=0.05)
            stack.run_until(DAY_START + 10 * 3600)
            at, samples = stack.paused_instant()
            status = stack.events()
            self.assertEqual(status["duplicated"], value(
                samples, "ozonetel_events_duplicates_total"))
            # Every reordered event arrives out of order; so may one older
            # than a reconciliation's answer, which supersedes it.
            out_of_order = value(samples, "ozonetel_events_out_of_order_total")
            corrected = value(samples, "ozonetel_events_reconciliations_total",
                              result="corrected")
            self.assertLessEqual(status["reordered"], out_of_order)
            self.assertLessEqual(out_of_order, status["reordered"] + corrected)
            self.assertGreater(status["dropped"], 0)
            # Agents whose last event was dropped may be wrong; every other
            # one is right, whatever was duplicated or reordered.
            truth = stack.sim.get(f"/_sim/live?at={int(at)}")
            dropped = {a["agent"] for a in truth["agents"]
                       if a["last_event_dropped"]}
            reconciled_since = reconciled_after(samples, at)
            self.assertEqual([], floor_mismatches(
                samples, truth, compare_since=False,
                skip=dropped | reconciled_since))
            # Faults off: within one reconciliation round every state is
            # right again.
            stack.events(drop_rate=0, duplicate_rate=0, reorder_rate=0)
            problems, samples = stack.mismatches_after_a_reconciliation_round()
            self.assertEqual([], problems)
            self.assertGreater(value(samples,
                                     "ozonetel_events_reconciliations_total",
                                     result="unchanged") +
                               value(samples,
                                     "ozonetel_events_reconciliations_total",
                                     result="corrected"), 0)
        finally:
            stack.close()


class LiveFloorRestartTest(unittest.TestCase):

    def test_kill9_restores_the_floor_and_it_converges(self):
        stack = EventsStack("live_restart_", speed=60, agents=60,
                            start=DAY_START + int(8.5 * 3600),
                            events_config="    reconcile: true\n")
        try:
            stack.run_until(DAY_START + 10 * 3600)
            stack.paused_instant()
            # The live state is saved every few seconds; a minute later the
            # file holds a full floor (what was saved is read back below,
            # so a later or earlier save cannot make this pass wrongly).
            stack.run_until(stack.clock.now() + 60)
            stack.kill9_exporter()
            with open(os.path.join(stack.storage, "live_state.json")) as f:
                saved = {a["id"] for a in harness.json.load(f)["agents"]}
            self.assertGreater(len(saved), 10)
            stack.exporter.start()
            samples = stack.exporter.scrape()
            restored = set(exporter_floor(samples))
            # Reconciliation runs from the start and may already have taken
            # off an agent who logged out meanwhile (the clock ran on while
            # delivery was paused); it adds none.
            corrected = value(samples, "ozonetel_events_reconciliations_total",
                              result="corrected")
            self.assertLessEqual(restored, saved)
            self.assertLessEqual(len(saved - restored), corrected)
            # Delivery stayed paused while it was down. The receiver moved,
            # so subscribe the new port and let events and reconciliation
            # (restored agents first) bring the floor back.
            stack.subscribe()
            problems, _ = stack.mismatches_after_a_reconciliation_round()
            self.assertEqual([], problems)
        finally:
            stack.close()


class CccpFloorTest(unittest.TestCase):
    """The same floor from CCCP snapshots: 400 agents, 20 supervisors and 30
    queues written by the simulator every 10 s, read by the exporter every
    10 s; then each fault of the contract."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir("cccp_")
        cls.clock = SharedClock(DAY_START + 11 * 3600, 20)
        snapshot = os.path.join(cls.tmp.path, "cccp.json")
        cls.sim = Simulator(cls.clock, agents=400, seed=5, extra=[
            "--queues=30", "--supervisors=20", f"--cccp-file={snapshot}",
            "--cccp-interval=10s"])
        wait_for(lambda: os.path.exists(snapshot), 30, "the first snapshot")
        config = exporter_config(cls.sim.url, cls.tmp.path, crm=False,
                                 extra_ozonetel="  aht: {min_refresh: 1h}\n",
                                 extra_top=f"""
cccp:
  source: file:{snapshot}
  interval: 10s
  timeout: 5s
  max_age: 60s
""")
        cls.exporter = Exporter(cls.clock, config,
                                os.path.join(cls.tmp.path, "data"))

    @classmethod
    def tearDownClass(cls):
        cls.exporter.stop()
        cls.sim.stop()
        cls.tmp.cleanup()

    def settled_snapshot(self):
        """A scrape whose floor is the document generated at its
        cccp_snapshot_timestamp_seconds, with that document's truth."""
        def read():
            samples = self.exporter.scrape()
            at = value(samples, "cccp_snapshot_timestamp_seconds")
            if not at or value(samples, "cccp_up") != 1 or \
                    value(samples, "cccp_snapshot_stale") != 0:
                return None
            truth = self.sim.get(f"/_sim/live?at={int(at)}&view=cccp")
            # The scrape and the fetch race: keep a pair from one document.
            again = self.exporter.scrape()
            if value(again, "cccp_snapshot_timestamp_seconds") != at:
                return None
            return samples, truth
        return wait_for(read, 60, "a settled CCCP snapshot")

    def test_a_the_floor_equals_the_snapshot_truth(self):
        for _ in range(3):
            samples, truth = self.settled_snapshot()
            self.assertGreater(len(truth["agents"]), 200)
            self.assertTrue(any(a["role"] == "supervisor"
                                for a in truth["agents"]))
            self.assertEqual([], floor_mismatches(samples, truth))
            self.assertEqual([], aggregate_mismatches(samples, truth))
            statuses = samples.get("callcenter_queue_agents", {})
            self.assertEqual(30, len({dict(k)["queue"] for k in statuses}))
            later = self.clock.now() + 600
            wait_for(lambda: self.clock.now() >= later,
                     self.clock.real_seconds_until(later) + 10, "10 minutes")

    def test_b_faults_keep_the_last_good_document_then_drop_it(self):
        sim, exporter = self.sim, self.exporter
        for fault, reason in (("cccp_invalid_json_rate", "invalid_json"),
                              ("cccp_schema_error_rate", "schema")):
            before = value(exporter.scrape(),
                           "cccp_snapshot_fetch_errors_total", reason=reason)
            sim.faults(**{fault: 1.0})
            samples = wait_for(lambda: (lambda s: s if value(
                s, "cccp_snapshot_fetch_errors_total", reason=reason) >
                before and value(s, "cccp_up") == 0 else None)(
                    exporter.scrape()), 60, f"{reason} failures counted")
            # The last good document stays until it is max_age old...
            self.assertGreater(len(exporter_floor(samples)), 200)
            # ...then its per-agent and per-queue series go.
            wait_for(lambda: not exporter.scrape().get(
                "callcenter_agent_state"), 60,
                f"per-agent series dropped past max_age ({reason})")
            samples = exporter.scrape()
            self.assertIn("cccp_up", samples)
            self.assertEqual(0, sum_where(samples, "callcenter_agents"))
            sim.faults(reset=True)
            self.settled_snapshot()
        # A stale but valid document is read and withheld.
        sim.faults(cccp_stale_seconds=300)
        wait_for(lambda: not exporter.scrape().get("callcenter_agent_state"),
                 60, "a stale snapshot withheld")
        sim.faults(reset=True)
        samples, truth = self.settled_snapshot()
        self.assertEqual([], floor_mismatches(samples, truth))


if __name__ == "__main__":
    unittest.main()
