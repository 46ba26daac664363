"""--web.config.file against real processes: TLS, basic auth, mTLS, the
TLS 1.1 floor, a refused bad file, reloads without a restart, and a real
Prometheus scraping over HTTPS with basic auth.

Keys and certificates are made here with the openssl command (a throwaway
CA, server and client certificates in a temporary folder), and bcrypt
hashes with the system's libcrypt through ctypes: nothing secret lives in
the repository. Standard library and the openssl command only.
"""

import base64
import ctypes
import ctypes.util
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import unittest
import urllib.parse

from harness import (BIN_DIR, DAY_START, Exporter, Process, SharedClock,
                     Simulator, TempDir, api_get, exporter_config, free_port,
                     http_get, parse_metrics, sum_where, value, wait_for)

# Low enough to keep the test quick, high enough to be a real bcrypt.
BCRYPT_COST = 6
REALM = 'Basic realm="callcenter_exporter"'
# No upstream answers here: these tests look at the web side only.
NO_UPSTREAM = "http://127.0.0.1:9"


def bcrypt(password):
    """A $2y$ hash from libcrypt (libxcrypt), as htpasswd -B would make."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong,
                                  ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    setting = lib.crypt_gensalt(b"$2y$", BCRYPT_COST, None, 0)
    hashed = lib.crypt(password.encode(), setting).decode()
    assert hashed.startswith("$2y$"), hashed
    return hashed


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Pki:
    """A CA with server and client certificates, and a stranger CA with a
    client certificate of its own, in `folder`."""

    def __init__(self, folder):
        self.folder = folder
        self.serial = 100
        self.make_ca("ca")
        self.make_ca("stranger_ca")
        self.make_cert("server", "ca", "localhost", server=True)
        self.make_cert("client", "ca", "prometheus", server=False)
        self.make_cert("stranger", "stranger_ca", "stranger", server=False)

    def path(self, name):
        return os.path.join(self.folder, name)

    def make_ca(self, name):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{name}.key",
                "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN={name}",
                cwd=self.folder)

    def make_cert(self, name, ca, common_name, server):
        """Writes <name>.crt and <name>.key, signed by <ca>."""
        self.serial += 1
        extensions = os.path.join(self.folder, f"{name}.ext")
        with open(extensions, "w") as out:
            out.write("basicConstraints=CA:FALSE\n")
            if server:
                out.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                          "extendedKeyUsage=serverAuth\n")
            else:
                out.write("extendedKeyUsage=clientAuth\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", f"{name}.key.new", "-out", f"{name}.csr",
                "-subj", f"/CN={common_name}", cwd=self.folder)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt",
                "-CAkey", f"{ca}.key", "-set_serial", str(self.serial),
                "-days", "2", "-extfile", extensions, "-out",
                f"{name}.crt.new", cwd=self.folder)
        # Replaced by rename, as certificate tooling does.
        os.replace(self.path(f"{name}.key.new"), self.path(f"{name}.key"))
        os.replace(self.path(f"{name}.crt.new"), self.path(f"{name}.crt"))

    def der(self, name):
        with open(self.path(f"{name}.crt")) as f:
            return ssl.PEM_cert_to_DER_cert(f.read())


def write_atomically(path, text):
    with open(path + ".tmp", "w") as out:
        out.write(text)
    os.replace(path + ".tmp", path)


def client_context(pki, cert=None):
    context = ssl.create_default_context(cafile=pki.path("ca.crt"))
    if cert:
        context.load_cert_chain(pki.path(f"{cert}.crt"), pki.path(f"{cert}.key"))
    return context


def https(port, path, context, user=None, password=None,
          server_name="localhost"):
    """(status, headers with lower-cased names, body, server certificate
    DER) of one request over a fresh connection."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    with context.wrap_socket(raw, server_hostname=server_name) as tls:
        lines = [f"GET {path} HTTP/1.1", f"Host: {server_name}:{port}",
                 "Connection: close"]
        if user is not None:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            lines.append(f"Authorization: Basic {token}")
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = http.client.HTTPResponse(tls, method="GET")
        try:
            response.begin()
            body = response.read()
        finally:
            response.close()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, body, tls.getpeercert(binary_form=True)


