#!/usr/bin/env python3
"""Checks docker-compose.yml, the Dockerfile and the files they reference.

1. When the Docker Compose plugin and a Docker engine answer, runs
   `docker compose config -q` (with and without the demo profile). Otherwise
   that step is skipped with a note: this machine may have no engine.
2. Always: a structural check with PyYAML (services, profiles, commands,
   volumes, bind mounts that exist, and that prometheus/prometheus.yml, the
   Grafana provisioning files and examples/config.demo.yml agree with the
   service names and ports), plus what a deployment relies on:
   - every pulled image pinned by digest (name:version@sha256:...), and the
     Dockerfile's base images too;
   - a healthcheck on every service, probing the right path and port with a
     tool the image has; depends_on conditions that can be met;
   - the exporter and the simulator on the same simulated clock: identical
     --clock.* flags from CLOCK_ORIGIN/CLOCK_EPOCH/CLOCK_SPEED whose
     defaults are valid, and scripts/demo.sh passing those variables;
   - prometheus.yml's rule_files match rule files in the mounted
     directories, and `promtool check config` (when promtool is installed)
     loads them.

Usage: check_compose.py [repository root]
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

SERVICES = {"exporter", "prometheus", "alertmanager", "grafana", "ozonetel-sim"}

# Healthcheck of each service: the path it must probe and the port the
# service listens on inside its container.
HEALTH = {
    "exporter": ("/-/healthy", 10469),
    "ozonetel-sim": ("/_sim/clock", 18080),
    "prometheus": ("/-/ready", 9090),
    "alertmanager": ("/-/ready", 9093),
    "grafana": ("/api/health", 3000),
}
# Probe tools known to be in the pulled images (Prometheus and Alertmanager
# are busybox-based, Grafana's is Alpine): busybox wget. Our own image must
# install what it uses (checked against the Dockerfile's runtime stage).
PULLED_IMAGE_TOOLS = {"wget"}
CLOCK_VARS = {"origin": "CLOCK_ORIGIN", "epoch": "CLOCK_EPOCH", "speed": "CLOCK_SPEED"}
DIGEST = re.compile(r"^(?P<name>[^@\s]+?)(?::(?P<tag>[\w][\w.-]*))?@sha256:(?P<hex>[0-9a-f]{64})$")


class Checker:
    def __init__(self, root):
        self.root = root
        self.errors = []
        self.notes = []

    def check(self, cond, msg):
        if not cond:
            self.errors.append(msg)
        return cond

    def path(self, rel):
        return os.path.normpath(os.path.join(self.root, rel))


def substitute(text):
    """Resolves ${VAR}, ${VAR:-default}, ${VAR-default} as compose would."""
    def repl(m):
        name, sep, default = m.group(1), m.group(2), m.group(3) or ""
        value = os.environ.get(name)
        if sep == ":-" and not value:
            return default
        if sep == "-" and value is None:
            return default
        return value or ""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-)([^}]*))?\}", repl, text)


def compose_available():
    docker = shutil.which("docker")
    if not docker:
        return None, "docker client not found"
    try:
        v = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=20)
        if v.returncode != 0:
            return None, "docker compose plugin not available"
        info = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=20)
        if info.returncode != 0 or not info.stdout.strip():
            return None, "no Docker engine answers"
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "docker not usable: %s" % e
    return docker, ""


def run_compose_config(c):
    docker, why = compose_available()
    if not docker:
        c.notes.append("skipped `docker compose config -q`: " + why)
        return
    for extra in ([], ["--profile", "demo"]):
        cmd = [docker, "compose", "-f", c.path("docker-compose.yml")] + extra + ["config", "-q"]
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=c.root, timeout=120)
        c.check(p.returncode == 0, "%s failed: %s" % (" ".join(cmd), (p.stderr or p.stdout).strip()))
    c.notes.append("ran `docker compose config -q` (default and demo profile)")


def as_list(cmd):
    if cmd is None:
        return []
    return cmd if isinstance(cmd, list) else cmd.split()


def check_structure(c):
    with open(c.path("docker-compose.yml"), encoding="utf-8") as f:
        raw = f.read()
    doc = yaml.safe_load(raw)
    services = doc.get("services") or {}
    declared_volumes = set((doc.get("volumes") or {}).keys())
    c.check(SERVICES <= set(services), "services missing: %s" % sorted(SERVICES - set(services)))

    for name, svc in services.items():
        profiles = svc.get("profiles") or []
        if name == "ozonetel-sim":
            c.check(profiles == ["demo"], "ozonetel-sim must have profiles: [demo], has %r" % profiles)
        else:
            c.check(not profiles, "%s must run without a profile" % name)
        image = svc.get("image")
        if image:
            image = substitute(image)
            if "build" in svc:
                # Built here: a local name, pinned through the Dockerfile.
                tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
                c.check(tag and tag != "latest", "%s: image %r must be pinned to a tag other than latest" % (name, image))
            else:
                m = DIGEST.match(image)
                if c.check(m is not None, "%s: image %r must be pinned by digest (name:version@sha256:<64 hex>)"
                           % (name, image)):
                    c.check(re.fullmatch(r"v?\d+(\.\d+){1,2}([-.][\w.]+)?", m.group("tag") or "") is not None,
                            "%s: image %r must carry its version tag beside the digest" % (name, image))
        else:
            c.check("build" in svc, "%s has neither image nor build" % name)
        for vol in svc.get("volumes") or []:
            spec = substitute(vol if isinstance(vol, str) else "%s:%s" % (vol.get("source"), vol.get("target")))
            parts = spec.split(":")
            source = parts[0]
            if source.startswith((".", "/")):
                c.check(os.path.exists(c.path(source)), "%s: bind mount source %s does not exist" % (name, source))
            else:
                c.check(source in declared_volumes, "%s: named volume %s is not declared under volumes:" % (name, source))

    exp = services.get("exporter") or {}
    cmd = as_list(exp.get("command"))
    c.check(exp.get("build") in (".", {"context": "."}), "exporter must build from the repository's Dockerfile (build: .)")
    c.check("--config.file=/etc/callcenter/config.yml" in cmd, "exporter command lacks --config.file=/etc/callcenter/config.yml")
    c.check("--storage.path=/var/lib/callcenter_exporter" in cmd, "exporter command lacks --storage.path=/var/lib/callcenter_exporter")
    mounts = [substitute(v) for v in exp.get("volumes") or [] if isinstance(v, str)]
    c.check(any(m.split(":")[1] == "/var/lib/callcenter_exporter" and not m.startswith((".", "/")) for m in mounts),
            "exporter state must be a named volume at /var/lib/callcenter_exporter")
    config_mounts = [m for m in mounts if m.split(":")[1] == "/etc/callcenter/config.yml"]
    c.check(config_mounts and config_mounts[0].startswith("./examples/"),
            "exporter config must be mounted from examples/ at /etc/callcenter/config.yml")
    for rel in ("examples/config.yml", "examples/config.demo.yml"):
        c.check(os.path.exists(c.path(rel)), "%s (referenced by docker-compose.yml) does not exist" % rel)
    c.check("10469:10469" in [str(p) for p in exp.get("ports") or []], "exporter must publish 10469")

    sim = services.get("ozonetel-sim") or {}
    c.check(as_list(sim.get("entrypoint")) == ["ozonetel_sim"], "ozonetel-sim entrypoint must be [ozonetel_sim]")
    c.check("--web.listen-address=:18080" in as_list(sim.get("command")), "ozonetel-sim must listen on :18080")
    c.check(sim.get("image") == exp.get("image"), "ozonetel-sim must use the exporter's image")

    prom = services.get("prometheus") or {}
    pcmd = as_list(prom.get("command"))
    c.check("--web.enable-lifecycle" in pcmd, "prometheus needs --web.enable-lifecycle")
    pmounts = {m.split(":")[1]: m.split(":")[0] for m in prom.get("volumes") or []}
    c.check(pmounts.get("/etc/prometheus/prometheus.yml") == "./prometheus/prometheus.yml", "prometheus must mount prometheus/prometheus.yml")
    c.check(pmounts.get("/etc/prometheus/rules") == "./rules", "prometheus must mount rules/")
    c.check(pmounts.get("/etc/prometheus/alerts") == "./alerts", "prometheus must mount alerts/")

    am = services.get("alertmanager") or {}
    amounts = {m.split(":")[1]: m.split(":")[0] for m in am.get("volumes") or []}
    c.check(amounts.get("/etc/alertmanager/alertmanager.yml") == "./alertmanager/alertmanager.yml",
            "alertmanager must mount alertmanager/alertmanager.yml")

    gr = services.get("grafana") or {}
    genv = gr.get("environment") or {}
    c.check(str(genv.get("GF_AUTH_ANONYMOUS_ENABLED")).lower() == "true", "grafana: anonymous access for the demo")
    c.check(genv.get("GF_AUTH_ANONYMOUS_ORG_ROLE") == "Viewer", "grafana: anonymous role must be Viewer")
    gmounts = {m.split(":")[1]: m.split(":")[0] for m in gr.get("volumes") or []}
    c.check(gmounts.get("/etc/grafana/provisioning/datasources") == "./dashboards/provisioning/datasources",
            "grafana must mount the datasource provisioning")
    c.check(gmounts.get("/etc/grafana/provisioning/dashboards") == "./dashboards/provisioning/dashboards",
            "grafana must mount the dashboard provisioning")

    # Cross-file agreement.
    with open(c.path("prometheus/prometheus.yml"), encoding="utf-8") as f:
        pconf = yaml.safe_load(f)
    jobs = {j["job_name"]: j for j in pconf.get("scrape_configs", [])}
    job = jobs.get("callcenter_exporter")
    if c.check(job is not None, "prometheus.yml has no job named callcenter_exporter"):
        targets = [t for sc in job.get("static_configs", []) for t in sc.get("targets", [])]
        c.check("exporter:10469" in targets, "job callcenter_exporter must scrape exporter:10469")
    for pattern in pconf.get("rule_files", []):
        c.check(any(pattern.startswith(m + "/") for m in pmounts), "rule_files %s is not under a mounted directory" % pattern)
    am_targets = [t for a in (pconf.get("alerting") or {}).get("alertmanagers", [])
                  for sc in a.get("static_configs", []) for t in sc.get("targets", [])]
    c.check("alertmanager:9093" in am_targets, "prometheus.yml must send alerts to alertmanager:9093")

    with open(c.path("dashboards/provisioning/datasources/prometheus.yml"), encoding="utf-8") as f:
        ds = yaml.safe_load(f)["datasources"][0]
    c.check(ds.get("url") == "http://prometheus:9090", "datasource url must be http://prometheus:9090")
    scrape = (pconf.get("global") or {}).get("scrape_interval")
    c.check((ds.get("jsonData") or {}).get("timeInterval") == scrape,
            "datasource jsonData.timeInterval %r must equal scrape_interval %r"
            % ((ds.get("jsonData") or {}).get("timeInterval"), scrape))
    with open(c.path("dashboards/provisioning/dashboards/callcenter.yml"), encoding="utf-8") as f:
        prov = yaml.safe_load(f)["providers"][0]
    dpath = (prov.get("options") or {}).get("path")
    c.check(gmounts.get(dpath) == "./dashboards", "grafana must mount ./dashboards at the provider path %s" % dpath)

    demo = c.path("examples/config.demo.yml")
    if os.path.exists(demo):
        with open(demo, encoding="utf-8") as f:
            url = ((yaml.safe_load(f) or {}).get("ozonetel") or {}).get("url", "")
        c.check("ozonetel-sim:18080" in url, "examples/config.demo.yml must point at http://ozonetel-sim:18080 (got %r)" % url)

    check_healthchecks(c, services)
    check_clock(c, services)
    check_rule_files(c, pconf, pmounts)


def healthcheck_probe(test):
    """(tool, url) of a healthcheck test, or (None, None)."""
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    if not test or test[0] not in ("CMD", "CMD-SHELL"):
        return None, None
    words = test[1:] if test[0] == "CMD" else test[1].split()
    urls = [w for w in words if re.match(r"^https?://", w)]
    return (os.path.basename(words[0]) if words else None), (urls[0] if len(urls) == 1 else None)


def runtime_stage(c):
    with open(c.path("Dockerfile"), encoding="utf-8") as f:
        stages = re.split(r"^FROM\s+", f.read(), flags=re.M)[1:]
    return stages[-1] if stages else ""


def apt_packages(stage):
    """The packages of a Dockerfile stage's `apt-get install` (continued lines)."""
    m = re.search(r"apt-get install[^\n]*\\\n(.*?)&&", stage, re.S)
    words = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", m.group(1))) if m else set()
    words.discard("rm")
    return words


