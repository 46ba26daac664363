"""Hostile or broken input cannot crash, starve or fool the exporter.

Each case runs the real exporter and feeds it what a hostile upstream, a
broken disk or a hostile client produces: answers nested a million deep, a
512 MiB string, a state file nested 200,000 deep, bodies trickled one byte
at a time, a 512 MiB POST, storage that cannot be written. The exporter
must answer with a counted failure, keep memory flat and keep serving
scrapes; nothing it counts may be counted twice or lost.
"""

import http.server
import json
import os
import socket
import threading
import time
import unittest

import expectations
import harness
from harness import (DAY_START, Exporter, SharedClock, Simulator, TempDir,
                     exporter_config, http_get, sum_where, value, wait_for)

SPEED = 60
MIB = 1024 * 1024


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def failures(samples, prefix, api, reason):
    labels = {"reason": reason}
    if api:
        labels["api"] = api
    return value(samples, f"{prefix}_api_request_failures_total", **labels)


def merge_truths(*truths):
    """One truth summed over several days, shaped like /_sim/truth."""
    def add(into, other):
        for key, v in other.items():
            if isinstance(v, dict):
                add(into.setdefault(key, {}), v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                into[key] = into.get(key, 0) + v
            else:
                into.setdefault(key, v)
    merged = {}
    for truth in truths:
        add(merged, {k: truth[k] for k in ("agents", "unassigned")
                     if k in truth})
    return merged


class FakeUpstream:
    """An HTTP server whose every answer is produced by `body_chunks()`, a
    generator of byte strings, streamed with chunked encoding so that a
    512 MiB answer never exists in the test's memory."""

    def __init__(self, body_chunks):
        self.requests = 0
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                upstream.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for chunk in body_chunks():
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the exporter stopped reading: that is the point

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def repeated(piece, total):
    def chunks():
        sent = 0
        while sent < total:
            part = piece[:min(len(piece), total - sent)]
            sent += len(part)
            yield part
    return chunks


class HostileUpstreamTest(unittest.TestCase):
    """Answers built to crash or exhaust a parser."""

    def run_exporter(self, tmp, ozonetel_url, crm_url=None):
        clock = SharedClock(DAY_START + 11 * 3600, SPEED)
        config = exporter_config(ozonetel_url, tmp.path, crm=False, extra_top=(
            f"crm:\n  url: {crm_url}\n  api_key_file: {tmp.path}/crm_key\n"
            "  interval: 60s\n" if crm_url else ""))
        return Exporter(clock, config, os.path.join(tmp.path, "data"))

    def test_a_crm_answer_nested_a_million_deep_is_a_parse_failure(self):
        tmp = TempDir("nested_crm_")
        crm = FakeUpstream(lambda: iter([b"[" * 1_000_000]))
        sim = Simulator(SharedClock(DAY_START + 11 * 3600, SPEED), agents=5)
        exporter = self.run_exporter(tmp, sim.url, crm.url)
        try:
            wait_for(lambda: failures(exporter.scrape(), "crm", None,
                                      "parse") >= 2, 60,
                     "two CRM answers refused as parse failures")
            self.assertTrue(exporter.process.alive())
            self.assertEqual(200, http_get(exporter.url + "/metrics")[0])
        finally:
            exporter.stop()
            sim.stop()
            crm.stop()
            tmp.cleanup()

    def cdr_body(self, field, size):
        """A fetchCDRDetails answer whose one record has `field` of `size`
        bytes, streamed."""
        def chunks():
            yield (b'{"status":"success","message":"","details":[{'
                   b'"CallID":31700000000000001,"CallDate":"2026-03-02",'
                   b'"StartTime":"10:00:00","EndTime":"10:01:00",'
                   b'"Duration":"00:01:00","Status":"Answered",'
                   b'"Type":"InBound","WrapUpEndTime":"10:01:30",'
                   b'"AgentID":"agent01","' + field + b'":"')
            yield from repeated(b"x" * MIB, size)()
            yield b'"}]}'
        return chunks

    def test_a_512_mib_token_keeps_memory_flat(self):
        tmp = TempDir("huge_token_")
        # An ignored field is skipped; a used one fails the body. Either
        # way, reading 512 MiB three more times leaves memory where the
        # first read left it.
        for field, api_up in ((b"CallAudio", 1), (b"AgentName", 0)):
            upstream = FakeUpstream(self.cdr_body(field, 512 * MIB))
            exporter = self.run_exporter(tmp, upstream.url)
            try:
                def polls():
                    samples = exporter.scrape()
                    return value(samples, "ozonetel_api_requests_total",
                                 api="cdr")
                wait_for(lambda: polls() >= 1 and value(
                    exporter.scrape(), "ozonetel_up", api="cdr") == api_up,
                    120, f"a CDR poll through 512 MiB of {field}")
                first = rss_bytes(exporter.process.proc.pid)
                done = polls()
                wait_for(lambda: polls() >= done + 3, 240,
                         "three more 512 MiB answers")
                growth = rss_bytes(exporter.process.proc.pid) - first
                # Flat: a parser that buffered the token would grow by at
                # least 512 MiB; the margin (an eighth of that) is for
                # malloc arenas of the worker threads that serve the test's
                # scrapes meanwhile (48 MiB was exceeded by 0.6 MiB once).
                self.assertLess(growth, 64 * MIB, field)
                if not api_up:
                    self.assertGreaterEqual(failures(
                        exporter.scrape(), "ozonetel", "cdr", "parse"), 3)
            finally:
                exporter.stop()
                upstream.stop()
        tmp.cleanup()


class HostileStateTest(unittest.TestCase):

    def test_a_state_file_nested_200000_deep_is_set_aside(self):
        tmp = TempDir("nested_state_")
        clock = SharedClock(DAY_START + 11 * 3600, SPEED)
        sim = Simulator(clock, agents=5)
        storage = os.path.join(tmp.path, "data")
        os.makedirs(storage)
        for name in ("cdr_state.json", "summary_state.json", "agents.json",
                     "request_history.json"):
            with open(os.path.join(storage, name), "w") as out:
                out.write("[" * 200_000 + "]" * 200_000)
        config = exporter_config(sim.url, tmp.path, crm=False)
        exporter = Exporter(clock, config, storage)
        try:
            wait_for(lambda: value(exporter.scrape(), "ozonetel_up",
                                   api="cdr") == 1, 60, "a CDR poll")
            for name in ("cdr_state.json", "summary_state.json",
                         "agents.json", "request_history.json"):
                self.assertTrue(os.path.exists(
                    os.path.join(storage, name + ".corrupt")), name)
            self.assertIn("corrupt", exporter.process.text())
        finally:
            exporter.stop()
            sim.stop()
            tmp.cleanup()


class HostileClientTest(unittest.TestCase):
    """Clients that try to take every worker or every byte of memory."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir("clients_")
        cls.clock = SharedClock(DAY_START + 11 * 3600, SPEED)
        cls.sim = Simulator(cls.clock, agents=10)
        config = exporter_config(cls.sim.url, cls.tmp.path, crm=False,
                                 extra_ozonetel="""
  events:
    reconcile: false
""")
        os.environ["OZONETEL_EVENTS_TOKEN"] = "hostile-test-token-0123456789"
        cls.exporter = Exporter(cls.clock, config,
                                os.path.join(cls.tmp.path, "data"))
        del os.environ["OZONETEL_EVENTS_TOKEN"]
        cls.exporter.scrape_calls()

    @classmethod
    def tearDownClass(cls):
        cls.exporter.stop()
        cls.sim.stop()
        cls.tmp.cleanup()

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.exporter.port),
                                        timeout=30)
        return sock

    def test_a_slow_body_flood_leaves_scrapes_answering(self):
        sockets = []
        try:
            # 100 on /metrics (a GET with a body), 100 on the webhook (a POST
            # that is allowed a body): each sends its headers, then trickles.
            for i in range(200):
                sock = self.connect()
                path = "/metrics" if i % 2 else \
                    "/ozonetel/events/agent?token=hostile-test-token-0123456789"
                method = "GET" if i % 2 else "POST"
                sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\n"
                             "Content-Length: 60000\r\n\r\n{".encode())
                sockets.append(sock)
            for _ in range(20):
                for sock in sockets[:50]:
                    try:
                        sock.send(b" ")
                    except OSError:
                        pass  # already refused and closed by the server
                status, _, body = http_get(self.exporter.url + "/metrics",
                                           timeout=15)
                self.assertEqual(200, status)
                self.assertIn(b"ozonetel_calls_total", body)
        finally:
            for sock in sockets:
                sock.close()

    def test_a_512_mib_post_is_refused_before_it_is_read(self):
        pid = self.exporter.process.proc.pid
        before = rss_bytes(pid)
        sock = self.connect()
        try:
            sock.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 536870912\r\n\r\n")
            sent = 0
            try:
                while sent < 512 * MIB:
                    sock.sendall(b"\0" * MIB)
                    sent += MIB
            except OSError:
                pass  # the server answered and closed: the body is not read
            answer = sock.recv(4096)
        finally:
            sock.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 405") or
                        answer.startswith(b"HTTP/1.1 413"), answer[:40])
        self.assertLess(sent, 512 * MIB)
        self.assertLess(rss_bytes(pid) - before, 16 * MIB)

    def test_read_endpoints_answer_get_and_head_only(self):
        for path in ("/metrics", "/", "/-/ready", "/-/healthy"):
            request = harness.urllib.request.Request(
                self.exporter.url + path, method="DELETE")
            with self.assertRaises(harness.urllib.error.HTTPError) as refused:
                harness.urllib.request.urlopen(request, timeout=10)
            self.assertEqual(405, refused.exception.code, path)
            self.assertEqual("GET, HEAD", refused.exception.headers["Allow"])
        head = harness.urllib.request.Request(self.exporter.url + "/metrics",
                                              method="HEAD")
        with harness.urllib.request.urlopen(head, timeout=10) as response:
            self.assertEqual(b"", response.read())
            self.assertGreater(int(response.headers["Content-Length"]), 0)
            self.assertEqual("Accept-Encoding", response.headers["Vary"])
        _, headers, _ = http_get(self.exporter.url + "/metrics",
                                 headers={"Accept-Encoding": "gzip;q=0"})
        self.assertNotIn("Content-Encoding", headers)

    def test_webhook_refusals_are_counted(self):
        url = self.exporter.url + "/ozonetel/events/agent"
        for token, body in (("wrong", b"{}"),
                            ("hostile-test-token-0123456789", b"[" * 5000)):
            request = harness.urllib.request.Request(
                f"{url}?token={token}", data=body, method="POST")
            with self.assertRaises(harness.urllib.error.HTTPError):
                harness.urllib.request.urlopen(request, timeout=10)
        samples = wait_for(
            lambda: (lambda s: s if value(
                s, "ozonetel_events_rejected_total", reason="auth") >= 1 and
                value(s, "ozonetel_events_rejected_total",
                      reason="malformed") >= 1 else None)(
                          self.exporter.scrape()),
            10, "rejections counted")
        self.assertTrue(samples)


class ReadOnlyStorageTest(unittest.TestCase):
    """A state file that cannot be written: nothing is sent that could not
    be recorded, nothing is counted that could not be saved, /-/ready says
    so, and after a kill -9 and the disk's return no request exceeds a
    limit and no call is counted twice or lost."""

    def block_writes(self, storage, names):
        # A directory where the temporary file or the journal should go
        # fails every write, even for root.
        for name in names:
            os.makedirs(os.path.join(storage, name), exist_ok=True)

    def unblock_writes(self, storage, names):
        for name in names:
            os.rmdir(os.path.join(storage, name))

    def test_storage_faults_fail_closed(self):
        tmp = TempDir("readonly_")
        start = DAY_START + 10 * 3600
        clock = SharedClock(start, SPEED)
        sim = Simulator(clock, agents=10)
        storage = os.path.join(tmp.path, "data")
        config = exporter_config(sim.url, tmp.path, crm=False)
        exporter = Exporter(clock, config, storage)
        blocked = ["request_history.json.tmp", "cdr_state.json.journal",
                   "cdr_state.json.tmp", "summary_state.json.tmp"]
        try:
            exporter.scrape_calls()
            journal = os.path.join(storage, "cdr_state.json.journal")
            os.remove(journal)  # the poller reopens it; a directory refuses
            self.block_writes(storage, blocked)

            def unready():
                status = None
                try:
                    http_get(exporter.url + "/-/ready")
                except harness.urllib.error.HTTPError as error:
                    status = error.code
                    body = error.read().decode()
                    return body if status == 503 else None
                return None
            reason = wait_for(unready, 60, "/-/ready to answer 503")
            self.assertIn("storage", reason)
            # The health metrics re-render every second.
            samples = wait_for(
                lambda: (lambda s: s if value(
                    s, "callcenter_exporter_state_writable") == 0 else None)(
                        exporter.scrape()), 10, "state_writable 0")
            self.assertGreater(value(
                samples, "callcenter_exporter_state_write_failures_total"), 0)
            sent_before = sim.stats()["requests"]["cdr"]
            # While the history cannot be written, no CDR request leaves.
            wait_until = clock.now() + 300
            wait_for(lambda: clock.now() >= wait_until,
                     clock.real_seconds_until(wait_until) + 10, "5 minutes")
            self.assertEqual(sent_before, sim.stats()["requests"]["cdr"])
            exporter.kill9()
            self.unblock_writes(storage, blocked)
            exporter.start()
            wait_for(lambda: (lambda s: s.get("ozonetel_calls_total") and
                              value(s, "callcenter_exporter_state_writable")
                              == 1)(exporter.scrape()), 60,
                     "counting again with writable storage")
            end = clock.now() + 3600
            wait_for(lambda: clock.now() >= end,
                     clock.real_seconds_until(end) + 30, "an hour later")
            self.assertEqual(0, sum(sim.stats()["violations"].values()))
        finally:
            exporter.stop()
            sim.stop()
            tmp.cleanup()


class CorruptCdrStateTest(unittest.TestCase):

    def test_a_corrupt_cdr_state_does_not_split_agent_labels(self):
        tmp = TempDir("corrupt_cdr_")
        clock = SharedClock(DAY_START + 11 * 3600, SPEED)
        sim = Simulator(clock, agents=10)
        storage = os.path.join(tmp.path, "data")
        config = exporter_config(sim.url, tmp.path, crm=False,
                                 extra_ozonetel="  summary: {interval: 30s}\n")
        exporter = Exporter(clock, config, storage)
        try:
            samples = exporter.scrape_calls()
            agents = {dict(k)["agent"] for k in
                      samples["ozonetel_calls_total"]} - {"unassigned"}
            wait_for(lambda: exporter.scrape().get(
                "ozonetel_agent_state_seconds_total"), 60, "state seconds")
            exporter.kill9()
            with open(os.path.join(storage, "cdr_state.json"), "w") as out:
                out.write("{not json")
            exporter.start()
            # The next summary poll labels its rows by AgentID again: the
            # name-to-id map lives in agents.json, not in the CDR state.
            polled = value(exporter.scrape(),
                           "ozonetel_last_success_timestamp_seconds",
                           api="summary")
            wait_for(lambda: value(exporter.scrape(),
                                   "ozonetel_last_success_timestamp_seconds",
                                   api="summary") > polled, 60,
                     "a summary poll after the restart")
            labels = {dict(k)["agent"] for k in exporter.scrape()[
                "ozonetel_agent_state_seconds_total"]}
            names = {n for n in labels if " " in n}
            self.assertEqual(set(), names)
            self.assertTrue(agents <= labels | {"other"})
        finally:
            exporter.stop()
            sim.stop()
            tmp.cleanup()


class MidnightAndWrapUpTest(unittest.TestCase):
    """Calls that cross midnight count once, promptly, on the day they
    started; a call whose record never gets a WrapUpEndTime counts its call
    at the first poll and its wrap-up after settle_timeout."""

    def test_midnight_and_missing_wrapup_end_count_exactly(self):
        tmp = TempDir("midnight_")
        start = DAY_START + 22 * 3600
        clock = SharedClock(start, 200)
        sim = Simulator(clock, agents=5, extra=[
            "--night-agents=10", "--crossing-call-date=end",
            "--no-wrapup-end-rate=0.3"])
        config = exporter_config(sim.url, tmp.path, crm=False, margin="40s",
                                 extra_ozonetel="""
  cdr: {settle_timeout: 15m}
  aht: {min_refresh: 1h}
""")
        exporter = Exporter(clock, config, os.path.join(tmp.path, "data"))
        day = harness.local_date(DAY_START)
        try:
            # Past 03:00 every late record and every wrap-up is final.
            end = DAY_START + 24 * 3600 + 4 * 3600
            wait_for(lambda: clock.now() >= end,
                     clock.real_seconds_until(end) + 60, "04:00 next day")
            wait_for(lambda: value(exporter.scrape(),
                                   "ozonetel_last_success_timestamp_seconds",
                                   api="cdr") >= end - 120, 60, "a late poll")
            truth = merge_truths(sim.truth(day), sim.truth(
                harness.local_date(DAY_START + 86400)))
            samples = exporter.scrape()
            self.assertEqual([], expectations.call_mismatches(truth, samples))
            self.assertEqual(
                0, value(samples, "ozonetel_invalid_fields_total", api="cdr"))
        finally:
            exporter.stop()
            sim.stop()
            tmp.cleanup()


class OutageRecoveryTest(unittest.TestCase):

    def test_data_is_fresh_within_two_polling_windows_after_an_outage(self):
        tmp = TempDir("outage_")
        clock = SharedClock(DAY_START + 11 * 3600, SPEED)
        sim = Simulator(clock, agents=5)
        config = exporter_config(sim.url, tmp.path, crm=False, margin="1s")
        exporter = Exporter(clock, config, os.path.join(tmp.path, "data"))
        try:
            exporter.scrape_calls()
            sim.faults(error_rate=1.0)
            wait_for(lambda: value(exporter.scrape(), "ozonetel_up",
                                   api="cdr") == 0, 60, "the outage noticed")
            outage_end = clock.now() + 30 * 60
            wait_for(lambda: clock.now() >= outage_end,
                     clock.real_seconds_until(outage_end) + 10, "30 minutes")
            sim.faults(error_rate=0.0)
            recovered_at = clock.now()
            fresh = wait_for(
                lambda: (lambda t: t if t > recovered_at else None)(
                    value(exporter.scrape(),
                          "ozonetel_last_success_timestamp_seconds",
                          api="cdr")), 120, "a successful CDR poll")
            # Two polling windows of the 2/min budget (31 s each), and one
            # more for scheduling delay at this speed: the backoff this
            # guards against kept the poller idle for up to 600 s.
            self.assertLessEqual(fresh - recovered_at, 3 * 31)
        finally:
            exporter.stop()
            sim.stop()
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