def start_exporter(tmp, web_config, clock=None, sim_url=NO_UPSTREAM):
    clock = clock or SharedClock(DAY_START + 12 * 3600, 1)
    config = exporter_config(sim_url, tmp, crm=False)
    return Exporter(clock, config, os.path.join(tmp, "data"),
                    extra=[f"--web.config.file={web_config}"])


def tls_web_config(users, extra_tls="", extra=""):
    text = ("tls_server_config:\n"
            "  cert_file: server.crt\n"
            "  key_file: server.key\n" + extra_tls)
    if users:
        text += "basic_auth_users:\n" + "".join(
            f"  {user}: '{hashed}'\n" for user, hashed in users.items())
    return text + extra


class TlsAndBasicAuthTest(unittest.TestCase):
    """One exporter with TLS, basic auth and an HSTS header."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir("tls_auth_")
        cls.pki = Pki(cls.tmp.path)
        cls.web_config = os.path.join(cls.tmp.path, "web.yml")
        write_atomically(cls.web_config, tls_web_config(
            {"prometheus": bcrypt("scrape-secret")},
            extra="http_server_config:\n  headers:\n"
                  "    Strict-Transport-Security: max-age=31536000\n"))
        cls.exporter = start_exporter(cls.tmp.path, cls.web_config)
        cls.port = cls.exporter.port
        cls.context = client_context(cls.pki)

    @classmethod
    def tearDownClass(cls):
        cls.exporter.stop()
        cls.tmp.cleanup()

    def get(self, path, user=None, password=None, server_name="localhost"):
        return https(self.port, path, self.context, user, password,
                     server_name)

    def test_the_listener_says_tls_is_on(self):
        self.assertRegex(self.exporter.process.text(),
                         r'msg="TLS is enabled" .*basic_auth_users=1')

    def test_plain_http_gets_no_http_answer(self):
        with self.assertRaises((http.client.HTTPException, ConnectionError,
                                OSError)):
            http_get(f"http://127.0.0.1:{self.port}/metrics", timeout=10)

    def test_good_password_over_sni_and_over_the_ip(self):
        for name in ("localhost", "127.0.0.1"):
            status, headers, body, _ = self.get(
                "/metrics", "prometheus", "scrape-secret", server_name=name)
            self.assertEqual(200, status, name)
            self.assertIn(b"callcenter_exporter_build_info", body)
            self.assertEqual("max-age=31536000",
                             headers.get("strict-transport-security"))

    def test_refusals_are_one_and_the_same_401(self):
        refusals = [self.get("/metrics"),
                    self.get("/metrics", "prometheus", "wrong"),
                    self.get("/metrics", "nobody", "scrape-secret"),
                    self.get("/metrics", "prometheus", "")]
        for status, headers, body, _ in refusals:
            self.assertEqual(401, status)
            self.assertEqual(REALM, headers.get("www-authenticate"))
            # The configured headers go on refusals too.
            self.assertEqual("max-age=31536000",
                             headers.get("strict-transport-security"))
        # Whether the user exists shows nowhere in the answer.
        first = refusals[0]
        for other in refusals[1:]:
            self.assertEqual(first[1], other[1])
            self.assertEqual(first[2], other[2])

    def test_every_page_is_behind_auth(self):
        # The landing page, status pages (/-/healthy included, as in the
        # exporter toolkit) and unknown paths alike.
        for path in ("/", "/-/healthy", "/-/ready", "/metrics", "/no-such"):
            self.assertEqual(401, self.get(path)[0], path)
        self.assertEqual(200, self.get("/", "prometheus", "scrape-secret")[0])
        self.assertEqual(
            200, self.get("/-/healthy", "prometheus", "scrape-secret")[0])
        self.assertIn(self.get("/-/ready", "prometheus", "scrape-secret")[0],
                      (200, 503))
        self.assertEqual(
            404, self.get("/no-such", "prometheus", "scrape-secret")[0])

    def test_tls_1_1_is_refused_and_1_2_accepted(self):
        def s_client(*version):
            # SECLEVEL=0 lets this client offer TLS 1.1, so that the
            # refusal is the exporter's.
            return subprocess.run(
                ["openssl", "s_client", "-connect", f"127.0.0.1:{self.port}",
                 *version, "-cipher", "DEFAULT:@SECLEVEL=0"],
                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                timeout=30)

        old = s_client("-tls1_1")
        self.assertNotEqual(0, old.returncode, old.stdout)
        self.assertIn("alert protocol version", old.stdout + old.stderr)
        good = s_client("-tls1_2")
        self.assertEqual(0, good.returncode, good.stderr)
        self.assertRegex(good.stdout, r"Protocol\s*: TLSv1\.2")


class MutualTlsTest(unittest.TestCase):
    """RequireAndVerifyClientCert with client_ca_file."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir("tls_mtls_")
        cls.pki = Pki(cls.tmp.path)
        web_config = os.path.join(cls.tmp.path, "web.yml")
        write_atomically(web_config, tls_web_config(
            {}, extra_tls="  client_auth_type: RequireAndVerifyClientCert\n"
                          "  client_ca_file: ca.crt\n"))
        cls.exporter = start_exporter(cls.tmp.path, web_config)

    @classmethod
    def tearDownClass(cls):
        cls.exporter.stop()
        cls.tmp.cleanup()

    def test_a_client_certificate_from_the_ca_gets_in(self):
        status, _, body, _ = https(self.exporter.port, "/metrics",
                                   client_context(self.pki, "client"))
        self.assertEqual(200, status)
        self.assertIn(b"callcenter_exporter_build_info", body)

    def test_no_certificate_or_a_strangers_is_refused(self):
        for cert in (None, "stranger"):
            with self.subTest(cert=cert), self.assertRaises(
                    (ssl.SSLError, ConnectionError, http.client.HTTPException)):
                https(self.exporter.port, "/metrics",
                      client_context(self.pki, cert))
        # And the exporter still serves afterwards.
        self.assertEqual(200, https(self.exporter.port, "/-/healthy",
                                    client_context(self.pki, "client"))[0])


