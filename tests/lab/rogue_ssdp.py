#!/usr/bin/env python3
"""A rogue LAN device that pretends to be the Internet gateway (lab only; standard library).

It answers every SSDP M-SEARCH at once (before the real box, which waits a random part of MX),
and once more half a second later under another USN (after the box), always with a LOCATION that points at itself by default, and serves a plausible IGD:2 description and
SOAP control endpoint that claims the box is connected and has no port mappings at all. A client
that trusts the first SSDP answer would therefore report "nothing exposed" while the real box
forwards ports.

Every SSDP datagram and every HTTP request is appended to --log as one JSON object per line:
  {"kind": "ssdp", "client": "192.168.1.20", "port": 43210, "method": "M-SEARCH", "st": "..."}
  {"kind": "http", "client": "192.168.1.20", "method": "GET", "path": "/rootDesc.xml", ...}
so a test can assert that a tool never fetched anything from it.
"""
import argparse
import json
import socket
import struct
import threading
import time
import uuid
import socketserver
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900
UUID = str(uuid.uuid4())
LATE_UUID = str(uuid.uuid4())

ANSWERED_TYPES = [
    "upnp:rootdevice",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
    "urn:schemas-upnp-org:service:WANIPConnection:1",
    "urn:schemas-upnp-org:service:WANIPConnection:2",
]

ROOT_DESC = """<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>1</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>
<friendlyName>Livebox</friendlyName>
<manufacturer>Sagemcom</manufacturer>
<modelName>Livebox 5</modelName>
<UDN>uuid:{uuid}</UDN>
<serviceList><service>
<serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
<serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId>
<SCPDURL>/L3F.xml</SCPDURL><controlURL>/ctl/L3F</controlURL><eventSubURL>/evt/L3F</eventSubURL>
</service></serviceList>
<deviceList><device>
<deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>
<friendlyName>WANDevice</friendlyName><manufacturer>Sagemcom</manufacturer><modelName>WAN</modelName>
<UDN>uuid:{uuid}-1</UDN>
<serviceList><service>
<serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId>
<SCPDURL>/WANCfg.xml</SCPDURL><controlURL>/ctl/CmnIfCfg</controlURL><eventSubURL>/evt/CmnIfCfg</eventSubURL>
</service></serviceList>
<deviceList><device>
<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>
<friendlyName>WANConnectionDevice</friendlyName><manufacturer>Sagemcom</manufacturer><modelName>WANConn</modelName>
<UDN>uuid:{uuid}-2</UDN>
<serviceList><service>
<serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<SCPDURL>/WANIPCn.xml</SCPDURL><controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL>
</service></serviceList>
</device></deviceList>
</device></deviceList>
<presentationURL>http://{host}/</presentationURL>
</device>
</root>
"""

EMPTY_SCPD = """<?xml version="1.0"?>
<scpd xmlns="urn:schemas-upnp-org:service-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion><actionList/><serviceStateTable/>
</scpd>
"""

EMPTY_LISTING = ('<?xml version="1.0" encoding="utf-8"?>'
                 '<p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="urn:schemas-upnp-org:gw:WANIPConnection '
                 'http://www.upnp.org/schemas/gw/WANIPConnection-v2.xsd"></p:PortMappingList>')


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        # HTTPServer.server_bind resolves the host name (a DNS query); the lab has no DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class Log:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def write(self, **record):
        record["time"] = round(time.time(), 3)
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def soap_envelope(body):
    return ('<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
            + body + '</s:Body></s:Envelope>\r\n')


def soap_fault(code, text):
    return soap_envelope(
        '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>'
        '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode>'
        '<errorDescription>%s</errorDescription></UPnPError></detail></s:Fault>' % (code, text))


def soap_answer(service, action, claimed_ip):
    """(status, body) for one SOAP action: a connected IGD with no mappings."""
    values = {
        "GetExternalIPAddress": {"NewExternalIPAddress": claimed_ip},
        "GetStatusInfo": {"NewConnectionStatus": "Connected", "NewLastConnectionError": "ERROR_NONE",
                          "NewUptime": "86400"},
        "GetConnectionTypeInfo": {"NewConnectionType": "IP_Routed",
                                  "NewPossibleConnectionTypes": "IP_Routed"},
        "GetCommonLinkProperties": {"NewWANAccessType": "Cable", "NewLayer1UpstreamMaxBitRate": "100000000",
                                    "NewLayer1DownstreamMaxBitRate": "1000000000",
                                    "NewPhysicalLinkStatus": "Up"},
        "GetListOfPortMappings": {"NewPortListing": "<![CDATA[" + EMPTY_LISTING + "]]>"},
        "AddPortMapping": {},
        "AddAnyPortMapping": {"NewReservedPort": "0"},
        "DeletePortMappingRange": {},
        "GetTotalBytesSent": {"NewTotalBytesSent": "0"},
        "GetTotalBytesReceived": {"NewTotalBytesReceived": "0"},
        "GetTotalPacketsSent": {"NewTotalPacketsSent": "0"},
        "GetTotalPacketsReceived": {"NewTotalPacketsReceived": "0"},
    }
    if action == "GetGenericPortMappingEntry":
        return 500, soap_fault(713, "SpecifiedArrayIndexInvalid")
    if action in ("GetSpecificPortMappingEntry", "DeletePortMapping"):
        return 500, soap_fault(714, "NoSuchEntryInArray")
    if action not in values:
        return 500, soap_fault(401, "Invalid Action")
    args = "".join(f"<{k}>{v}</{k}>" for k, v in values[action].items())
    return 200, soap_envelope(f'<u:{action}Response xmlns:u="{service}">{args}</u:{action}Response>')


