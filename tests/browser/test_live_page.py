"""The /live wallboard in a real browser (headless Chromium through Debian's
python3-selenium and chromedriver), against the real exporter.

The simulator pushes the Ozonetel agent and call events of 400 agents to the
exporter's webhook (`ozonetel.events` with `reconcile: false`, so only the
events move the floor), replayed from 08:00 of a simulated day to 11:00 and
then live at real speed. With delivery paused and drained, the page must show
exactly the floor of `/_sim/live?at=<delivered_through>`:

- test_1: every logged-in agent, one row each, with the same state, the
  state's Grafana colour, and a time in state computed from the exporter's
  clock (a simulated day of 2026-03-02, so the browser's clock would be
  months off); the counts per state; the queues with their waiting calls;
  no console error (a CSP violation would be one).
- test_2: clicking the `pause` count shows exactly the paused agents;
  ticking `wrapup` too shows both (multi-select); choosing a queue shows
  exactly its agents.
- test_3: the search box narrows the table to one agent.
- test_4: sorting by time in state orders rows by it, both ways.
- test_5: after delivery resumes, state changes reach the page without a
  reload, and filters, sort and scroll survive; paused again, the page
  equals the simulator's floor again.
- test_6: a screenshot (normal and wall-screen mode) under the build dir.
- test_7: the page through the web configuration's TLS and basic auth.

test_7 feeds its TLS exporter from a small fake in this file (the
simulator's sender does not trust a test certificate), which POSTs agent
events and is their truth.

Waiting is done by polling an observable condition with a deadline; no
sleep stands for synchronisation and nothing asserts a duration.
"""

import base64
import json
import os
import random
import shutil
import ssl
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

import harness  # noqa: E402
from harness import (BIN_DIR, BUILD_DIR, DAY_START, IST_OFFSET, Exporter,  # noqa: E402
                     SharedClock, Simulator, TempDir, exporter_config,
                     free_port, wait_for)

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:  # Debian's package, under a non-Debian interpreter
    sys.path.append("/usr/lib/python3/dist-packages")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

AGENTS = 400
ORIGIN = DAY_START + 11 * 3600  # 11:00 local: every shift has started
REPLAY_FROM = DAY_START + 8 * 3600  # the first shifts start at 08:00
TOKEN = "live-page-browser-test-token"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1600,1000"]
ARTIFACTS = os.path.join(BUILD_DIR, "test-artifacts", "browser")

# The Grafana live-floor dashboard's colours, as computed styles.
COLOURS = {
    "available": "#73BF69", "ringing": "#FADE2A", "busy": "#5794F2",
    "hold": "#1F60C4", "wrapup": "#FF9830", "pause": "#F2495C",
    "outbound": "#B877D9", "supervising": "#2CA6A4", "unknown": "#8E8E8E",
}


def rgb(hex_colour):
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def local_time(unix_seconds):
    return time.strftime("%Y-%m-%d %H:%M:%S",
                         time.gmtime(int(unix_seconds) + IST_OFFSET))


def simulator_pushes_events():
    result = subprocess.run([os.path.join(BIN_DIR, "ozonetel_sim"), "--help"],
                            capture_output=True, text=True, timeout=30)
    return "--events.agent-url" in result.stdout + result.stderr