class BadWebConfigTest(unittest.TestCase):
    """A broken file is refused by --check-config and at start, with one
    line naming the key."""

    def setUp(self):
        self.tmp = TempDir("tls_bad_")
        self.pki = Pki(self.tmp.path)
        self.config = exporter_config(NO_UPSTREAM, self.tmp.path, crm=False)
        self.web_config = os.path.join(self.tmp.path, "web.yml")

    def tearDown(self):
        self.tmp.cleanup()

    def run_exporter(self, *extra):
        return subprocess.run(
            [os.path.join(BIN_DIR, "callcenter_exporter"),
             f"--config.file={self.config}",
             f"--web.config.file={self.web_config}",
             f"--storage.path={os.path.join(self.tmp.path, 'data')}",
             "--web.listen-address=127.0.0.1:0", *extra],
            capture_output=True, text=True, timeout=60)

    def test_good_file_passes_check_config(self):
        write_atomically(self.web_config,
                         tls_web_config({"prometheus": bcrypt("pw")}))
        result = self.run_exporter("--check-config")
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn(f"web config OK: {self.web_config}", result.stdout)

    def test_bad_files_are_refused_naming_the_key(self):
        cases = [
            ("basic_auth_users:\n  prometheus: plain-password\n",
             "basic_auth_users.prometheus: must be a bcrypt hash"),
            (tls_web_config({}, extra_tls="  min_version: TLS11x\n"),
             "tls_server_config.min_version: must be one of"),
            ("tls_server_config:\n  cert_file: server.crt\n"
             "  key_file: client.key\n",
             "tls_server_config.key_file: does not match"),
            (tls_web_config({}, extra_tls="  client_auth_type: "
                                          "RequireAndVerifyClientCert\n"),
             "tls_server_config.client_ca_file: is required"),
            ("http_server_config:\n  headers:\n    Server: evil\n",
             "http_server_config.headers.Server: this header cannot be "
             "configured"),
        ]
        for text, line in cases:
            with self.subTest(line=line):
                write_atomically(self.web_config, text)
                for extra in (("--check-config",), ()):
                    result = self.run_exporter(*extra)
                    self.assertEqual(1, result.returncode, result.stderr)
                    errors = [l for l in result.stderr.splitlines()
                              if l.startswith("config error:")]
                    self.assertEqual(1, len(errors), result.stderr)
                    self.assertTrue(errors[0].startswith(
                        f"config error: web config {self.web_config}: "),
                        errors[0])
                    self.assertIn(line, errors[0])
                    self.assertNotIn("plain-password", result.stderr)


