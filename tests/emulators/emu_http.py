"""What every vendor emulator's HTTP side shares (Livebox, Freebox): the fault table, the
threaded server that never resolves names, a request handler base with TLS in the
connection's own thread and an abort with a TCP RST, and the port file.

Faults: {"call": KEY, "kind": "error|reset|hang|http500|reboot" [+"-after"], "count": N|-1,
"skip": N}; KEY is the emulator's own name for a call. "-after" applies the change first.
"reboot" resets the connection and exits the process with REBOOT_EXIT at once: the test's
harness (livebox_client.EmulatorProcess) starts it again from its state file.
"""

import copy
import json
import os
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULT_KINDS = {"error", "reset", "hang", "http500", "reboot"}
REBOOT_EXIT = 75  # the process's status after a "reboot" fault


class Fault:
    def __init__(self, call, kind, count, skip=0):
        base = kind[:-6] if kind.endswith("-after") else kind
        if base not in FAULT_KINDS:
            raise ValueError("unknown fault kind %r" % kind)
        self.call, self.kind, self.after, self.count = call, base, kind.endswith("-after"), count
        self.skip = skip


def fault_from_json(payload):
    """A Fault from a /_emu/fail body."""
    return Fault(str(payload["call"]), str(payload.get("kind", "error")), int(payload.get("count", 1)),
                 int(payload.get("skip", 0)))


def take_fault(faults, lock, call):
    """The armed fault for `call`, counted down; None when the call goes through."""
    with lock:
        for f in faults:
            if f.call == call and f.count != 0:
                if f.skip > 0:
                    f.skip -= 1
                    continue
                if f.count > 0:
                    f.count -= 1
                return f
    return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    ssl_context = None  # set on the HTTPS listener

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, socket.timeout)):
            return  # a failed handshake (plain HTTP on the TLS port, a client that refused us)
        super().handle_error(request, client_address)

    def server_bind(self):
        # HTTPServer.server_bind asks DNS for our name (getfqdn): in a lab namespace that
        # query has nowhere to go and blocks. Never resolve anything.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_prefix = "emu"
    verbose = False

    def setup(self):
        ctx = getattr(self.server, "ssl_context", None)
        if ctx is not None:
            # The handshake runs here, in the connection's own thread: a client that speaks
            # plain HTTP to this port gets the connection closed, nothing else.
            self.request.settimeout(10)
            self.request = ctx.wrap_socket(self.request, server_side=True)
            self.request.settimeout(None)
        super().setup()

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s: %s\n" % (self.log_prefix, fmt % args))

    def send_body(self, code, body, content_type, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def reset(self):
        """Abort the connection with a TCP RST and no reply."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
        self.dead = True

    def reboot(self):
        """The box goes away mid-call: the connection drops, the process ends (the state file
        is already written: every change rewrites it before replying)."""
        self.reset()
        sys.stderr.flush()
        os._exit(REBOOT_EXIT)

    def hang(self, seconds):
        time.sleep(seconds)
        self.reset()

    def finish(self):
        if not getattr(self, "dead", False):
            try:
                super().finish()
            except OSError:
                pass


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def write_port_file(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def serve(servers, cleanup=None):
    """Runs every server (the first in this thread) until SIGTERM; then `cleanup()`."""
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        servers[0].serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if cleanup:
            cleanup()


def stop_process(proc, timeout=5):
    """SIGTERM, then SIGKILL after `timeout` seconds; reaps it."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load_state(scenario_path, state_path, default_state, overlay, name="emulator"):
    """The persisted state when it exists (a reboot), else default_state() overlaid by the
    scenario file through overlay(state, scenario); a key the state lacks is refused."""
    if state_path and os.path.exists(state_path):
        with open(state_path) as f:
            return json.load(f)
    state = default_state()
    if scenario_path:
        with open(scenario_path) as f:
            scenario = json.load(f)
        unknown = set(scenario) - set(state)
        if unknown:
            raise SystemExit("%s: unknown scenario keys: %s" % (name, ", ".join(sorted(unknown))))
        overlay(state, scenario)
    return state


class PersistedState:
    """For an emulator's model (self.state, self.state_path, self.on_change, self.lock):
    snapshot() and changed(), which rewrites the state file atomically (0600: it holds the
    box's secrets) and then runs on_change(state)."""

    def snapshot(self):
        with self.lock:
            return copy.deepcopy(self.state)

    def changed(self):
        if self.state_path:
            tmp = self.state_path + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(self.state, f, indent=1, sort_keys=True)
            os.replace(tmp, self.state_path)
        if self.on_change:
            self.on_change(self.state)


def add_common_args(ap, http_modes=("serve", "off")):
    """The options every emulator takes: where it listens, its state, TLS, faults' hang."""
    ap.add_argument("--bind", default="127.0.0.1", help="address to listen on (127.0.0.1 or a lab address)")
    ap.add_argument("--port", type=int, default=0, help="TCP port (0: a free one, see --port-file)")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--scenario", help="JSON file overlaying the default state (first start only)")
    ap.add_argument("--state", help="state file: loaded when it exists (a reboot), rewritten after each change")
    ap.add_argument("--hang-seconds", type=float, default=30.0, help="how long a hang fault holds the call")
    ap.add_argument("--tls-cert", help="PEM certificate (chain): also serve HTTPS (with --tls-key)")
    ap.add_argument("--tls-key", help="PEM private key of --tls-cert")
    ap.add_argument("--tls-port", type=int, default=0, help="HTTPS port (0: a free one, see --tls-port-file)")
    ap.add_argument("--tls-port-file", help="write the HTTPS port here once listening")
    ap.add_argument("--http-mode", choices=list(http_modes), default="serve",
                    help="plain HTTP: " + ", ".join(http_modes) + " (off: HTTPS only)")
    ap.add_argument("--verbose", action="store_true")


def check_common_args(ap, args):
    if args.state and not os.path.isabs(args.state):
        args.state = os.path.abspath(args.state)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.http_mode != "serve" and not args.tls_cert:
        ap.error("--http-mode %s needs --tls-cert and --tls-key" % args.http_mode)


def make_servers(args, handler, emu):
    """[(server, port file, scheme)]: HTTPS when --tls-cert (emu.tls_servers, emu.load_tls(),
    emu.tls_port are set), plain HTTP first unless --http-mode off."""
    servers = []
    if args.tls_cert:
        tls = Server((args.bind, args.tls_port), handler)
        emu.tls_servers.append(tls)
        emu.load_tls(args.tls_cert, args.tls_key)
        emu.tls_port = tls.server_address[1]
        servers.append((tls, args.tls_port_file, "https"))
    if args.http_mode != "off":
        servers.insert(0, (Server((args.bind, args.port), handler), args.port_file, "http"))
    return servers


def announce(servers, bind, prefix):
    """Port files written and a "listening on" line each, once every server is bound."""
    for server, port_file, scheme in servers:
        port = server.server_address[1]
        if port_file:
            write_port_file(port_file, port)
        print("%s: listening on %s://%s:%d" % (prefix, scheme, bind, port), file=sys.stderr, flush=True)