def check_healthchecks(c, services):
    runtime_packages = apt_packages(runtime_stage(c))
    for name, svc in services.items():
        hc = svc.get("healthcheck")
        if not c.check(isinstance(hc, dict) and not hc.get("disable") and hc.get("test"),
                       "%s has no healthcheck" % name):
            continue
        tool, url = healthcheck_probe(hc["test"])
        c.check(tool and url, "%s: healthcheck must probe one http URL with a tool, got %r" % (name, hc["test"]))
        if name in HEALTH and url:
            path, port = HEALTH[name]
            parsed = re.match(r"^https?://(127\.0\.0\.1|localhost):(\d+)(/[^?\s]*)", url)
            c.check(parsed is not None and int(parsed.group(2)) == port and parsed.group(3) == path,
                    "%s: healthcheck must probe 127.0.0.1:%d%s, got %s" % (name, port, path, url))
        if tool:
            if "build" in svc:
                c.check(tool in runtime_packages,
                        "%s: healthcheck uses %s, which the Dockerfile's runtime stage does not install"
                        % (name, tool))
            else:
                c.check(tool in PULLED_IMAGE_TOOLS, "%s: healthcheck tool %s is not known to be in %s"
                        % (name, tool, svc.get("image")))
        for key in ("interval", "timeout"):
            c.check(key in hc, "%s: healthcheck needs an explicit %s" % (name, key))
        for dep, spec in (svc.get("depends_on") or {}).items() if isinstance(svc.get("depends_on"), dict) else []:
            c.check(dep in services, "%s depends on unknown service %s" % (name, dep))
            cond = (spec or {}).get("condition", "service_started")
            if cond == "service_healthy":
                c.check(bool((services.get(dep) or {}).get("healthcheck")),
                        "%s waits for %s to be healthy, which has no healthcheck" % (name, dep))
            if (services.get(dep) or {}).get("profiles") and not (svc.get("profiles")):
                c.check((spec or {}).get("required") is False,
                        "%s (no profile) depends on %s (profile only): needs required: false" % (name, dep))
    exp_deps = (services.get("exporter") or {}).get("depends_on") or {}
    c.check(isinstance(exp_deps, dict) and (exp_deps.get("ozonetel-sim") or {}).get("condition") == "service_healthy",
            "exporter must wait for a healthy ozonetel-sim (when the demo profile runs it)")
    gr_deps = (services.get("grafana") or {}).get("depends_on") or {}
    c.check(isinstance(gr_deps, dict) and (gr_deps.get("prometheus") or {}).get("condition") == "service_healthy",
            "grafana must wait for a healthy prometheus")


