#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of miniupnpd, for tests/lab/igd_faults_test.sh.

Runs in the box namespace; nftables there steers the LAN host's connections to the IGD's port
(192.168.1.1:5000) to this proxy, which forwards each request to the real miniupnpd and relays
its answer, one request per connection (what libcurl and upnpc do with miniupnpd, which closes
after each answer). boxwarden is not changed in any way: for it this is the box.

It counts SOAP actions (the SOAPAction header) and fails one of them, as told by the rules
file, which is read again before each request (a new content re-arms the counters):

  {"id": "fix-Delete2-reset", "action": "DeletePortMapping", "nth": 2, "kind": "reset",
   "after_action": "DeletePortMapping", "after_count": 0}

fails the 2nd DeletePortMapping counted once `after_count` requests of `after_action` have been
seen (so "the first GetListOfPortMappings after the 3rd DeletePortMapping" is the verification
re-read). A rule without "kind" (or an empty file) passes everything; its "id" still tags
the log lines. Kinds:

  fault        HTTP 500 with a SOAP fault (UPnPError 501 Action Failed); the box did nothing
  http500      HTTP 500 with a body that is not SOAP; the box did nothing
  reset        connection reset before the request reaches the box; the box did nothing
  reset-after  the box does it, then the connection is reset: the answer is lost
  hang         no answer; the connection stays open until the client gives up (or
               --hang-seconds), the box did nothing
  reboot       --down-cmd is run (kills miniupnpd), then the connection is reset; every
               connection is reset while the box is down; --up-cmd is run --reboot-seconds
               later (miniupnpd starts again and reloads its mappings from its lease file)
  outage       the same, but the box stays down until the test starts miniupnpd again
  run-before   the rule's "cmd" (a shell command) is run, then the request goes to the box:
               the box changes between two requests of boxwarden (a mapping re-pointed by
               another machine just before a delete)
  hold         a slow box: the request is held (logged at once with "outcome": "held") until
               the file named by the rule's "release" exists (or --hang-seconds), then the box
               does it and the answer goes back (tests/lab/interrupt_test.sh: a signal arrives
               while a change is in flight)

Every request is logged to --log as one JSON line:
  {"seq": 7, "rule": "fix-Delete2-reset", "method": "POST", "path": "/ctl/IPConn",
   "action": "DeletePortMapping", "fault": "reset", "outcome": "reset"}

Standard library only. Never point it anywhere but a lab namespace address.
"""

import argparse
import json
import os
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time

KINDS = {"fault", "http500", "reset", "reset-after", "hang", "reboot", "outage", "run-before", "hold"}
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024

SOAP_FAULT = (
    '<?xml version="1.0"?>\r\n'
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault>'
    "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
    '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>501</errorCode>'
    "<errorDescription>Action Failed</errorDescription></UPnPError>"
    "</detail></s:Fault></s:Body></s:Envelope>\r\n"
)


def http_reply(status, body, ctype):
    data = body.encode()
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nConnection: close\r\n"
        f"Content-Length: {len(data)}\r\nServer: lab fault proxy\r\n\r\n"
    )
    return head.encode() + data


def reset(conn):
    """Close with a TCP RST (SO_LINGER 0)."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    conn.close()