class ReloadTest(unittest.TestCase):
    """Changes to the web config and the files it names apply without a
    restart; a broken change keeps the last good config."""

    def setUp(self):
        self.tmp = TempDir("tls_reload_")
        self.pki = Pki(self.tmp.path)
        self.web_config = os.path.join(self.tmp.path, "web.yml")
        write_atomically(self.web_config,
                         tls_web_config({"prometheus": bcrypt("first")}))
        self.exporter = start_exporter(self.tmp.path, self.web_config)
        self.context = client_context(self.pki)

    def tearDown(self):
        self.exporter.stop()
        self.tmp.cleanup()

    def status(self, password, user="prometheus"):
        return https(self.exporter.port, "/metrics", self.context, user,
                     password)[0]

    def reloads(self, result, password):
        _, _, body, _ = https(self.exporter.port, "/metrics", self.context,
                              "prometheus", password)
        return value(parse_metrics(body.decode()),
                     "callcenter_exporter_web_config_reloads_total",
                     result=result)

    def test_passwords_users_and_certificates_change_without_restart(self):
        self.assertEqual(200, self.status("first"))

        # A new password and a new user: the very next request uses them.
        write_atomically(self.web_config, tls_web_config(
            {"prometheus": bcrypt("second"), "grafana": bcrypt("g")}))
        self.assertEqual(401, self.status("first"))
        self.assertEqual(200, self.status("second"))
        self.assertEqual(200, self.status("g", user="grafana"))
        wait_for(lambda: self.reloads("success", "second") == 1, 10,
                 "the reload to be counted")

        # A broken file: the last good config stays, one error line.
        write_atomically(self.web_config,
                         "basic_auth_users:\n  prometheus: second\n")
        for _ in range(3):
            self.assertEqual(200, self.status("second"))
        wait_for(lambda: self.reloads("failure", "second") == 1, 10,
                 "the failed reload to be counted")
        errors = re.findall(r"level=error source=web .*",
                            self.exporter.process.text())
        self.assertEqual(1, len(errors), errors)
        self.assertIn("keeping the last good one", errors[0])
        self.assertIn("basic_auth_users.prometheus: must be a bcrypt hash",
                      errors[0])

        # Fixed again, and a renewed server certificate: the next handshake
        # presents it, with no restart.
        write_atomically(self.web_config,
                         tls_web_config({"prometheus": bcrypt("third")}))
        old_der = self.pki.der("server")
        self.assertEqual(old_der, https(self.exporter.port, "/-/healthy",
                                        self.context, "prometheus",
                                        "third")[3])
        self.pki.make_cert("server", "ca", "localhost", server=True)
        new_der = self.pki.der("server")
        self.assertNotEqual(old_der, new_der)
        for name in ("localhost", "127.0.0.1"):
            status, _, _, der = https(self.exporter.port, "/-/healthy",
                                      self.context, "prometheus", "third",
                                      server_name=name)
            self.assertEqual(200, status)
            self.assertEqual(new_der, der, name)
        self.assertTrue(self.exporter.process.alive())