def clock_flags(cmd):
    return [a for a in cmd if a.startswith("--clock.")]


def check_clock(c, services):
    exp = clock_flags(as_list((services.get("exporter") or {}).get("command")))
    sim = clock_flags(as_list((services.get("ozonetel-sim") or {}).get("command")))
    c.check(exp == sim, "exporter and ozonetel-sim must get identical --clock.* flags: %r vs %r" % (exp, sim))
    for key, var in CLOCK_VARS.items():
        flags = [a for a in exp if a.startswith("--clock.%s=" % key)]
        if not c.check(len(flags) == 1, "exporter needs exactly one --clock.%s" % key):
            continue
        value = flags[0].split("=", 1)[1]
        m = re.fullmatch(r"\$\{%s:-([^}]+)\}" % var, value)
        if not c.check(m is not None, "--clock.%s must be ${%s:-<default>}, got %r" % (key, var, value)):
            continue
        try:
            default = float(m.group(1))
        except ValueError:
            default = None
        c.check(default is not None and (default > 0 if key == "speed" else default >= 0),
                "--clock.%s default %r is not a valid value" % (key, m.group(1)))
    # origin 0 at epoch 0, speed 1 is the real clock: what a run by hand needs.
    defaults = [substitute_defaults(a) for a in exp]
    c.check(sorted(defaults) == ["--clock.epoch=0", "--clock.origin=0", "--clock.speed=1"],
            "without CLOCK_* variables the clock must be the real one (origin 0, epoch 0, speed 1), got %r" % defaults)
    demo = c.path("scripts/demo.sh")
    if c.check(os.path.exists(demo), "scripts/demo.sh is missing"):
        with open(demo, encoding="utf-8") as f:
            text = f.read()
        for var in CLOCK_VARS.values():
            c.check(re.search(r"\b%s=" % var, text) is not None and
                    re.search(r"export\b[^\n]*\b%s\b" % var, text) is not None,
                    "scripts/demo.sh must compute and export %s for docker compose" % var)