def read_request(conn):
    """The raw request (head + body), its method, path and SOAP action; None on EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(8192)
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_HEAD:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("?", "?")
    length, action = 0, ""
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = min(int(value or 0), MAX_BODY)
        elif name == "soapaction":
            action = value.strip('"').rpartition("#")[2]
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body, method, path, action


class Proxy:
    def __init__(self, args):
        self.args = args
        self.upstream = (args.upstream.rsplit(":", 1)[0], int(args.upstream.rsplit(":", 1)[1]))
        self.lock = threading.Lock()
        self.rules_text = None
        self.rule = {}
        self.counts = {}  # action -> requests seen since the rule was armed
        self.matching = 0  # requests of rule["action"] counted toward nth
        self.fired = False
        self.seq = 0

    def reload(self):
        try:
            with open(self.args.rules, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            text = ""
        if text != self.rules_text:
            self.rules_text = text
            self.rule = json.loads(text) if text.strip() else {}
            if "kind" in self.rule and self.rule["kind"] not in KINDS:
                raise ValueError(f"unknown fault kind {self.rule.get('kind')!r}")
            self.counts, self.matching, self.fired = {}, 0, False

    def decide(self, action):
        """Count this request; return the fault kind to inject, or None."""
        with self.lock:
            self.reload()
            self.seq += 1
            r = self.rule
            fault = None
            if "kind" in r and action and not self.fired:
                armed = self.counts.get(r.get("after_action", ""), 0) >= int(r.get("after_count", 0))
                if armed and action == r["action"]:
                    self.matching += 1
                    if self.matching == int(r.get("nth", 1)):
                        fault = r["kind"]
                        self.fired = True
            if action:
                self.counts[action] = self.counts.get(action, 0) + 1
            return self.seq, r.get("id", ""), fault, r.get("release", "")

    def log(self, entry):
        with self.lock:
            with open(self.args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def forward(self, raw):
        """Send the request to miniupnpd; its whole answer, or None when the box is down."""
        try:
            up = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            return None
        with up:
            up.settimeout(self.args.upstream_timeout)
            up.sendall(raw)
            answer = b""
            try:
                while True:
                    chunk = up.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            except OSError:
                pass
            return answer or None

    def handle(self, conn):
        req = read_request(conn)
        if req is None:
            conn.close()
            return
        raw, method, path, action = req
        seq, rule_id, fault, release = self.decide(action)
        entry = {"seq": seq, "rule": rule_id, "method": method, "path": path, "action": action,
                 "t": round(time.time(), 3)}
        if fault:
            entry["fault"] = fault
        if fault == "hold":
            self.log(dict(entry, outcome="held"))
            deadline = time.monotonic() + self.args.hang_seconds
            while release and not os.path.exists(release) and time.monotonic() < deadline:
                time.sleep(0.02)
            fault = None
            entry["fault"] = "hold"
        outcome = self.act(conn, raw, fault)
        entry["outcome"] = outcome
        self.log(entry)

    def act(self, conn, raw, fault):
        if fault == "fault":
            conn.sendall(http_reply("500 Internal Server Error", SOAP_FAULT, 'text/xml; charset="utf-8"'))
            conn.close()
            return "soap fault 501"
        if fault == "http500":
            conn.sendall(http_reply("500 Internal Server Error", "Internal Server Error\n", "text/plain"))
            conn.close()
            return "http 500"
        if fault == "reset":
            reset(conn)
            return "reset"
        if fault == "hang":
            conn.settimeout(self.args.hang_seconds)
            t0 = time.monotonic()
            try:
                while conn.recv(4096):
                    pass
            except OSError:
                pass
            reset(conn)
            return f"hung {time.monotonic() - t0:.1f}s"
        if fault in ("reboot", "outage"):
            if self.args.down_cmd:
                subprocess.run(["/bin/sh", "-c", self.args.down_cmd], check=False,
                               stdin=subprocess.DEVNULL, timeout=30)
            if fault == "reboot" and self.args.up_cmd:
                def power_on():
                    time.sleep(self.args.reboot_seconds)
                    subprocess.run(["/bin/sh", "-c", self.args.up_cmd], check=False,
                                   stdin=subprocess.DEVNULL, timeout=30)
                threading.Thread(target=power_on, daemon=True).start()
            reset(conn)
            return f"{fault}: box down"
        if fault == "run-before":
            subprocess.run(["/bin/sh", "-c", self.rule.get("cmd", "true")], check=False,
                           stdin=subprocess.DEVNULL, timeout=30)
        answer = self.forward(raw)
        if answer is None:
            reset(conn)
            return "box down: reset"
        if fault == "reset-after":
            reset(conn)
            return "done by the box, then reset"
        conn.sendall(answer)
        conn.close()
        return "forwarded"


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True, help="ADDRESS:PORT to listen on")
    ap.add_argument("--upstream", required=True, help="miniupnpd's ADDRESS:PORT")
    ap.add_argument("--rules", required=True, help="JSON rule file, read before each request")
    ap.add_argument("--log", required=True, help="JSON lines, one per request")
    ap.add_argument("--ready", help="file created once listening")
    ap.add_argument("--down-cmd", help="shell command that takes the box down (reboot fault)")
    ap.add_argument("--up-cmd", help="shell command that starts the box again (reboot fault)")
    ap.add_argument("--reboot-seconds", type=float, default=1.5, help="how long a reboot keeps the box down")
    ap.add_argument("--hang-seconds", type=float, default=30.0)
    ap.add_argument("--upstream-timeout", type=float, default=10.0)
    args = ap.parse_args()
    proxy = Proxy(args)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                proxy.handle(self.request)
            except Exception as e:  # keep serving; the test sees the log
                print(f"fault_proxy: {e!r}", file=sys.stderr, flush=True)

    host, port = args.listen.rsplit(":", 1)
    with Server((host, int(port)), Handler) as srv:
        if args.ready:
            open(args.ready, "w").close()
        print(f"fault proxy on {args.listen} -> {args.upstream}", flush=True)
        srv.serve_forever()


if __name__ == "__main__":
    main()
