#!/usr/bin/env python3
"""Add many UPnP port mappings quickly (one AddPortMapping request each, one process).

usage: add_mappings.py CONTROL_URL INTERNAL_HOST FIRST_INDEX LAST_INDEX
Mapping i: external and internal port 20000+i, TCP when i is even, UDP when odd, description
"bench i", lease 0. upnpc -a sends three requests per mapping, and every request to miniupnpd
2.3.1 costs more as mappings pile up, so this is what keeps bench.sh's setup short.
"""
import http.client
import sys
from urllib.parse import urlsplit

SERVICE = "urn:schemas-upnp-org:service:WANIPConnection:2"


def add(url, host, port, proto, desc):
    body = ('<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
            f'<u:AddPortMapping xmlns:u="{SERVICE}"><NewRemoteHost></NewRemoteHost>'
            f'<NewExternalPort>{port}</NewExternalPort><NewProtocol>{proto}</NewProtocol>'
            f'<NewInternalPort>{port}</NewInternalPort><NewInternalClient>{host}</NewInternalClient>'
            f'<NewEnabled>1</NewEnabled><NewPortMappingDescription>{desc}</NewPortMappingDescription>'
            '<NewLeaseDuration>0</NewLeaseDuration></u:AddPortMapping></s:Body></s:Envelope>\r\n')
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    conn.request("POST", url.path, body.encode(), {
        "Content-Type": 'text/xml; charset="utf-8"',
        "SOAPAction": f'"{SERVICE}#AddPortMapping"'})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"AddPortMapping {port}/{proto}: HTTP {resp.status}: {data[:300]!r}")


def main():
    url = urlsplit(sys.argv[1])
    host, first, last = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for i in range(first, last + 1):
        add(url, host, 20000 + i, "TCP" if i % 2 == 0 else "UDP", f"bench {i}")


if __name__ == "__main__":
    main()