def substitute_defaults(text):
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", text)


def check_rule_files(c, pconf, pmounts):
    patterns = pconf.get("rule_files", [])
    c.check(patterns, "prometheus.yml loads no rule files")
    local = []
    for pattern in patterns:
        for target, source in pmounts.items():
            if pattern.startswith(target + "/"):
                local_pattern = c.path(source + pattern[len(target):])
                c.check(glob.glob(local_pattern), "rule_files %s matches no file (%s)" % (pattern, local_pattern))
                local.append(local_pattern)
    promtool = shutil.which("promtool")
    if not promtool:
        c.notes.append("skipped `promtool check config`: promtool not installed")
        return
    # The same configuration with the rule paths moved to this checkout.
    with tempfile.TemporaryDirectory() as tmp:
        conf = dict(pconf, rule_files=local)
        path = os.path.join(tmp, "prometheus.yml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(conf, f)
        p = subprocess.run([promtool, "check", "config", path], capture_output=True, text=True, timeout=120)
        c.check(p.returncode == 0, "promtool check config (rule files from rules/ and alerts/) failed:\n%s"
                % (p.stdout + p.stderr).strip())
        if p.returncode == 0:
            c.notes.append("promtool check config loaded %d rule file pattern(s)" % len(local))


def check_dockerfile(c):
    with open(c.path("Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    c.check(len(froms) >= 2 and len(set(froms)) == 1,
            "Dockerfile must be multi-stage on one base image (got %r)" % froms)
    for image in froms:
        m = DIGEST.match(image)
        if c.check(m is not None, "Dockerfile: base image %r must be pinned by digest (name:tag@sha256:...)" % image):
            c.check(m.group("name") in ("debian", "docker.io/library/debian", "library/debian") and
                    re.fullmatch(r"(12(\.\d+)?|bookworm(-\d{8})?)-slim", m.group("tag") or "") is not None,
                    "Dockerfile: base image %r must be Debian 12 slim" % image)
    c.check(re.search(r"^HEALTHCHECK\b.*\n?.*/-/healthy", text, re.M) is not None,
            "Dockerfile needs a HEALTHCHECK of /-/healthy for `docker run`")
    for flag in ("-DCALLCENTER_BUILD_TESTS=OFF", "-DCALLCENTER_BUILD_BENCHMARKS=OFF"):
        c.check(flag in text, "Dockerfile cmake lacks %s" % flag)
    c.check(re.search(r"--target\s+callcenter_exporter\s+ozonetel_sim", text) is not None,
            "Dockerfile must build callcenter_exporter and ozonetel_sim")
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    c.check(user and not user[-1].startswith(("root", "0")), "Dockerfile must end as a non-root USER")
    c.check(re.search(r"^EXPOSE\s+10469\b", text, re.M) is not None, "Dockerfile must EXPOSE 10469")
    c.check('ENTRYPOINT ["callcenter_exporter"]' in text, 'Dockerfile ENTRYPOINT must be ["callcenter_exporter"]')
    stages = re.split(r"^FROM\s+", text, flags=re.M)[1:]
    runtime = stages[-1] if stages else ""
    for pkg in ("libprometheus-cpp-core1.0", "libcivetweb1", "libcurl4", "libyaml-cpp0.7", "zlib1g", "ca-certificates"):
        c.check(re.search(r"\b%s\b" % re.escape(pkg), runtime) is not None, "runtime stage lacks %s" % pkg)
    c.check("-dev" not in runtime, "runtime stage must not install -dev packages")
    deps = c.path("scripts/install-deps.sh")
    if os.path.exists(deps):
        with open(deps, encoding="utf-8") as f:
            m = re.search(r"PACKAGES=\((.*?)\)", f.read(), re.S)
        allowed = set(m.group(1).split()) if m else set()
        build = stages[0] if stages else ""
        im = re.search(r"apt-get install[^\n]*\\\n(.*?)&&", build, re.S)
        wanted = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", im.group(1))) if im else set()
        wanted.discard("rm")
        c.check(wanted, "could not read the build stage's packages")
        c.check(wanted <= allowed, "build stage installs packages not in scripts/install-deps.sh: %s"
                % sorted(wanted - allowed))
    if c.check(os.path.exists(c.path(".dockerignore")), ".dockerignore is missing"):
        # The image's cmake configure reads every add_subdirectory() of the
        # top-level CMakeLists.txt except tests/ and bench/ (OFF in the image).
        with open(c.path(".dockerignore"), encoding="utf-8") as f:
            ignored = {l.strip().strip("/") for l in f if l.strip() and not l.startswith("#")}
        with open(c.path("CMakeLists.txt"), encoding="utf-8") as f:
            subdirs = set(re.findall(r"^\s*add_subdirectory\((\w+)\)", f.read(), re.M)) - {"tests", "bench"}
        c.check(subdirs and not subdirs & ignored,
                ".dockerignore excludes directories the image build configures: %s" % sorted(subdirs & ignored))


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    c = Checker(root)
    run_compose_config(c)
    check_structure(c)
    check_dockerfile(c)
    for n in c.notes:
        print("note: " + n)
    for e in c.errors:
        print("FAIL " + e)
    print("compose/Dockerfile check: %d problems" % len(c.errors))
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
