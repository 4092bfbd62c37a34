"""What every vendor emulator's HTTP side shares (Livebox, Freebox): the fault table, the
threaded server that never resolves names, a request handler base with TLS in the
connection's own thread and an abort with a TCP RST, and the port file.

Faults: {"call": KEY, "kind": "error|reset|hang|http500|reboot" [+"-after"], "count": N|-1,
"skip": N}; KEY is the emulator's own name for a call. "-after" applies the change first.
"reboot" resets the connection and exits the process with REBOOT_EXIT at once: the test's
harness (livebox_client.EmulatorProcess) starts it again from its state file.
"""

import os
import socket
import socketserver
import ssl
import struct
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
