#!/usr/bin/env python3
"""Probe HOST:PORT from the lab's Internet namespace, like an attacker scanning the box.

usage: probe.py HOST PORT [tcp|udp|reach] [TIMEOUT]
HOST is an IPv4 or IPv6 address (no brackets).
Exit 0 and print the banner when the service answered; 1 when refused or timed out.
"reach" (a ping without ICMP sockets): exit 0 when HOST answered at all, even with a TCP reset.
"""
import errno
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    proto = sys.argv[3] if len(sys.argv) > 3 else "tcp"
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
    try:
        if proto == "udp":
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.settimeout(timeout)
                s.connect((host, port))
                s.send(b"probe\n")
                data = s.recv(2048)
        else:
            with socket.create_connection((host, port), timeout=timeout) as s:
                s.settimeout(timeout)
                try:
                    data = s.recv(2048)
                except socket.timeout:
                    data = b""
    except OSError as e:
        if proto == "reach" and e.errno == errno.ECONNREFUSED:
            return 0
        print(f"probe {host}:{port}/{proto}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(data.decode(errors="replace").strip() or f"connected to {host}:{port}/{proto}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
