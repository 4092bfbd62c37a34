"""Test helpers for the Freebox emulator, and a small reference client of the Freebox OS API.

FreeboxProcess   starts freebox_emulator.py on 127.0.0.1 (a free port), like
                 livebox_client.EmulatorProcess (same reboot watcher, restart(), control());
FbxClient        the app flow a client must follow (the spec boxwarden's plugin implements):
                 1. GET /api_version (bare JSON): api_base_url + "v" + major of api_version
                 2. pair(): POST login/authorize/ {app_id, app_name, app_version, device_name}
                    -> app_token (secret, 64 chars) + track_id; poll GET login/authorize/{track_id}
                    until status is not "pending" (granted | denied | timeout | unknown)
                 3. login(): GET login/ -> challenge; POST login/session/ {app_id, password =
                    hex(HMAC-SHA1(key=app_token, msg=challenge))} -> session_token, permissions
                 4. every call: header X-Fbx-App-Auth: session_token; a reply with success false
                    is an error whatever the HTTP status; HTTP 403 auth_required -> login() once
                    more and retry once; an absent `result` is an empty list
                 5. POST login/logout/
make_test_ca     a throwaway CA and a leaf certificate for a name (openssl, in a test's own dir).

Only ever connects to 127.0.0.1 (HTTPS: to 127.0.0.1, verifying the certificate for api_domain).
"""

import hashlib
import hmac
import http.client
import json
import os
import socket
import ssl
import subprocess
import time

import livebox_client

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "freebox_emulator.py")
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "freebox"))


class FreeboxProcess(livebox_client.EmulatorProcess):
    script = EMULATOR

    def fail(self, call, kind="error", count=1, skip=0):
        return self.control("POST", "/_emu/fail", {"call": call, "kind": kind, "count": count, "skip": skip})

    def decide(self, decision, track_id=None):
        payload = {"decision": decision}
        if track_id is not None:
            payload["track_id"] = track_id
        return self.control("POST", "/_emu/authorize", payload)

    def revoke(self, app_id):
        return self.control("POST", "/_emu/revoke", {"app_id": app_id})

    def permissions(self, app_id, **perms):
        return self.control("POST", "/_emu/permissions", dict(perms, app_id=app_id))


class NamedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address, with SNI and the certificate check for another name."""

    def __init__(self, host, port, server_name, context, timeout):
        super().__init__(host, port, timeout=timeout, context=context)
        self.server_name, self.tls_context = server_name, context

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.server_name)


class ApiFailure(Exception):
    def __init__(self, status, body):
        super().__init__("HTTP %d %s" % (status, body.get("error_code") if isinstance(body, dict) else body))
        self.status, self.body = status, body
        self.code = body.get("error_code") if isinstance(body, dict) else None


class FbxClient:
    def __init__(self, port, host="127.0.0.1", tls_context=None, server_name=None, timeout=10,
                 app_id="fr.boxwarden.test"):
        self.host, self.port, self.tls_context, self.server_name = host, port, tls_context, server_name
        self.timeout = timeout
        self.app_id = app_id
        self.base = None
        self.app_token = None
        self.session_token = None
        self.permissions = None

    # -- transport ------------------------------------------------------------------------------
    def connection(self):
        if self.tls_context is None:
            return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        # Connect to the address, verify the certificate for the api_domain (freebox.md 2.2).
        return NamedHTTPS(self.host, self.port, self.server_name or self.host, self.tls_context, self.timeout)

    def raw(self, method, path, body=None, headers=None):
        """(HTTP status, headers dict (lower-case names), body bytes)."""
        conn = self.connection()
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def request(self, method, endpoint, body=None, auth=True, headers=None):
        """(HTTP status, decoded JSON) of /api/vN/endpoint."""
        if self.base is None:
            self.api_version()
        h = dict(headers or {})
        if auth and self.session_token:
            h["X-Fbx-App-Auth"] = self.session_token
        status, _, data = self.raw(method, self.base + endpoint, body, h)
        return status, json.loads(data)

    # -- the app flow ----------------------------------------------------------------------------
    def api_version(self):
        status, _, data = self.raw("GET", "/api_version")
        info = json.loads(data)
        self.base = "%sv%d/" % (info["api_base_url"], int(info["api_version"].split(".")[0]))
        return info

    def pair(self, app_name="boxwarden tests", app_version="1.0", device_name="lab"):
        status, body = self.request("POST", "login/authorize/", {
            "app_id": self.app_id, "app_name": app_name, "app_version": app_version, "device_name": device_name})
        if not body.get("success"):
            raise ApiFailure(status, body)
        self.app_token = body["result"]["app_token"]
        return body["result"]["track_id"]

    def track(self, track_id):
        return self.request("GET", "login/authorize/%s" % track_id, auth=False)[1]["result"]["status"]

    def wait_decision(self, track_id, timeout=10, interval=0.05):
        deadline = time.monotonic() + timeout
        while True:
            status = self.track(track_id)
            if status != "pending" or time.monotonic() > deadline:
                return status
            time.sleep(interval)

    def challenge(self):
        return self.request("GET", "login/", auth=False)[1]["result"]["challenge"]

    @staticmethod
    def password(app_token, challenge):
        return hmac.new(app_token.encode(), challenge.encode(), hashlib.sha1).hexdigest()

    def login(self, challenge=None):
        """Opens a session; returns (HTTP status, body)."""
        challenge = challenge or self.challenge()
        status, body = self.request("POST", "login/session/", {
            "app_id": self.app_id, "password": self.password(self.app_token, challenge)}, auth=False)
        if body.get("success"):
            self.session_token = body["result"]["session_token"]
            self.permissions = body["result"]["permissions"]
        return status, body

    def call(self, method, endpoint, body=None):
        """The `result` of an authenticated call (None when absent); ApiFailure otherwise.
        One re-login and retry on auth_required, as a client must."""
        status, reply = self.request(method, endpoint, body)
        if status == 403 and reply.get("error_code") == "auth_required" and self.app_token:
            self.login()
            status, reply = self.request(method, endpoint, body)
        if not reply.get("success"):
            raise ApiFailure(status, reply)
        return reply.get("result")

    def download(self, endpoint):
        """(HTTP status, content type, body bytes) of a raw file endpoint."""
        if self.base is None:
            self.api_version()
        status, headers, data = self.raw("GET", self.base + endpoint, headers={"X-Fbx-App-Auth": self.session_token})
        return status, headers.get("content-type", ""), data

    def logout(self):
        out = self.request("POST", "login/logout/")
        self.session_token = None
        return out


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def make_test_ca(directory, name):
    """A throwaway CA and a leaf for `name` (e.g. "fake-1.fbxos.fr"), EC P-256, valid 2 days,
    written in `directory` (a test's temporary one: never commit the keys). Returns a dict with
    the paths: ca (certificate), leaf (certificate), key (the leaf's key), chain (leaf + CA)."""
    p = lambda f: os.path.join(directory, f)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
            "-subj", "/O=boxwarden tests/CN=Test Freebox Root CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", p("leaf.key"), "-out", p("leaf.csr"), "-subj", "/CN=" + name)
    with open(p("leaf.ext"), "w") as f:
        f.write("subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                "extendedKeyUsage=serverAuth\n" % name)
    openssl("x509", "-req", "-in", p("leaf.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
            "-out", p("leaf.pem"), "-days", "2", "-extfile", p("leaf.ext"))
    with open(p("chain.pem"), "w") as out:
        for f in ("leaf.pem", "ca.pem"):
            with open(p(f)) as src:
                out.write(src.read())
    for f in ("ca.key", "leaf.key"):
        os.chmod(p(f), 0o600)
    return {"ca": p("ca.pem"), "leaf": p("leaf.pem"), "key": p("leaf.key"), "chain": p("chain.pem")}


def ca_context(ca_file):
    ctx = ssl.create_default_context(cafile=ca_file)
    return ctx


def lab_session(url, header_file, app_id="fr.boxwarden.lab", settings=True):
    """For shell tests: pair with the emulator at `url` (http://ADDR[:PORT]), grant the app
    through the control endpoints (the person at the box), log in and write the session's
    header line "X-Fbx-App-Auth: ..." to `header_file` (0600, for curl -H @FILE)."""
    from urllib.parse import urlsplit
    u = urlsplit(url)
    c = FbxClient(u.port or 80, host=u.hostname, app_id=app_id)
    track = c.pair()

    def control(path, payload):
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
        conn.request("POST", "/_emu/" + path, body=json.dumps(payload).encode(),
                     headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()
    control("authorize", {"decision": "granted", "track_id": track})
    if c.wait_decision(track) != "granted":
        raise SystemExit("freebox_client: the app was not granted")
    if settings:
        control("permissions", {"app_id": app_id, "settings": True})
    status, body = c.login()
    if status != 200:
        raise SystemExit("freebox_client: login failed: %s" % body.get("error_code"))
    fd = os.open(header_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("X-Fbx-App-Auth: %s\n" % c.session_token)


if __name__ == "__main__":
    # freebox_client.py ca DIR NAME            a test CA (JSON of the paths on stdout)
    # freebox_client.py session URL HDR_FILE   pair, grant, log in; the header line in HDR_FILE
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == "ca":
        print(json.dumps(make_test_ca(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) == 4 and sys.argv[1] == "session":
        lab_session(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: freebox_client.py ca DIR NAME | session URL HEADER_FILE")