def make_handler(log, host, claimed_ip):
    class Handler(BaseHTTPRequestHandler):
        server_version = "Linux/5.4 UPnP/1.1 MiniUPnPd/2.3.1"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # the JSON log replaces stderr logging
            pass

        def record(self, body=b""):
            log.write(kind="http", client=self.client_address[0], port=self.client_address[1],
                      method=self.command, path=self.path, host=self.headers.get("Host"),
                      soapaction=self.headers.get("SOAPAction"),
                      user_agent=self.headers.get("User-Agent"), body=body[:400].decode(errors="replace"))

        def send(self, status, body, ctype="text/xml; charset=\"utf-8\""):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            self.close_connection = True

        def do_GET(self):
            self.record()
            if self.path.split("?")[0] in ("/rootDesc.xml", "/", "/igd.xml", "/description.xml"):
                self.send(200, ROOT_DESC.format(uuid=UUID, host=host))
            elif self.path.endswith(".xml"):
                self.send(200, EMPTY_SCPD)
            else:
                self.send(404, "<html><body>404 Not Found</body></html>", "text/html")

        do_HEAD = do_GET

        def do_POST(self):
            length = min(int(self.headers.get("Content-Length") or 0), 65536)
            body = self.rfile.read(length) if length else b""
            self.record(body)
            soapaction = (self.headers.get("SOAPAction") or "").strip('"')
            service, _, action = soapaction.partition("#")
            status, answer = soap_answer(service, action, claimed_ip)
            self.send(status, answer)

        def do_SUBSCRIBE(self):
            self.record()
            self.send(412, "")

        do_UNSUBSCRIBE = do_SUBSCRIBE

    return Handler


def ssdp_socket(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", SSDP_PORT))
    mreq = struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton(address))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    return sock


def ssdp_loop(sock, log, location, address, late_delay):
    while True:
        data, peer = sock.recvfrom(4096)
        text = data.decode(errors="replace")
        lines = text.split("\r\n")
        method = lines[0].split(" ")[0] if lines else ""
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().upper()] = value.strip()
        st = headers.get("ST", "")
        if peer[0] == address:  # our own multicast looping back
            continue
        log.write(kind="ssdp", client=peer[0], port=peer[1], method=method, st=st)
        if method != "M-SEARCH":
            continue
        types = ANSWERED_TYPES if st == "ssdp:all" else [st or ANSWERED_TYPES[1]]
        answer(sock, peer, types, location, UUID)
        if late_delay > 0:
            # A second answer under another USN after the real box has answered: clients that
            # keep the last answer (miniupnpc puts it first in its list) pick us as well.
            threading.Timer(late_delay, answer, (sock, peer, types, location, LATE_UUID)).start()


def answer(sock, peer, types, location, device_uuid):
    for t in types:
        usn = f"uuid:{device_uuid}" + ("" if t.startswith("uuid:") else f"::{t}")
        reply = ("HTTP/1.1 200 OK\r\n"
                 "CACHE-CONTROL: max-age=120\r\n"
                 f"ST: {t}\r\n"
                 f"USN: {usn}\r\n"
                 "EXT:\r\n"
                 "SERVER: Linux/5.4 UPnP/1.1 MiniUPnPd/2.3.1\r\n"
                 f"LOCATION: {location}\r\n"
                 "\r\n")
        try:
            sock.sendto(reply.encode(), peer)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--location", required=True, help="LOCATION sent in SSDP answers")
    ap.add_argument("--address", required=True, help="this device's LAN address")
    ap.add_argument("--port", type=int, default=5000, help="HTTP port of the fake IGD")
    ap.add_argument("--claimed-ip", default="11.22.33.44", help="external address it claims")
    ap.add_argument("--log", required=True, help="JSON-lines request log")
    ap.add_argument("--late-delay", type=float, default=0.5,
                    help="also answer again this many seconds later (0: only answer at once)")
    ap.add_argument("--ready", help="file created once both sockets are bound")
    args = ap.parse_args()

    log = Log(args.log)
    httpd = Server((args.address, args.port), make_handler(log, f"{args.address}:{args.port}",
                                                                        args.claimed_ip))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    sock = ssdp_socket(args.address)
    ssdp = threading.Thread(target=ssdp_loop, args=(sock, log, args.location, args.address, args.late_delay), daemon=True)
    ssdp.start()
    if args.ready:
        open(args.ready, "w").close()
    print(f"rogue IGD: SSDP on {SSDP_GROUP}:{SSDP_PORT}, HTTP on {args.address}:{args.port}, "
          f"LOCATION {args.location}", flush=True)
    ssdp.join()


if __name__ == "__main__":
    main()
