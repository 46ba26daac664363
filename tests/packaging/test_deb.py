"""The Debian package made by packaging/ (cpack, DEB generator).

cpack builds the .deb from the build tree into a temporary directory; the
tests then read it the way dpkg would (dpkg-deb -I/-f/-c/-e, dpkg -x into a
throwaway root) and check:

- metadata: name, version, architecture, Depends (adduser, and a package for
  every shared library the binary links, as dpkg-shlibdeps found them);
- contents: exactly the expected paths, owners and modes; conffiles;
  maintainer scripts present, executable, valid sh;
- the systemd unit: `systemd-analyze verify --root=<extracted package>`
  (no systemd as PID 1 needed) must pass without a single warning, and the
  same check must FAIL on deliberately broken copies of the unit; the
  hardening directives; `systemd-analyze security --offline` of it;
- the maintainer scripts, run with every command they call replaced by a
  stub that records its arguments (nothing on this machine changes): the
  postinst creates the system user and the state directory, the postrm
  purge removes them;
- when this test runs as root and may unshare a mount namespace: the same
  scripts for real (real adduser, deb-systemd-helper, deluser) inside a
  private mount namespace whose /etc, /var/lib and unit directory are
  throwaway copies: the user and group exist afterwards, the state
  directory is theirs, the unit is enabled, the service user can read the
  configuration and a key file made as the configuration's comment says,
  and a purge removes all of it. The machine's own /etc never changes;
- the packaged configuration passes --check-config once an API key is
  given (environment or key file) and fails clearly without one;
- the extracted binary, started as the unit's ExecStart starts it, with the
  packaged configuration (only its URL pointed at a real ozonetel_sim, the
  API key in the environment, storage in a temporary directory, listening on
  127.0.0.1:0) serves /metrics with ozonetel_up and exits 0 on SIGTERM.

Standard library only; waits poll for a condition with a deadline.
"""

import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
import harness  # noqa: E402  (read-only reuse: Process, wait_for, http_get)

BUILD_DIR = os.path.abspath(os.environ.get(
    "CALLCENTER_BUILD_DIR", os.path.join(SOURCE_DIR, "build")))
CPACK = os.environ.get("CPACK_COMMAND") or shutil.which("cpack")

PACKAGE = "callcenter-exporter"
UNIT = "callcenter_exporter.service"
UNIT_PATH = "/lib/systemd/system/" + UNIT
SERVICE_USER = "callcenter_exporter"
BINARY = "/usr/bin/callcenter_exporter"
CONFIG = "/etc/callcenter_exporter/callcenter_exporter.yml"
DEFAULTS = "/etc/default/callcenter_exporter"
STATE_DIR = "/var/lib/callcenter_exporter"
DOC = "/usr/share/doc/callcenter-exporter"

# Every file in the package and its mode; directories are checked apart.
EXPECTED_FILES = {
    BINARY: 0o755,
    CONFIG: 0o644,
    DEFAULTS: 0o644,
    UNIT_PATH: 0o644,
    DOC + "/README.md": 0o644,
    DOC + "/runbook.md": 0o644,
    DOC + "/examples/config.yml": 0o644,
}
CONFFILES = {CONFIG, DEFAULTS}

# The unit's sandbox (packaging/callcenter_exporter.service explains each
# against what the exporter does). Multi-valued keys list every value.
HARDENING = {
    "NoNewPrivileges": ["yes"],
    "CapabilityBoundingSet": [""],
    "AmbientCapabilities": [""],
    "ProtectSystem": ["strict"],
    "ProtectHome": ["yes"],
    "PrivateTmp": ["yes"],
    "PrivateDevices": ["yes"],
    "PrivateUsers": ["yes"],
    "ProtectKernelTunables": ["yes"],
    "ProtectKernelModules": ["yes"],
    "ProtectKernelLogs": ["yes"],
    "ProtectControlGroups": ["yes"],
    "ProtectClock": ["yes"],
    "ProtectHostname": ["yes"],
    "RestrictAddressFamilies": ["AF_INET AF_INET6 AF_UNIX"],
    "RestrictNamespaces": ["yes"],
    "RestrictRealtime": ["yes"],
    "RestrictSUIDSGID": ["yes"],
    "LockPersonality": ["yes"],
    "MemoryDenyWriteExecute": ["yes"],
    "SystemCallArchitectures": ["native"],
    "SystemCallFilter": ["@system-service", "~@privileged @resources"],
    "UMask": ["0077"],
}
# What `systemd-analyze security` may still find open, and why: the exporter
# must reach the vendor (network, AF_INET/AF_INET6, no IP allow list: the
# vendor's addresses are not fixed), resolve names (AF_UNIX for nscd or
# resolved), runs in the host's root, and ProtectClock= leaves rtc readable.
ACCEPTED_EXPOSURES = {
    "RootDirectory=/RootImage=",
    "RestrictAddressFamilies=~AF_UNIX",
    "RestrictAddressFamilies=~AF_(INET|INET6)",
    "PrivateNetwork=",
    "DeviceAllow=",
    "IPAddressDeny=",
}

