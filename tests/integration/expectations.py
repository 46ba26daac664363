"""Turns the simulator's ground truth (/_sim/truth) into the exact samples
the exporter must publish, so tests compare numbers, not shapes."""

import bisect

from harness import value

QUEUE_WAIT_BOUNDS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600]
TALK_BOUNDS = [10, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600]
STATES = ["login", "busy", "idle", "pause", "wrapup", "dial"]
PARTS = ["talk", "hold", "wrapup", "handling"]


def cumulative_buckets(observations, bounds):
    counts = [0] * len(bounds)
    for x in observations:
        index = bisect.bisect_left(bounds, x)
        for i in range(index, len(bounds)):
            counts[i] += 1
    return counts


def agents_with_unassigned(truth):
    agents = dict(truth["agents"])
    if "unassigned" in truth:
        agents["unassigned"] = truth["unassigned"]
    return agents


def call_mismatches(truth, samples):
    """Every CDR-derived series that differs from the truth, as text."""
    problems = []
    for agent, t in agents_with_unassigned(truth).items():
        for direction in ("inbound", "outbound"):
            for status in ("answered", "unanswered"):
                want = t["calls"][direction][status]
                got = value(samples, "ozonetel_calls_total", agent=agent,
                            direction=direction, status=status)
                if want != got:
                    problems.append(f"calls {agent}/{direction}/{status}: "
                                    f"exporter {got}, truth {want}")
            for part in PARTS:
                want = t["seconds"][direction][part]
                got = value(samples, f"ozonetel_call_{part}_seconds_total",
                            agent=agent, direction=direction)
                if want != got:
                    problems.append(f"{part} seconds {agent}/{direction}: "
                                    f"exporter {got}, truth {want}")
        for disposition, want in t["dispositions"].items():
            got = value(samples, "ozonetel_call_dispositions_total",
                        agent=agent, disposition=disposition)
            if want != got:
                problems.append(f"disposition {agent}/{disposition}: "
                                f"exporter {got}, truth {want}")
    return problems


def histogram_mismatches(truth, samples):
    problems = []

    def check(name, labels, observations, bounds):
        want = cumulative_buckets(observations, bounds)
        for bound, count in zip(bounds, want):
            got = value(samples, name + "_bucket", le=str(bound), **labels)
            if got != count:
                problems.append(f"{name}{labels} le={bound}: exporter {got}, "
                                f"truth {count}")
        got_count = value(samples, name + "_count", **labels)
        got_sum = value(samples, name + "_sum", **labels)
        if got_count != len(observations) or got_sum != sum(observations):
            problems.append(f"{name}{labels} count/sum: exporter "
                            f"{got_count}/{got_sum}, truth "
                            f"{len(observations)}/{sum(observations)}")

    for direction, talks in truth["talk_seconds"].items():
        check("ozonetel_call_talk_duration_seconds", {"direction": direction},
              talks, TALK_BOUNDS)
    for campaign, t in truth["campaigns"].items():
        if t["queue_wait_seconds"]:
            check("ozonetel_call_queue_wait_seconds", {"campaign": campaign},
                  t["queue_wait_seconds"], QUEUE_WAIT_BOUNDS)
        for direction in ("inbound", "outbound"):
            for status in ("answered", "unanswered"):
                want = t["calls"][direction][status]
                got = value(samples, "ozonetel_campaign_calls_total",
                            campaign=campaign, direction=direction,
                            status=status)
                if want != got:
                    problems.append(f"campaign {campaign}/{direction}/{status}:"
                                    f" exporter {got}, truth {want}")
    return problems


def state_mismatches(truth, samples):
    problems = []
    for agent, t in truth["agents"].items():
        for state in STATES:
            want = t["state_seconds"][state]
            got = value(samples, "ozonetel_agent_state_seconds_total",
                        agent=agent, state=state)
            if want != got:
                problems.append(f"state {agent}/{state}: exporter {got}, "
                                f"truth {want}")
    return problems


def appointment_mismatches(truth, samples):
    problems = []
    for agent, t in truth["agents"].items():
        want = t["appointments"]
        got = value(samples, "crm_appointments_booked_total", agent=agent)
        if want != got:
            problems.append(f"appointments {agent}: exporter {got}, "
                            f"truth {want}")
    return problems


def truth_totals(truth):
    total = 0
    missed = 0
    for t in agents_with_unassigned(truth).values():
        for direction in ("inbound", "outbound"):
            total += sum(t["calls"][direction].values())
        missed += t["calls"]["inbound"]["unanswered"]
    return total, missed
