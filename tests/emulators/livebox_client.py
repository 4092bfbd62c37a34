"""Test helpers: start the Livebox emulator on 127.0.0.1 (a free port) and talk /ws to it.

Used by the emulator's own tests and by the CLI tests that drive boxwarden against it.
Only ever connects to 127.0.0.1.
"""

import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import emu_http

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "livebox_emulator.py")
REBOOT_EXIT = 75  # livebox_emulator.REBOOT_EXIT: it went away on a "reboot" fault
WS4 = "application/x-sah-ws-4-call+json"
WS1 = "application/x-sah-ws-1-call+json"


class EmulatorProcess:
    """One emulator on 127.0.0.1; `scenario` is a dict overlaying the default state.

    `tls` = (cert.pem, key.pem) also serves HTTPS (port in `tls_port`); `http_mode` is
    serve|redirect|off (off: no plain HTTP, `port` is None and control goes over HTTPS).
    restart() keeps the ports and the state file (a reboot), optionally with another cert.
    `reboot_delay` (seconds): when the emulator exits on a "reboot" fault, a watcher thread
    starts it again that much later, on the same ports, from the state file (sessions lost);
    reboots counts them, wait_up() waits for the box to be back.
    """

    script = EMULATOR  # a subclass names another emulator (freebox_client.FreeboxProcess)

    def __init__(self, scenario=None, extra_args=(), workdir=None, state_path=None, tls=None,
                 http_mode="serve", redirect_to=None, reboot_delay=None):
        self.dir = workdir or tempfile.mkdtemp(prefix=os.path.basename(self.script).split("_")[0] + "-emu-")
        self.state_path = state_path or os.path.join(self.dir, "state.json")
        self.scenario = scenario
        self.extra_args = list(extra_args)
        self.tls = tls
        self.http_mode = http_mode
        self.redirect_to = redirect_to
        self.proc = None
        self.port = None
        self.tls_port = None
        self.reboot_delay = reboot_delay
        self.reboots = 0
        self.up = threading.Event()
        self.stopping = False
        self.watch_error = None

    def _watch(self, proc):
        """Restart after a reboot fault (only for the process it was started for)."""
        code = proc.wait()
        if code != REBOOT_EXIT or self.stopping or proc is not self.proc:
            return
        self.up.clear()
        self.reboots += 1
        time.sleep(self.reboot_delay)
        if self.stopping:
            self.up.set()
            return
        try:
            self.scenario = None  # the state file holds everything now
            self.stderr.close()
            self.start()
        except Exception as e:  # reported by wait_up()
            self.watch_error = e
            self.up.set()

    def wait_up(self, timeout=30):
        """Waits until a rebooting emulator is back; raises if it could not come back."""
        if not self.up.wait(timeout):
            raise RuntimeError("emulator did not come back after a reboot")
        if self.watch_error:
            raise RuntimeError("emulator restart failed: %s" % self.watch_error)
        return self

    def start(self):
        port_file = os.path.join(self.dir, "port")
        tls_port_file = os.path.join(self.dir, "tls-port")
        for f in (port_file, tls_port_file):
            if os.path.exists(f):
                os.unlink(f)
        args = [sys.executable, self.script, "--bind", "127.0.0.1", "--port", str(self.port or 0),
                "--port-file", port_file, "--state", self.state_path] + self.extra_args
        wanted = [] if self.http_mode == "off" else [port_file]
        if self.tls:
            args += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1], "--tls-port", str(self.tls_port or 0),
                     "--tls-port-file", tls_port_file, "--http-mode", self.http_mode]
            wanted.append(tls_port_file)
            if self.redirect_to:
                args += ["--redirect-to", self.redirect_to]
        if self.scenario is not None:
            path = os.path.join(self.dir, "scenario.json")
            with open(path, "w") as f:
                json.dump(self.scenario, f)
            args += ["--scenario", path]
        self.stderr = open(os.path.join(self.dir, "emulator.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.stderr)
        for _ in range(400):
            if all(os.path.exists(f) for f in wanted):
                if self.http_mode != "off":
                    with open(port_file) as f:
                        self.port = int(f.read())
                if self.tls:
                    with open(tls_port_file) as f:
                        self.tls_port = int(f.read())
                if self.reboot_delay is not None:
                    threading.Thread(target=self._watch, args=(self.proc,), daemon=True).start()
                self.up.set()
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("emulator exited: %s" % self.log())
            time.sleep(0.025)
        raise RuntimeError("emulator did not start")

    def restart(self, tls=None):
        """Stop and start again on the same ports with the saved state (and `tls`, if given)."""
        self.stop()
        self.stopping = False
        if tls:
            self.tls = tls
        self.scenario = None  # the state file holds everything now
        return self.start()

    def stop(self):
        self.stopping = True
        self.up.set()
        emu_http.stop_process(self.proc)
        if getattr(self, "stderr", None):
            self.stderr.close()

    def log(self):
        try:
            with open(os.path.join(self.dir, "emulator.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # -- control endpoints ----------------------------------------------------------------
    def control(self, method, path, payload=None):
        if self.port:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        else:  # HTTPS only: the test's own control channel, no certificate check
            conn = http.client.HTTPSConnection("127.0.0.1", self.tls_port, timeout=10,
                                               context=ssl._create_unverified_context())
        body = json.dumps(payload).encode() if payload is not None else None
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = json.loads(resp.read() or b"null")
        conn.close()
        return data

    def state(self):
        return self.control("GET", "/_emu/state")

    def calls(self):
        return self.control("GET", "/_emu/log")["calls"]

    def alerts(self):
        return self.control("GET", "/_emu/log")["alerts"]

    def fail(self, call, kind="error", count=1):
        return self.control("POST", "/_emu/fail", {"call": call, "kind": kind, "count": count})

    def clear(self):
        return self.control("POST", "/_emu/clear", {})

    def expire(self):
        return self.control("POST", "/_emu/expire", {})


class WsSession:
    """A minimal /ws client with explicit headers (cookies kept raw, names with '/')."""

    def __init__(self, port, host_header=None, content_type=WS4, timeout=10):
        self.port = port
        self.host_header = host_header
        self.content_type = content_type
        self.timeout = timeout
        self.context = None
        self.cookies = {}

    def post(self, service, method, params=None, headers=None, content_type=None):
        """(http status, decoded JSON body or None, response headers list)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        body = json.dumps({"service": service, "method": method, "parameters": params or {}})
        h = {"Content-Type": content_type or self.content_type}
        if self.host_header:
            h["Host"] = self.host_header
        h.update(headers or {})
        conn.request("POST", "/ws", body=body.encode(), headers=h)
        resp = conn.getresponse()
        raw = resp.read()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                k, _, v = pair.partition("=")
                self.cookies[k] = v
        conn.close()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        return resp.status, decoded, resp.getheaders()

    def login(self, password="admin-password", user="admin"):
        status, body, _ = self.post("sah.Device.Information", "createContext",
                                    {"applicationName": "webui", "username": user, "password": password},
                                    headers={"Authorization": "X-Sah-Login"})
        if status == 200:
            self.context = body["data"]["contextID"]
        return status, body

    def session_headers(self, auth=True, xctx=True, cookie=True):
        h = {}
        if auth:
            h["Authorization"] = "X-Sah %s" % self.context
        if xctx:
            h["X-Context"] = self.context
        if cookie and self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        return h

    def call(self, service, method, params=None, **kw):
        """The decoded body of an authenticated call (ws-1 replies unwrapped)."""
        status, body, _ = self.post(service, method, params, headers=self.session_headers(**kw))
        if status != 200:
            raise RuntimeError("HTTP %d" % status)
        return body.get("result", body)
