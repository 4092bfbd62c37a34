#!/usr/bin/env python3
"""A tiny lab service: listen on 0.0.0.0:PORT (TCP or UDP) and greet every client.

usage: listener.py PORT [tcp|udp] [NAME] [READY_FILE] [dual]
TCP: accept, send "hello from NAME:PORT\n", close.  UDP: answer each datagram the same way.
READY_FILE is created once the socket is bound, so the caller knows when to go on.
"dual" (the IPv6 lab): listen on [::]:PORT with IPV6_V6ONLY off, for both families; an IPv4
peer is still logged as a.b.c.d (not ::ffff:a.b.c.d).
"""
import socket
import sys
import threading


def main():
    port = int(sys.argv[1])
    proto = sys.argv[2] if len(sys.argv) > 2 else "tcp"
    name = sys.argv[3] if len(sys.argv) > 3 else socket.gethostname()
    ready = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
    dual = len(sys.argv) > 5 and sys.argv[5] == "dual"
    banner = f"hello from {name}:{port}/{proto}\n".encode()

    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    if dual:
        sock = socket.socket(socket.AF_INET6, kind)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("::", port))
    else:
        sock = socket.socket(socket.AF_INET, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("0.0.0.0", port))
    if kind == socket.SOCK_STREAM:
        sock.listen(64)
    if ready:
        open(ready, "w").close()
    print(f"listening on {'[::]' if dual else '0.0.0.0'}:{port}/{proto}", flush=True)

    def who(peer):
        host = peer[0]
        return host[7:] if host.startswith("::ffff:") and "." in host else host

    if kind == socket.SOCK_DGRAM:
        while True:
            data, peer = sock.recvfrom(2048)
            print(f"udp from {who(peer)}:{peer[1]}: {data[:60]!r}", flush=True)
            sock.sendto(banner, peer)

    def serve(conn, peer):
        with conn:
            print(f"tcp from {who(peer)}:{peer[1]}", flush=True)
            try:
                conn.sendall(banner)
            except OSError:
                pass

    while True:
        conn, peer = sock.accept()
        threading.Thread(target=serve, args=(conn, peer), daemon=True).start()


if __name__ == "__main__":
    main()