# Every external command the maintainer scripts may run. The tests run them
# with PATH holding only stubs of these, so a command not listed here fails
# the script instead of touching this machine.
STUBBED_COMMANDS = [
    "adduser", "deluser", "delgroup", "install", "chown", "rm", "rmdir",
    "dpkg-statoverride", "deb-systemd-helper", "deb-systemd-invoke",
    "systemctl",
]


def run(args, **kwargs):
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("timeout", 300)
    return subprocess.run(args, **kwargs)


def checked(args, **kwargs):
    result = run(args, **kwargs)
    if result.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (
            " ".join(args), result.returncode, result.stdout, result.stderr))
    return result.stdout


def project_version():
    version = os.environ.get("CALLCENTER_VERSION")
    if version:
        return version
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(\S+\s+VERSION\s+([\d.]+)", f.read()).group(1)


def unit_directives(text):
    """[(section, key, value)] of a unit file, in order, duplicates kept."""
    out, section = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise AssertionError("unit line without '=': %r" % raw)
        out.append((section, key.strip(), value.strip()))
    return out


def directive(text, key, section="Service"):
    """Every value of `key` in `section`, in order."""
    return [v for s, k, v in unit_directives(text) if s == section and k == key]


def host_unit_dir():
    for path in ("/usr/lib/systemd/system", "/lib/systemd/system"):
        if glob.glob(os.path.join(path, "*.target")):
            return path
    raise AssertionError("no systemd units on this machine: install the "
                         "systemd package (scripts/install-deps.sh)")


class DebPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not CPACK:
            raise AssertionError("cpack not found")
        for tool in ("dpkg-deb", "dpkg", "systemd-analyze", "fakeroot",
                     "dpkg-shlibdeps"):
            if not shutil.which(tool):
                raise AssertionError("%s not found: run scripts/install-deps.sh" % tool)
        config = os.path.join(BUILD_DIR, "CPackConfig.cmake")
        if not os.path.exists(config):
            raise AssertionError("%s missing: configure the build first" % config)
        cls.tmp = tempfile.mkdtemp(prefix="callcenter-deb-")
        # Traversable (not listable), so the service user of the namespace
        # test can reach the extracted binary; everything private stays in
        # 0700 subdirectories.
        os.chmod(cls.tmp, 0o711)
        try:
            out = os.path.join(cls.tmp, "out")
            checked([CPACK, "-G", "DEB", "--config", config, "-B", out])
            debs = glob.glob(os.path.join(out, "*.deb"))
            if len(debs) != 1:
                raise AssertionError("expected one .deb in %s, got %r" % (out, debs))
            cls.deb = debs[0]
            cls.root = os.path.join(cls.tmp, "root")
            checked(["dpkg", "-x", cls.deb, cls.root])
            cls.control = os.path.join(cls.tmp, "control")
            checked(["dpkg-deb", "-e", cls.deb, cls.control])
            with open(cls.root + UNIT_PATH, encoding="utf-8") as f:
                cls.unit = f.read()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def field(self, name):
        return checked(["dpkg-deb", "-f", self.deb, name]).strip()

    def read(self, path):
        with open(self.root + path, encoding="utf-8") as f:
            return f.read()

    # ---- metadata ---------------------------------------------------------

    def test_control_fields(self):
        arch = checked(["dpkg", "--print-architecture"]).strip()
        self.assertEqual(self.field("Package"), PACKAGE)
        self.assertEqual(self.field("Version"), project_version() + "-1")
        self.assertEqual(self.field("Architecture"), arch)
        self.assertEqual(os.path.basename(self.deb),
                         "%s_%s-1_%s.deb" % (PACKAGE, project_version(), arch))
        self.assertTrue(self.field("Maintainer"))
        self.assertTrue(self.field("Description"))
        info = checked(["dpkg-deb", "-I", self.deb])
        for member in ("control", "md5sums", "conffiles", "postinst", "prerm", "postrm"):
            self.assertRegex(info, r"\b%s\b" % member, "control member %s missing" % member)

    def depends(self):
        names = set()
        for alternative in self.field("Depends").split(","):
            for item in alternative.split("|"):
                names.add(item.strip().split()[0].split(":")[0])
        return names

    def test_depends_cover_every_linked_library(self):
        depends = self.depends()
        self.assertIn("adduser", depends)  # the postinst's adduser
        binary = self.root + BINARY
        needed = re.findall(r"^\s*NEEDED\s+(\S+)", checked(["objdump", "-p", binary]), re.M)
        self.assertTrue(needed, "no NEEDED entries in the packaged binary")
        resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", checked(["ldd", binary]), re.M))
        for soname in needed:
            path = resolved.get(soname)
            self.assertIsNotNone(path, "ldd cannot resolve %s" % soname)
            owner = self.owning_package(path)
            self.assertIn(owner, depends, "%s (%s, package %s) is not in Depends: %s"
                          % (soname, path, owner, self.field("Depends")))

    @staticmethod
    def owning_package(path):
        candidates = []
        for p in (path, os.path.realpath(path)):
            candidates.append(p)
            candidates.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
        for candidate in candidates:
            result = run(["dpkg", "-S", candidate])
            if result.returncode == 0:
                return result.stdout.split(":")[0].strip()
        raise AssertionError("no package owns %s" % path)

    def test_contents_paths_owners_modes(self):
        listing = checked(["dpkg-deb", "-c", self.deb])
        files, dirs = {}, set()
        for line in listing.splitlines():
            perms, owner, _size, _date, _time, name = line.split(None, 5)
            path = name[1:].rstrip("/")  # "./usr/bin/x" -> "/usr/bin/x"
            self.assertEqual(owner, "root/root", line)
            if perms.startswith("d"):
                self.assertEqual(perms, "drwxr-xr-x", line)
                dirs.add(path)
            else:
                self.assertTrue(perms.startswith("-"), "not a regular file: " + line)
                files[path] = perms
        self.assertEqual(set(files), set(EXPECTED_FILES),
                         "unexpected or missing files in the package")
        for path, mode in EXPECTED_FILES.items():
            self.assertEqual(files[path], "-" + stat_string(mode), path)
        parents = {os.path.dirname(p) for p in EXPECTED_FILES}
        needed_dirs = set()
        for d in parents:
            while d not in ("", "/"):
                needed_dirs.add(d)
                d = os.path.dirname(d)
        self.assertEqual(dirs, needed_dirs, "unexpected or missing directories")

    def test_conffiles(self):
        with open(os.path.join(self.control, "conffiles"), encoding="utf-8") as f:
            listed = {line.strip() for line in f if line.strip()}
        self.assertEqual(listed, CONFFILES)
        etc_files = {p for p in EXPECTED_FILES if p.startswith("/etc/")}
        self.assertEqual(etc_files, CONFFILES, "every file in /etc must be a conffile")

    def test_maintainer_scripts_are_executable_sh(self):
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(self.control, script)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o755, script)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertTrue(text.startswith("#!/bin/sh\n"), script)
            self.assertRegex(text, r"(?m)^set -e$", script)
            checked(["sh", "-n", path])
            # Commands must go through PATH (so the stub test below covers them).
            code = "\n".join(l for l in text.splitlines()[1:] if not l.lstrip().startswith("#"))
            self.assertNotRegex(code, r"(?m)(^\s*|[;&|(]\s*|\b(then|do|else)\s+)/\S",
                                "%s calls a command by absolute path" % script)

    # ---- the systemd unit -------------------------------------------------

    def verify_root(self, unit_text):
        """A copy of the extracted package plus the host's targets and slices
        (what the unit's dependencies resolve to), with `unit_text` as the
        unit."""
        root = tempfile.mkdtemp(prefix="verify-", dir=self.tmp)
        shutil.copytree(self.root, root, dirs_exist_ok=True, symlinks=True)
        units = root + "/lib/systemd/system"
        host = host_unit_dir()
        for pattern in ("*.target", "*.slice"):
            for path in glob.glob(os.path.join(host, pattern)):
                target = os.path.join(units, os.path.basename(path))
                if not os.path.lexists(target):
                    shutil.copy2(path, target, follow_symlinks=False)
        with open(units + "/" + UNIT, "w", encoding="utf-8") as f:
            f.write(unit_text)
        return root

    def verify(self, unit_text):
        """(ok, output): systemd-analyze verify of the unit inside a copy of
        the extracted package. ok only with exit 0 and no output at all:
        unknown keys and unparseable values are warnings with exit 0."""
        root = self.verify_root(unit_text)
        try:
            result = run(["systemd-analyze", "verify", "--man=no", "--generators=no",
                          "--root=" + root, UNIT])
        finally:
            shutil.rmtree(root, ignore_errors=True)
        output = (result.stdout + result.stderr).strip()
        return result.returncode == 0 and not output, output

    def test_unit_verifies_cleanly(self):
        ok, output = self.verify(self.unit)
        self.assertTrue(ok, "systemd-analyze verify:\n" + output)

    def test_verify_catches_broken_units(self):
        """The check above must be able to fail: each breakage is caught."""
        breakages = {
            "unknown key": ("ProtectSystem=strict", "ProtectSystm=strict"),
            "bad value": ("Restart=on-failure", "Restart=sometimes"),
            "bad umask": ("UMask=0077", "UMask=0999"),
            "unknown syscall group": ("SystemCallFilter=@system-service",
                                      "SystemCallFilter=@system-servce"),
            "unknown section": ("[Service]", "[Servce]"),
            "missing binary": ("ExecStart=/usr/bin/callcenter_exporter ",
                               "ExecStart=/usr/bin/callcenter-exporter "),
        }
        for what, (good, bad) in breakages.items():
            self.assertIn(good, self.unit, "self-check needs %r in the unit" % good)
            ok, _ = self.verify(self.unit.replace(good, bad, 1))
            self.assertFalse(ok, "systemd-analyze verify did not catch: " + what)

    def test_unit_service_settings(self):
        unit = self.unit
        self.assertEqual(directive(unit, "User"), [SERVICE_USER])
        self.assertEqual(directive(unit, "Group"), [SERVICE_USER])
        self.assertEqual(directive(unit, "EnvironmentFile"), ["-" + DEFAULTS])
        self.assertEqual(directive(unit, "Restart"), ["on-failure"])
        self.assertEqual(directive(unit, "StateDirectory"), ["callcenter_exporter"])
        self.assertEqual(directive(unit, "WantedBy", "Install"), ["multi-user.target"])
        self.assertEqual(directive(unit, "ExecReload"), [],
                         "the exporter cannot reload its configuration")
        self.assertRegex(unit, r"(?m)^#.*no ExecReload=", "say why there is no reload")
        (exec_start,) = directive(unit, "ExecStart")
        argv = shlex.split(exec_start)
        self.assertEqual(argv[0], BINARY)
        self.assertIn("--config.file=" + CONFIG, argv)
        self.assertIn("--storage.path=/var/lib/" + directive(unit, "StateDirectory")[0], argv)
        self.assertEqual(argv[-1], "$ARGS", "ARGS from %s must come last" % DEFAULTS)

    def test_unit_hardening(self):
        for key, values in HARDENING.items():
            self.assertEqual(directive(self.unit, key), values, key)

    def test_unit_security_exposure(self):
        root = self.verify_root(self.unit)
        try:
            result = run(["systemd-analyze", "security", "--offline=yes", "--json=short",
                          "--root=" + root, UNIT])
        finally:
            shutil.rmtree(root, ignore_errors=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        findings = json.loads(result.stdout)
        open_items = {f["name"] for f in findings if not f["set"]}
        self.assertEqual(open_items - ACCEPTED_EXPOSURES, set(),
                         "hardening lost: systemd-analyze security reports these open")

    # ---- /etc/default and the configuration -------------------------------

    def default_args(self):
        script = 'set -a; . "$1"; printf "%s" "${ARGS-unset}"'
        return checked(["sh", "-c", script, "sh", self.root + DEFAULTS], env={})

    def test_defaults_file(self):
        self.assertEqual(self.default_args(), "", "ARGS must be defined, empty")
        self.assertRegex(self.read(DEFAULTS), r'(?m)^ARGS=""$')

    def check_config(self, config, env):
        return run([self.root + BINARY, "--check-config", "--config.file=" + config],
                   env=env)

    def test_config_needs_only_an_api_key(self):
        config = self.root + CONFIG
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        without = self.check_config(config, base)
        self.assertEqual(without.returncode, 1, without.stdout + without.stderr)
        self.assertIn("OZONETEL_API_KEY", without.stderr)
        self.assertEqual(len(without.stderr.strip().splitlines()), 1,
                         "only the key may be missing:\n" + without.stderr)
        with_env = self.check_config(config, dict(base, OZONETEL_API_KEY="k"))
        self.assertEqual(with_env.returncode, 0, with_env.stderr)

        # The documented alternative: uncomment api_key_file (here pointed at
        # a temporary file instead of /etc/callcenter_exporter/).
        text = self.read(CONFIG)
        line = "  # api_key_file: /etc/callcenter_exporter/ozonetel_api_key"
        self.assertIn(line + "\n", text)
        key_file = os.path.join(self.tmp, "ozonetel_api_key")
        with open(key_file, "w") as f:
            f.write("k\n")
        edited = os.path.join(self.tmp, "config-key-file.yml")
        with open(edited, "w") as f:
            f.write(text.replace(line, "  api_key_file: " + key_file))
        with_file = self.check_config(edited, base)
        self.assertEqual(with_file.returncode, 0, with_file.stderr)

    def test_packaged_binary_version(self):
        out = checked([self.root + BINARY, "--version"])
        self.assertIn("version " + project_version(), out)

    # ---- maintainer scripts, run against stubs ---------------------------

    def run_script(self, script, args, exit_codes=None):
        """Runs a maintainer script with PATH = stubs only; returns
        (returncode, [argv of each stub call])."""
        stubs = tempfile.mkdtemp(prefix="stubs-", dir=self.tmp)
        log = os.path.join(stubs, "calls.log")
        for command in STUBBED_COMMANDS:
            code = (exit_codes or {}).get(command, 0)
            with open(os.path.join(stubs, command), "w") as f:
                f.write("#!/bin/sh\n{ printf '%%s' %s; for a in \"$@\"; do "
                        "printf '\\t%%s' \"$a\"; done; printf '\\n'; } >>\"$STUB_LOG\"\n"
                        "exit %d\n" % (command, code))
            os.chmod(os.path.join(stubs, command), 0o755)
        result = run(["/bin/sh", os.path.join(self.control, script), *args],
                     env={"PATH": stubs, "STUB_LOG": log})
        calls = []
        if os.path.exists(log):
            with open(log) as f:
                calls = [line.rstrip("\n").split("\t") for line in f]
        shutil.rmtree(stubs, ignore_errors=True)
        return result, calls

    @staticmethod
    def calls_of(calls, command):
        return [c[1:] for c in calls if c[0] == command]

    def test_postinst_creates_user_and_state_dir(self):
        result, calls = self.run_script("postinst", ["configure"],
                                        {"dpkg-statoverride": 1})
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        (adduser,) = self.calls_of(calls, "adduser")
        for flag in ("--system", "--group", "--no-create-home"):
            self.assertIn(flag, adduser)
        self.assertEqual(adduser[-1], SERVICE_USER)
        self.assertEqual(adduser[adduser.index("--shell") + 1], "/usr/sbin/nologin")
        self.assertIn(["-d", "-o", SERVICE_USER, "-g", SERVICE_USER, "-m", "0750", STATE_DIR],
                      self.calls_of(calls, "install"))
        self.assertIn(["enable", UNIT], self.calls_of(calls, "deb-systemd-helper"))
        # The user comes before anything owned by it.
        order = [c[0] for c in calls]
        self.assertLess(order.index("adduser"), order.index("install"))

    def test_postinst_respects_statoverride_and_upgrade(self):
        result, calls = self.run_script("postinst", ["configure", "0.0.9-1"],
                                        {"dpkg-statoverride": 0})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.calls_of(calls, "install"), [],
                         "a dpkg-statoverride of the state dir must be kept")
        self.assertEqual(len(self.calls_of(calls, "adduser")), 1)
        result, _ = self.run_script("postinst", ["bogus"])
        self.assertEqual(result.returncode, 1)

    def test_postrm_purge_removes_user_and_state(self):
        result, calls = self.run_script("postrm", ["purge"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(["-rf", STATE_DIR], self.calls_of(calls, "rm"))
        self.assertIn(["purge", UNIT], self.calls_of(calls, "deb-systemd-helper"))
        (deluser,) = self.calls_of(calls, "deluser")
        self.assertIn("--system", deluser)
        self.assertEqual(deluser[-1], SERVICE_USER)
        order = [c[0] for c in calls]
        self.assertLess(order.index("rm"), order.index("deluser"),
                        "remove the state before its owner")

    def test_postrm_remove_keeps_user_and_state(self):
        for action in ("remove", "upgrade"):
            result, calls = self.run_script("postrm", [action])
            self.assertEqual(result.returncode, 0, result.stderr)
            for command in ("rm", "deluser", "delgroup"):
                self.assertEqual(self.calls_of(calls, command), [], (action, command))
        result, _ = self.run_script("prerm", ["remove"])
        self.assertEqual(result.returncode, 0)

    # ---- the maintainer scripts for real, in a private mount namespace ----

    NAMESPACE_SCRIPT = r"""
set -eu
T=$1 ROOT=$2 CONTROL=$3 USER_NAME=$4
export DPKG_MAINTSCRIPT_PACKAGE=callcenter-exporter
# Throwaway copies of everything the scripts write; dpkg's database read-only.
cp -a /etc "$T/etc"
mount --bind "$T/etc" /etc
mkdir "$T/dpkg" "$T/units"
mount --bind /var/lib/dpkg "$T/dpkg"
cp -a /usr/lib/systemd/system/. "$T/units/"
cp "$ROOT/lib/systemd/system/callcenter_exporter.service" "$T/units/"
mount --bind "$T/units" /usr/lib/systemd/system
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mkdir /var/lib/dpkg
mount --bind "$T/dpkg" /var/lib/dpkg
mount -o remount,bind,ro /var/lib/dpkg
# What dpkg unpacks before the postinst.
cp -a "$ROOT/etc/callcenter_exporter" /etc/
cp -a "$ROOT/etc/default/callcenter_exporter" /etc/default/

DPKG_MAINTSCRIPT_NAME=postinst sh "$CONTROL/postinst" configure
DPKG_MAINTSCRIPT_NAME=postinst sh "$CONTROL/postinst" configure 0.0.9-1
echo "passwd=$(getent passwd "$USER_NAME")"
echo "group=$(getent group "$USER_NAME")"
echo "state=$(stat -c '%U:%G:%a' /var/lib/callcenter_exporter)"
echo "wants=$(readlink /etc/systemd/system/multi-user.target.wants/callcenter_exporter.service)"

# The key file exactly as the configuration's comment says, then the
# configuration checked and the state directory written as the user.
install -m 0640 -o root -g "$USER_NAME" /dev/null /etc/callcenter_exporter/ozonetel_api_key
echo k >/etc/callcenter_exporter/ozonetel_api_key
sed -i 's|^  # api_key_file: |  api_key_file: |' /etc/callcenter_exporter/callcenter_exporter.yml
as_user() {
  env -i PATH=/usr/bin:/bin setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups \
    --no-new-privs --inh-caps=-all "$@"
}
if as_user "$ROOT/usr/bin/callcenter_exporter" --check-config \
    --config.file=/etc/callcenter_exporter/callcenter_exporter.yml; then
  echo "check_as_user=ok"
else
  echo "check_as_user=failed"
fi
as_user sh -c 'umask 0077; echo x >/var/lib/callcenter_exporter/probe' && echo "state_writable=yes"

DPKG_MAINTSCRIPT_NAME=prerm sh "$CONTROL/prerm" remove
DPKG_MAINTSCRIPT_NAME=postrm sh "$CONTROL/postrm" remove
echo "after_remove_user=$(getent passwd "$USER_NAME" | cut -d: -f1)"
DPKG_MAINTSCRIPT_NAME=postrm sh "$CONTROL/postrm" purge
echo "after_purge_user=$(getent passwd "$USER_NAME" || true)"
echo "after_purge_group=$(getent group "$USER_NAME" || true)"
echo "after_purge_state=$(ls -d /var/lib/callcenter_exporter 2>/dev/null || true)"
echo "after_purge_key=$(ls /etc/callcenter_exporter/ozonetel_api_key 2>/dev/null || true)"
echo "after_purge_wants=$(ls /etc/systemd/system/multi-user.target.wants/ | grep callcenter || true)"
"""

    def test_maintainer_scripts_for_real_in_a_mount_namespace(self):
        if os.geteuid() != 0:
            self.skipTest("needs root (in a private mount namespace)")
        for tool in ("unshare", "setpriv", "adduser", "deluser", "deb-systemd-helper"):
            if not shutil.which(tool):
                self.skipTest("%s not installed" % tool)
        probe = run(["unshare", "-m", "--propagation", "private", "true"])
        if probe.returncode != 0:
            self.skipTest("cannot unshare a mount namespace here: " + probe.stderr.strip())
        work = tempfile.mkdtemp(prefix="ns-", dir=self.tmp)  # 0700: holds a copy of /etc
        script = os.path.join(work, "inner.sh")
        with open(script, "w") as f:
            f.write(self.NAMESPACE_SCRIPT)
        result = run(["unshare", "-m", "--propagation", "private", "sh", script,
                      work, self.root, self.control, SERVICE_USER])
        shutil.rmtree(work, ignore_errors=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        out = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)

        name, _, uid, gid, _, home, shell = out["passwd"].split(":")
        self.assertEqual(name, SERVICE_USER)
        self.assertLess(int(uid), 1000, "a system user")
        self.assertEqual((home, shell), (STATE_DIR, "/usr/sbin/nologin"))
        self.assertEqual(out["group"].split(":")[:3:2], [SERVICE_USER, gid], "own group, primary")
        self.assertEqual(out["state"], "%s:%s:750" % (SERVICE_USER, SERVICE_USER))
        self.assertEqual(out["wants"], UNIT_PATH)
        self.assertEqual(out.get("check_as_user"), "ok", result.stdout + result.stderr)
        self.assertEqual(out.get("state_writable"), "yes")
        self.assertEqual(out["after_remove_user"], SERVICE_USER, "remove keeps the user")
        for key in ("after_purge_user", "after_purge_group", "after_purge_state",
                    "after_purge_key", "after_purge_wants"):
            self.assertEqual(out[key], "", "%s: purge left %r" % (key, out[key]))
        self.assertEqual(run(["getent", "passwd", SERVICE_USER]).returncode, 2,
                         "the machine's own /etc has the user: the namespace leaked")

    # ---- the packaged binary against the simulator -----------------------

    def start_simulator(self):
        """ozonetel_sim on loopback for the packaged config's account."""
        user = re.search(r"(?m)^  user_name:\s*(\S+)", self.read(CONFIG)).group(1)
        sim = harness.Process("ozonetel_sim", [
            os.path.join(BUILD_DIR, "bin", "ozonetel_sim"),
            "--web.listen-address=127.0.0.1:0", "--agents=5",
            "--user-name=" + user, "--api-key=sim-api-key"])
        try:
            port = sim.wait_for_line(r"listening on 127\.0\.0\.1:(\d+)").group(1)
        except BaseException:
            sim.stop()
            raise
        return sim, port

    def exporter_argv(self, work, sim_port):
        """argv as the unit builds it (ExecStart, $ARGS from the packaged
        /etc/default file) for the extracted binary, with the packaged
        configuration (only its URL pointed at the simulator) and storage
        moved into `work`; plus a loopback listen address on port 0."""
        text = self.read(CONFIG)
        url_line = re.search(r"(?m)^  url: https://\S+$", text).group(0)
        config = os.path.join(work, "config.yml")
        with open(config, "w") as f:
            f.write(text.replace(url_line, "  url: http://127.0.0.1:" + sim_port, 1))
        storage = os.path.join(work, "state")
        os.makedirs(storage, mode=0o750)
        (exec_start,) = directive(self.unit, "ExecStart")
        argv = []
        for arg in shlex.split(exec_start):
            if arg == "$ARGS":
                argv += shlex.split(self.default_args())
            elif arg.startswith("--config.file="):
                argv.append("--config.file=" + config)
            elif arg.startswith("--storage.path="):
                argv.append("--storage.path=" + storage)
            elif arg == BINARY:
                argv.append(self.root + BINARY)
            else:
                argv.append(arg)
        argv.append("--web.listen-address=127.0.0.1:0")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "OZONETEL_API_KEY": "sim-api-key"}
        return argv, env, storage

    def exercise(self, exporter):
        """Waits for the listening line and a successful CDR poll of the
        simulator, then asks every endpoint once; returns the port."""
        eport = exporter.wait_for_line(r"msg=listening .*ports=(\d+)").group(1)
        base = "http://127.0.0.1:%s" % eport

        def cdr_up():
            status, _, body = harness.http_get(base + "/metrics")
            samples = harness.parse_metrics(body.decode())
            self.assertEqual(status, 200)
            self.assertIn("ozonetel_up", samples)
            return harness.value(samples, "ozonetel_up", api="cdr") == 1
        harness.wait_for(cdr_up, 60, "ozonetel_up{api=\"cdr\"} 1 from the simulator")
        for path in ("/", "/-/healthy", "/-/ready"):
            self.assertEqual(harness.http_get(base + path)[0], 200, path)
        status, headers, _ = harness.http_get(base + "/metrics", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        return eport

    def test_runs_with_packaged_config_against_simulator(self):
        work = tempfile.mkdtemp(prefix="run-", dir=self.tmp)
        sim, sim_port = self.start_simulator()
        exporter = None
        try:
            argv, env, storage = self.exporter_argv(work, sim_port)
            exporter = harness.Process("callcenter_exporter", argv, cwd=storage, env=env)
            self.exercise(exporter)
            code = exporter.stop(timeout=30)
            self.assertEqual(code, 0, "exit code on SIGTERM:\n" + exporter.text()[-3000:])
            self.assertRegex(exporter.text(), r"msg=\"?shutting down")
            self.assertTrue(os.listdir(storage), "no state written to --storage.path")
            self.assertNotIn("sim-api-key", exporter.text(), "the API key was logged")
        finally:
            if exporter is not None:
                exporter.stop()
            sim.stop()

    def allowed_syscalls(self):
        """The system calls the unit's SystemCallFilter= lines leave allowed
        (groups expanded by this machine's systemd-analyze)."""
        listing = checked(["systemd-analyze", "syscall-filter", "--no-pager"])
        groups, current = {}, None
        for line in listing.splitlines():
            if re.match(r"^@\S+", line):
                current = groups.setdefault(line.strip(), [])
            elif current is not None and line.strip() and not line.strip().startswith("#"):
                current.append(line.strip())

        def expand(names, seen):
            out = set()
            for name in names:
                if name.startswith("@"):
                    if name not in seen:
                        seen.add(name)
                        out |= expand(groups.get(name, []), seen)
                else:
                    out.add(name)
            return out
        allowed = None
        for value in directive(self.unit, "SystemCallFilter"):
            deny = value.startswith("~")
            names = expand(value.lstrip("~").split(), set())
            if deny:
                allowed = (allowed or set()) - names
            else:
                allowed = names if allowed is None else allowed | names
        return allowed

    def test_syscalls_and_sockets_within_the_units_sandbox(self):
        """The exporter, traced while it polls the simulator and serves every
        endpoint, stays within SystemCallFilter=, RestrictAddressFamilies=
        and MemoryDenyWriteExecute= (plain HTTP here: TLS to the vendor adds
        no new kind of system call)."""
        strace = shutil.which("strace")
        if not strace:
            self.skipTest("strace not installed")
        work = tempfile.mkdtemp(prefix="strace-", dir=self.tmp)
        trace = os.path.join(work, "trace")
        sim, sim_port = self.start_simulator()
        traced = None
        try:
            argv, env, storage = self.exporter_argv(work, sim_port)
            traced = harness.Process("strace", [strace, "-f", "-qq", "-o", trace, "--", *argv],
                                     cwd=storage, env=env)
            self.exercise(traced)
            # SIGTERM to the exporter alone; strace then exits with its status.
            children = "/proc/%d/task/%d/children" % (traced.proc.pid, traced.proc.pid)
            with open(children) as f:
                (pid,) = [int(p) for p in f.read().split()]
            os.kill(pid, signal.SIGTERM)
            self.assertEqual(traced.proc.wait(timeout=30), 0, traced.text()[-3000:])
        finally:
            if traced is not None:
                traced.stop()
            sim.stop()
        with open(trace) as f:
            lines = f.read().splitlines()
        used = {m.group(1) for m in (re.match(r"^\d+\s+([a-z_0-9]+)\(", l) for l in lines) if m}
        self.assertIn("connect", used, "the trace is empty or unreadable")
        allowed = self.allowed_syscalls()
        self.assertEqual(used - allowed, set(), "system calls the unit's SystemCallFilter= denies")
        families = {m for l in lines for m in re.findall(r"\bsocket(?:pair)?\((AF_\w+)", l)}
        (restrict,) = directive(self.unit, "RestrictAddressFamilies")
        self.assertEqual(families - set(restrict.split()), set(),
                         "socket families outside RestrictAddressFamilies=")
        wx = [l for l in lines if re.search(r"\b(mmap|mprotect)\(.*PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE", l)]
        self.assertEqual(wx, [], "writable and executable memory (MemoryDenyWriteExecute=)")


def stat_string(mode):
    out = ""
    for shift in (6, 3, 0):
        bits = (mode >> shift) & 7
        out += ("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") + ("x" if bits & 1 else "-")
    return out


if __name__ == "__main__":
    unittest.main()