def exporter_help():
    result = subprocess.run(
        [os.path.join(BIN_DIR, "callcenter_exporter"), "--help"],
        capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


def events_config(token_file):
    return f"""
  events:
    token_file: {token_file}
    reconcile: false
"""


# The page, read in one script so that no re-render happens in between.
READ_PAGE = """
const live = document.getElementById('live');
const rows = Array.from(document.querySelectorAll('#agent-rows tr')).map(
  (tr) => {
    const badge = tr.querySelector('.state');
    const cell = tr.querySelector('[data-col="in_state"]');
    return {agent: tr.dataset.agent, state: tr.dataset.state,
            text: badge.textContent,
            colour: getComputedStyle(badge).backgroundColor,
            seconds: Number(cell.dataset.seconds), shown: cell.textContent};
  });
const counts = {};
for (const b of document.querySelectorAll('#counts button[data-state]')) {
  counts[b.dataset.state] = Number(b.dataset.count);
}
return {version: Number(live.dataset.version), now: Number(live.dataset.now),
        render_ms: Number(live.dataset.renderMs),
        rendered: Number(live.dataset.rendered), rows: rows, counts: counts,
        status: document.getElementById('status').dataset.status,
        scrollY: window.scrollY, marker: window.__liveMarker || null};
"""


class SimulatorEvents:
    """The simulator's pushed events: pause, drain, and the truth."""

    def __init__(self, simulator):
        self.sim = simulator

    def control(self, **switches):
        return harness.http_post_json(self.sim.url + "/_sim/events", switches)

    def status(self):
        return self.sim.get("/_sim/events")

    def resume(self):
        self.control(paused=False)

    def wait_caught_up(self):
        def caught_up():
            status = self.status()
            return (not status["paused"] and status["queued"] == 0
                    and status["delivered"] > 0)
        wait_for(caught_up, 180, "the simulator to deliver its backlog")

    def pause_and_drain(self):
        """Pauses delivery; returns the instant the receiver is complete to."""
        self.control(paused=True)

        def drained():
            status = self.status()
            return status if status["in_flight"] == 0 else None
        status = wait_for(drained, 30, "event delivery to drain")
        if status["failed"] or status["dropped"]:
            raise AssertionError(f"events lost on the way: {status}")
        return status["delivered_through"]

    def truth(self, at):
        """{agent: {"state", "since", ...}} and counts of the floor at `at`."""
        floor = self.sim.get(f"/_sim/live?at={int(at)}")
        return {a["agent"]: a for a in floor["agents"]}, floor["counts"]

    def stop(self):
        pass


class FakeEvents:
    """Agent events for `agents` agents POSTed to an exporter's webhook (in
    a thread once resumed), and their truth."""

    ACTIONS = {"available": ("release", "BLENDED"), "busy": ("incall", "INBOUND"),
               "wrapup": ("ACW", "INBOUND"), "pause": ("AUX", "BLENDED"),
               "ringing": ("calling", "INBOUND"),
               "outbound": ("calling", "MANUAL")}

    def __init__(self, clock, url, agents, context=None, seed=7):
        self.clock = clock
        self.url = url  # .../ozonetel/events/agent?token=...
        self.context = context
        self.random = random.Random(seed)
        self.agents = {}  # id -> {"state", "since", "last"}
        self.ids = [f"agent{i:03d}" for i in range(1, agents + 1)]
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.stopped = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.thread = None

    def post(self, agent, action, mode, at):
        body = json.dumps({"eventType": "Agent", "eventTime": local_time(at),
                           "username": "acme", "action": action,
                           "agentId": agent, "agentMode": mode}).encode()
        request = urllib.request.Request(
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10,
                                    context=self.context) as response:
            if response.status // 100 != 2:
                raise AssertionError(f"webhook answered {response.status}")

    def apply(self, agent, state, at):
        action, mode = self.ACTIONS.get(state, ("login", "BLENDED"))
        if agent not in self.agents:
            action, mode, state = "login", "BLENDED", "available"
        self.post(agent, action, mode, at)
        self.agents[agent] = {"agent": agent, "state": state, "since": at,
                              "last": at}

    def login_all(self):
        """Every agent logs in, and most move on to another state at once,
        so the floor has every kind of row from the start."""
        at = int(self.clock.now())
        for agent in self.ids:
            self.apply(agent, "available", at)
            state = self.random.choice(list(self.ACTIONS))
            if state != "available":
                self.apply(agent, state, at)

    def step(self):
        at = int(self.clock.now())
        agent = self.random.choice(self.ids)
        # One event per agent and second: (agent, action, time) is the
        # receiver's duplicate key.
        if self.agents[agent]["last"] >= at:
            return
        states = [s for s in self.ACTIONS if s != self.agents[agent]["state"]]
        self.apply(agent, self.random.choice(states), at)

    def run(self):
        while not self.stopped.is_set():
            self.running.wait(0.2)
            if not self.running.is_set():
                continue
            self.idle.clear()
            try:
                with self.lock:
                    self.step()
            finally:
                self.idle.set()
            self.stopped.wait(0.05)  # about 20 events a second

    def resume(self):
        if self.thread is None:
            self.login_all()
            self.thread = threading.Thread(target=self.run, daemon=True)
            self.thread.start()
        self.running.set()

    def pause_and_drain(self):
        self.running.clear()
        wait_for(self.idle.is_set, 30, "the fake to finish its event")
        with self.lock:
            return max(a["last"] for a in self.agents.values())

    def truth(self, at):
        with self.lock:
            agents = {k: dict(v) for k, v in self.agents.items()}
        counts = {state: 0 for state in COLOURS}
        for agent in agents.values():
            counts[agent["state"]] += 1
        return agents, counts

    def stop(self):
        self.stopped.set()
        self.running.set()
        if self.thread:
            self.thread.join(timeout=10)


def make_driver(profile_dir, insecure_certs=False):
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            raise AssertionError(
                f"{path} not found: run scripts/install-deps.sh "
                "(chromium chromium-driver python3-selenium)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if insecure_certs:
        options.accept_insecure_certs = True
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def save_screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    driver.save_screenshot(path)
    print(f"\nscreenshot: {path}", flush=True)
    return path


class LivePageTest(unittest.TestCase):
    """One floor of 400 agents, one browser; the tests run in order."""

    @classmethod
    def setUpClass(cls):
        cls.work = TempDir("live-page-")
        cls.clock = SharedClock(ORIGIN, 1.0)
        cls.sim = cls.exporter = cls.driver = cls.events = None
        try:
            cls.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start(cls):
        token_file = os.path.join(cls.work.path, "events_token")
        with open(token_file, "w") as out:
            out.write(TOKEN + "\n")
        port = free_port()
        hook = f"http://127.0.0.1:{port}/ozonetel/events"
        if not simulator_pushes_events():
            raise AssertionError("ozonetel_sim cannot push events "
                                 "(no --events.agent-url in --help)")
        cls.sim = Simulator(cls.clock, agents=AGENTS, extra=[
            f"--events.agent-url={hook}/agent?token={TOKEN}",
            f"--events.call-url={hook}/call?token={TOKEN}",
            f"--events.replay-from={REPLAY_FROM}", "--events.paused"])
        cls.events = SimulatorEvents(cls.sim)
        config = exporter_config(cls.sim.url, cls.work.path, crm=False,
                                 extra_ozonetel=events_config(token_file))
        cls.exporter = Exporter(cls.clock, config,
                                os.path.join(cls.work.path, "storage"),
                                port=port)
        cls.events.resume()
        cls.events.wait_caught_up()
        cls.driver = make_driver(os.path.join(cls.work.path, "chromium"))

    @classmethod
    def tearDownClass(cls):
        if cls.driver:
            cls.driver.quit()
        if cls.events:
            cls.events.stop()
        for process in (cls.exporter, cls.sim):
            if process:
                process.stop()
        cls.work.cleanup()

    # --- helpers ---------------------------------------------------------

    def floor(self):
        return json.loads(harness.http_get(self.exporter.url + "/live.json")[2])

    def read_page(self):
        return self.driver.execute_script(READ_PAGE)

    def settled_page(self):
        """Pauses and drains delivery; returns (page, truth, counts, T) once
        the page shows the exporter's final floor, which must be exactly the
        simulator's floor at T."""
        at = self.events.pause_and_drain()
        floor = self.floor()
        page = wait_for(
            lambda: (p := self.read_page())["version"] == floor["version"] and p,
            15, f"the page to show floor version {floor['version']}")
        agents, counts = self.events.truth(at)
        # The exporter first: a difference there is not the page's.
        self.assertEqual({a["agent"]: a["state"] for a in floor["agents"]},
                         {a: v["state"] for a, v in agents.items()},
                         f"/live.json differs from /_sim/live?at={at}")
        return page, agents, counts, at

    def setUp(self):
        """Each test starts from a fresh load: no filter, sorted by agent."""
        self.driver.get(self.exporter.url + "/live")
        wait_for(lambda: self.read_page()["rendered"] > 0, 15,
                 "the page to render")

    def click(self, css):
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def clear_filters(self):
        self.click("#clear-filters")

    def shown(self):
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#agent-rows tr'),"
            " (tr) => [tr.dataset.agent, tr.dataset.state]);")

    # --- tests -----------------------------------------------------------

    def test_1_rows_match_the_simulator(self):
        page, truth, counts, at = self.settled_page()
        self.assertGreater(len(truth), AGENTS * 0.8, "most agents logged in")
        self.assertEqual(page["status"], "ok")
        shown = {row["agent"]: row["state"] for row in page["rows"]}
        self.assertEqual(len(shown), len(page["rows"]), "one row per agent")
        self.assertEqual(shown, {a: v["state"] for a, v in truth.items()},
                         f"the page differs from /_sim/live?at={at}")
        self.assertEqual(page["counts"], counts)
        queues = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#queue-rows tr'),"
            " (tr) => [tr.dataset.queue, Number(tr.dataset.waiting),"
            " tr.querySelector('[data-col=\"oldest\"]').textContent]);")
        waiting = self.sim.get(f"/_sim/live?at={int(at)}")["queues"]
        self.assertEqual({q: n for q, n, _ in queues},
                         {q["queue"]: q["waiting"] for q in waiting})
        for queue, n, oldest in queues:
            self.assertEqual(oldest == "–", n == 0, queue)
        for row in page["rows"]:
            self.assertEqual(row["text"], row["state"])
            self.assertEqual(row["colour"], rgb(COLOURS[row["state"]]),
                             f"colour of {row['state']}")
            # From the exporter's clock: the simulated day, not the
            # browser's (months later), and the event's own time.
            expected = page["now"] - truth[row["agent"]]["since"]
            self.assertLessEqual(abs(row["seconds"] - expected), 1.0,
                                 f"time in state of {row['agent']}")
            self.assertLess(row["seconds"], 12 * 3600)
        self.assertLess(abs(page["now"] - self.clock.now()), 60)
        errors = [entry for entry in self.driver.get_log("browser")
                  if entry["level"] == "SEVERE"
                  and "favicon.ico" not in entry["message"]]
        self.assertEqual(errors, [], "console errors (CSP violations?)")
        # Two more updates (304s: every time cell changes), then the cost.
        later = wait_for(
            lambda: (p := self.read_page())["rendered"] >= page["rendered"] + 2
            and p, 15, "two more updates")
        print(f"\nmeasured: the page updates {len(later['rows'])} rows in "
              f"{later['render_ms']} ms", flush=True)

    def test_2_filters(self):
        page, truth, _, _ = self.settled_page()
        paused = {a for a, v in truth.items() if v["state"] == "pause"}
        wrapup = {a for a, v in truth.items() if v["state"] == "wrapup"}
        self.assertTrue(paused, "someone is on a break at this hour")
        self.click('#counts button[data-state="pause"]')
        self.assertEqual({a for a, _ in self.shown()}, paused)
        self.assertEqual({s for _, s in self.shown()}, {"pause"})
        self.assertTrue(self.driver.find_element(
            By.CSS_SELECTOR, '#state-filter input[value="pause"]').is_selected())
        self.click('#state-filter input[value="wrapup"]')
        self.assertEqual({a for a, _ in self.shown()}, paused | wrapup)
        self.click('#counts button[data-state="pause"]')  # only pause again
        self.assertEqual({a for a, _ in self.shown()}, paused)
        self.click('#counts button[data-state="pause"]')  # and off
        self.assertEqual(len(self.shown()), len(truth))
        floor = self.floor()
        queue = floor["queues"][0]["queue"]
        select = self.driver.find_element(By.ID, "queue-filter")
        select.find_element(By.CSS_SELECTOR, f'option[value="{queue}"]').click()
        self.assertEqual({a for a, _ in self.shown()},
                         {a["agent"] for a in floor["agents"]
                          if a["queue"] == queue})
        select.find_element(By.CSS_SELECTOR, 'option[value=""]').click()
        self.assertEqual(len(self.shown()), len(truth))
        self.clear_filters()

    def test_3_search_narrows_to_one_agent(self):
        page, truth, _, _ = self.settled_page()
        agent = sorted(truth)[len(truth) // 2]
        search = self.driver.find_element(By.ID, "search")
        search.clear()
        search.send_keys(agent)
        self.assertEqual(self.shown(), [[agent, truth[agent]["state"]]])
        self.clear_filters()
        self.assertEqual(len(self.shown()), len(truth))

    def in_state_seconds(self):
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll("
            "'#agent-rows td[data-col=\"in_state\"]'),"
            " (td) => Number(td.dataset.seconds));")

    def test_4_sort_by_time_in_state(self):
        self.settled_page()
        header = '#agent-table th[data-sort="in_state"]'
        self.click(header + " button")
        longest_first = self.in_state_seconds()
        self.assertEqual(longest_first, sorted(longest_first, reverse=True))
        self.assertEqual(self.driver.find_element(
            By.CSS_SELECTOR, header).get_attribute("aria-sort"), "descending")
        self.click(header + " button")
        shortest_first = self.in_state_seconds()
        self.assertEqual(shortest_first, sorted(shortest_first))
        self.assertGreater(shortest_first[-1], shortest_first[0])
        self.click('#agent-table th[data-sort="agent"] button')
        agents = [a for a, _ in self.shown()]
        self.assertEqual(agents, sorted(agents))

    def test_5_live_updates_without_reload(self):
        before, _, _, _ = self.settled_page()
        header = '#agent-table th[data-sort="in_state"]'
        self.click(header + " button")  # longest first
        role = self.driver.find_element(By.ID, "role-filter")
        role.find_element(By.CSS_SELECTOR, 'option[value="agent"]').click()
        self.driver.execute_script(
            "window.__liveMarker = 'kept'; window.scrollTo(0, 600);")
        states = {r["agent"]: r["state"] for r in self.read_page()["rows"]}

        self.events.resume()

        def changed():
            page = self.read_page()
            now = {r["agent"]: r["state"] for r in page["rows"]}
            return page if now != states else None
        wait_for(changed, 20, "a state change to reach the page")

        page, truth, _, at = self.settled_page()
        self.assertEqual({r["agent"]: r["state"] for r in page["rows"]},
                         {a: v["state"] for a, v in truth.items()
                          if v.get("role", "agent") == "agent"},
                         f"the page differs from /_sim/live?at={at}")
        self.assertEqual(page["marker"], "kept", "the page was reloaded")
        self.assertGreater(page["rendered"], before["rendered"])
        self.assertGreater(page["scrollY"], 0, "the scroll position was lost")
        self.assertEqual(self.driver.find_element(
            By.CSS_SELECTOR, header).get_attribute("aria-sort"), "descending")
        seconds = [r["seconds"] for r in page["rows"]]
        self.assertEqual(seconds, sorted(seconds, reverse=True))
        self.assertEqual(role.get_attribute("value"), "agent")

    def test_6_screenshots(self):
        self.settled_page()
        save_screenshot(self.driver, "live_page.png")
        self.click("#large")
        self.assertIn("large", self.driver.execute_script(
            "return document.documentElement.className;"))
        save_screenshot(self.driver, "live_page_large.png")
        self.click("#counts button[data-state=\"busy\"]")
        self.assertIn("large=1", self.driver.current_url)
        self.assertIn("states=busy", self.driver.current_url)
        # The view is in the URL: a wall screen's bookmark.
        self.driver.refresh()
        wait_for(lambda: self.read_page()["rendered"] > 0, 15,
                 "the page to render after a reload")
        self.assertEqual({s for _, s in self.shown()}, {"busy"})


class LivePageSecurityTest(unittest.TestCase):
    """The page behind the web configuration's TLS and basic auth."""

    def setUp(self):
        if "--web.config.file" not in exporter_help():
            self.skipTest("callcenter_exporter has no --web.config.file yet "
                          "(the web configuration, exporter/web/web_config.*, "
                          "has not landed)")
        for tool in ("openssl",):
            if not shutil.which(tool):
                self.skipTest(f"{tool} not found")
        self.work = TempDir("live-page-tls-")
        self.addCleanup(self.work.cleanup)

    def web_config(self):
        cert = os.path.join(self.work.path, "server.crt")
        key = os.path.join(self.work.path, "server.key")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-keyout", key, "-out", cert, "-days", "2", "-subj",
             "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True)
        password = "wallboard-password"
        hashed = bcrypt_hash(password)
        path = os.path.join(self.work.path, "web.yml")
        with open(path, "w") as out:
            out.write(f"tls_server_config:\n  cert_file: {cert}\n"
                      f"  key_file: {key}\nbasic_auth_users:\n"
                      f"  wallboard: '{hashed}'\n")
        return path, cert, ("wallboard", password)

    def test_7_through_basic_auth_and_tls(self):
        web_config, cert, (user, password) = self.web_config()
        clock = SharedClock(ORIGIN, 1.0)
        sim = Simulator(clock, agents=20)
        self.addCleanup(sim.stop)
        token_file = os.path.join(self.work.path, "events_token")
        with open(token_file, "w") as out:
            out.write(TOKEN + "\n")
        config = exporter_config(sim.url, self.work.path, crm=False,
                                 extra_ozonetel=events_config(token_file))
        exporter = Exporter(clock, config,
                            os.path.join(self.work.path, "storage"),
                            extra=[f"--web.config.file={web_config}"])
        self.addCleanup(exporter.stop)
        base = f"https://127.0.0.1:{exporter.port}"
        context = ssl.create_default_context(cafile=cert)
        auth = "Basic " + base64.b64encode(
            f"{user}:{password}".encode()).decode()

        def get(path, headers=None):
            request = urllib.request.Request(base + path, headers=headers or {})
            try:
                with urllib.request.urlopen(request, timeout=10,
                                            context=context) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()

        for path in ("/live", "/live.json", "/live.js", "/live.css"):
            self.assertEqual(get(path)[0], 401, path)
            self.assertEqual(get(path, {"Authorization": "Basic eDp5"})[0],
                             401, path)
            self.assertEqual(get(path, {"Authorization": auth})[0], 200, path)

        fake = FakeEvents(clock, f"{base}/ozonetel/events/agent?token={TOKEN}",
                          12, context=context)
        fake.resume()
        self.addCleanup(fake.stop)
        at = fake.pause_and_drain()
        truth, _ = fake.truth(at)

        driver = make_driver(os.path.join(self.work.path, "chromium"),
                             insecure_certs=True)
        self.addCleanup(driver.quit)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                               {"headers": {"Authorization": auth}})
        driver.get(base + "/live")
        page = wait_for(
            lambda: (p := driver.execute_script(READ_PAGE))["rows"]
            and len(p["rows"]) == len(truth) and p,
            20, "the page to show the floor over TLS")
        self.assertEqual({r["agent"]: r["state"] for r in page["rows"]},
                         {a: v["state"] for a, v in truth.items()})
        self.assertEqual(page["status"], "ok")
        save_screenshot(driver, "live_page_tls.png")


def bcrypt_hash(password):
    """A bcrypt hash ($2b$) for basic_auth_users, from libcrypt."""
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
        hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH,
                                                    rounds=1 << 10))
        if hashed and hashed.startswith("$2"):
            return hashed
    except (ImportError, AttributeError, OSError):
        pass
    htpasswd = shutil.which("htpasswd")
    if htpasswd:
        out = subprocess.run([htpasswd, "-nbB", "-C", "10", "u", password],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip().split(":", 1)[1]
    raise unittest.SkipTest("no bcrypt: neither Python's crypt module nor "
                            "htpasswd (apache2-utils)")


if __name__ == "__main__":
    unittest.main()