class PrometheusOverTlsTest(unittest.TestCase):
    """A real Prometheus scrapes the exporter over HTTPS with basic auth
    (scheme: https, tls_config.ca_file, basic_auth) while the exporter polls
    the simulator. The day's calls are settled from 23:00, so the totals
    stand still and Prometheus's must equal the exporter's own."""

    SPEED = 200

    def setUp(self):
        self.tmp = TempDir("tls_prometheus_")
        self.pki = Pki(self.tmp.path)
        self.clock = SharedClock(DAY_START + 23 * 3600, self.SPEED)
        self.sim = Simulator(self.clock, agents=10, seed=5)
        web_config = os.path.join(self.tmp.path, "web.yml")
        write_atomically(web_config,
                         tls_web_config({"prometheus": bcrypt("prom-secret")}))
        self.exporter = start_exporter(self.tmp.path, web_config,
                                       clock=self.clock, sim_url=self.sim.url)
        self.prometheus = None

    def tearDown(self):
        for part in (self.prometheus, self.exporter, self.sim):
            if part is not None:
                part.stop()
        self.tmp.cleanup()

    def start_prometheus(self):
        binary = shutil.which("prometheus")
        if not binary:
            raise AssertionError("prometheus not found: run "
                                 "scripts/install-deps.sh")
        port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
            "scrape_configs": [{
                "job_name": "callcenter_exporter",
                "scheme": "https",
                "tls_config": {"ca_file": self.pki.path("ca.crt")},
                "basic_auth": {"username": "prometheus",
                               "password": "prom-secret"},
                "static_configs": [
                    {"targets": [f"127.0.0.1:{self.exporter.port}"]}],
            }],
        }
        config_path = os.path.join(self.tmp.path, "prometheus.yml")
        with open(config_path, "w") as out:
            json.dump(config, out)  # JSON is YAML
        self.prometheus = Process("prometheus", [
            binary, f"--config.file={config_path}",
            f"--storage.tsdb.path={os.path.join(self.tmp.path, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{port}"])
        self.prometheus_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: http_get(self.prometheus_url + "/-/ready")[0] == 200,
                 60, "prometheus to be ready")

    def query(self, expr):
        return api_get(self.prometheus_url + "/api/v1/query?"
                       + urllib.parse.urlencode({"query": expr}))["result"]

    def exporter_calls(self):
        _, _, body, _ = https(self.exporter.port, "/metrics",
                              client_context(self.pki), "prometheus",
                              "prom-secret")
        samples = parse_metrics(body.decode())
        if "ozonetel_calls_total" not in samples:
            return None  # withheld until the CDR poller caught up
        return sum_where(samples, "ozonetel_calls_total")

    def test_prometheus_scrapes_over_https_with_basic_auth(self):
        self.start_prometheus()

        def up():
            result = self.query('up{job="callcenter_exporter"}')
            return result and result[0]["value"][1] == "1"
        wait_for(up, 60, "up == 1 over https with basic auth")

        total = wait_for(self.exporter_calls, 120,
                         "the exporter to publish call counters")
        self.assertGreater(total, 0)

        def prometheus_equals_exporter():
            mine = self.exporter_calls()
            result = self.query("sum(ozonetel_calls_total)")
            return (result and mine is not None
                    and float(result[0]["value"][1]) == mine)
        wait_for(prometheus_equals_exporter, 60,
                 "sum(ozonetel_calls_total) in Prometheus to equal the "
                 "exporter's own total")
        self.assertEqual("1", self.query(
            'up{job="callcenter_exporter"}')[0]["value"][1])


if __name__ == "__main__":
    unittest.main()
