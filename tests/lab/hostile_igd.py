#!/usr/bin/env python3
"""A hostile UPnP IGD for tests (standard library only): the box itself misbehaves.

It serves an IGD description and SOAP control endpoint on --address:--port, and (with --ssdp)
answers unicast M-SEARCH on --address:1900 with LOCATION http://ADDRESS:PORT/rootDesc.xml. In
the lab it runs in the box namespace on 192.168.1.1 (miniupnpd stopped), so boxwarden, which
only trusts the gateway, really reads it; in loopback tests it runs on 127.0.0.1.

--mode picks the misbehaviour:
  normal            a sane IGD:2 (or IGD:1 with --igd 1) with --mappings N generated mappings
                    and, with --nasty, mappings whose descriptions carry terminal escapes etc.
                    (--cdata: listings as miniupnpd 2.3.1 sends them, descriptions unescaped)
  desc-oversize     a 300 KiB description (valid XML, padded), with Content-Length
  desc-endless      a description that never ends (chunked, as fast as the client reads)
  desc-huge-length  Content-Length: 4 GiB, then an endless body
  desc-laughs       a "billion laughs" entity bomb; the WAN service type is an entity
  desc-deep         100,000 nested elements (larger than any sane description)
  desc-deep-fit     deviceList/device nested as deep as fits in 250 KiB, WAN service at the bottom
                    (deeper than any real box: boxwarden ignores it and finds no WAN service)
  desc-drip         headers, then one byte every 0.2 s, forever
  desc-headers      header lines that never end (as fast as the client reads)
  desc-long-header  one header line that never ends
  desc-silent       accepts the connection, reads the request, never answers
  soap-oversize     the description is fine; every SOAP reply is 9 MiB
  soap-endless      every SOAP reply never ends (chunked)
  soap-laughs       SOAP replies and the port listing carry a billion-laughs DTD and entity refs
  soap-deep         SOAP replies carry 100,000 nested elements
  soap-drip         SOAP replies drip one byte every 0.2 s
  soap-silent       SOAP requests are never answered
  listing-loop      GetListOfPortMappings ignores NewStartPort: always the same 1000 entries
  listing-all       GetListOfPortMappings ignores NewNumberOfPorts: all mappings in one reply
  ctl-escape        the control URL path carries ESC and C1 bytes; SOAP answers 404

--pinholes KIND adds the IPv6 firewall (WANIPv6FirewallControl:1 on /ctl/IP6FCtl; GetFirewallStatus,
GetPinholePackets) to a "normal" box; how it answers:
  normal            firewall on, pinholes allowed; id 1 another host's (606), id 2 ours (success),
                    every other id free (704)
  off               the IPv6 firewall is off (FirewallEnabled 0); GetPinholePackets answers 702
                    (FirewallDisabled), as miniupnpd does then
  all               606 ("exists, not yours") for every id, 65535 too
  endless           606 for every id but 65535 (the id boxwarden knows is free): the walk never
                    ends by itself
  stale             as miniupnpd 2.3.1 (nftables) does: pinhole 1 exists; a free id is answered
                    like the last pinhole looked up (402 before any)
  sparse            606 for every 31st id, 704 between: never 32 free ids in a row
  slow              like endless, each answer after 0.5 s (GetFirewallStatus too)
  huge              every IPv6 reply is 9 MiB
  garbage           GetFirewallStatus values that are not booleans (escape sequences, 2, words);
                    GetPinholePackets answers bytes that are not XML
  drip              IPv6 replies drip one byte every 0.2 s

Every request is logged to --log as one JSON object per line ({"kind": "http"|"ssdp", ...}).
"""
import argparse
import json
import os
import socket
import socketserver
import sys
import threading
import time

NS_LISTING = "urn:schemas-upnp-org:gw:WANIPConnection"
ENVELOPE_HEAD = (b'<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
                 b's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>')
ENVELOPE_TAIL = b"</s:Body></s:Envelope>\r\n"

LAUGHS_DTD = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                         for i in range(1, 10))
              + b'<!ENTITY svc "urn:schemas-upnp-org:service:WANIPConnection:2">]>\n')

# Descriptions a LAN device (or a broken box) may put on a mapping. Raw bytes: the server sends
# them as they are (XML-escaping only &, < and >), so they reach the client's parser unchanged.
NASTY = [
    b"\x1b[31mRED\x1b[0m SGR",
    b"\x1b]0;owned title\x07 OSC title",
    b"\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\ OSC 8 link",
    b"\x1b[2J\x1b[H clear screen",
    b"\x1bP+q544e\x1b\\ DCS",
    b"line1\nline2\r\nCRITICAL: fake line",
    b"nul\x00byte",
    b"invalid \xff\xfe \xc3\x28 \xed\xa0\x80 utf8",
    b"raw C1 \x9b31m CSI",
    b"utf8 C1 \xc2\x9b31m CSI",
    b"<script>alert(1)</script> &amp; <b>html</b>",
    b"bidi \xe2\x80\xae evil.exe",
    b"backspace\x08\x08\x08\x7f DEL",
    b"tab\there \x0b\x0c vt ff",
    b"long " + b"A" * 10000,
    b"cdata end ]]> here ]]>",
    b"amp & and &# and &lt;/p:NewDescription&gt;",
]
NASTY_FIRST_PORT = 40000


def mapping(port, proto, desc):
    return {"port": port, "proto": proto, "client": b"192.168.1.10", "desc": desc}


def as_stored(desc, cdata):
    """The description as the box stores it. miniupnpd (--cdata) keeps C strings (a NUL ends
    one) and its XML reader drops text holding a '<' (seen in the lab)."""
    if not cdata:
        return desc
    return b"" if b"<" in desc else desc.split(b"\0")[0]


def xml_text(b):
    return b.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


IP6FC_SERVICE = b"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1"
IP6FC_PATH = b"/ctl/IP6FCtl"


def description(host, igd, control_path=b"/ctl/IPConn", ipv6=False):
    v = b"2" if igd == 2 else b"1"
    ip6fc = (b"<service><serviceType>" + IP6FC_SERVICE + b"</serviceType>"
             b"<serviceId>urn:upnp-org:serviceId:WANIPv6Firewall1</serviceId><SCPDURL>/WANIP6FC.xml</SCPDURL>"
             b"<controlURL>" + IP6FC_PATH + b"</controlURL><eventSubURL>/evt/IP6FCtl</eventSubURL></service>"
             if ipv6 else b"")
    return (b'<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
            b"<specVersion><major>1</major><minor>0</minor></specVersion><device>"
            b"<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:" + v + b"</deviceType>"
            b"<friendlyName>Hostile box</friendlyName><manufacturer>boxwarden tests</manufacturer>"
            b"<modelName>hostile IGD</modelName><modelNumber>1</modelNumber><UDN>uuid:hostile</UDN>"
            b"<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:" + v + b"</deviceType>"
            b"<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:" + v +
            b"</deviceType><serviceList><service>"
            b"<serviceType>urn:schemas-upnp-org:service:WANIPConnection:" + v + b"</serviceType>"
            b"<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml</SCPDURL>"
            b"<controlURL>" + control_path + b"</controlURL><eventSubURL>/evt/IPConn</eventSubURL>"
            b"</service>" + ip6fc + b"</serviceList></device></deviceList></device></deviceList>"
            b"<presentationURL>http://" + host + b"/</presentationURL></device></root>\n")


def deep_fit_description(limit):
    head = (b'<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
            b"<friendlyName>deep</friendlyName>")
    svc = (b"<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1"
           b"</serviceType><controlURL>/ctl/IPConn</controlURL></service></serviceList>")
    tail = b"</device></root>\n"
    level_open, level_close = b"<deviceList><device>", b"</device></deviceList>"
    depth = (limit - len(head) - len(svc) - len(tail)) // (len(level_open) + len(level_close))
    return head + level_open * depth + svc + level_close * depth + tail


def envelope(inner):
    return ENVELOPE_HEAD + inner + ENVELOPE_TAIL


def fault(code, text):
    return envelope(b"<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                    b'<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode>'
                    b"<errorDescription>%s</errorDescription></UPnPError></detail></s:Fault>" % (code, text))


def response(service, action, values):
    args = b"".join(b"<%s>%s</%s>" % (k, v, k) for k, v in values)
    return envelope(b'<u:%sResponse xmlns:u="%s">%s</u:%sResponse>' % (action, service, args, action))


def listing_xml(entries, dtd=b"", entity=b"", escape=xml_text):
    out = [b'<?xml version="1.0" encoding="utf-8"?>' + dtd +
           b'<p:PortMappingList xmlns:p="' + NS_LISTING.encode() + b'">']
    for m in entries:
        out.append(b"<p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost>"
                   b"<p:NewExternalPort>%d</p:NewExternalPort><p:NewProtocol>%s</p:NewProtocol>"
                   b"<p:NewInternalPort>%d</p:NewInternalPort><p:NewInternalClient>%s</p:NewInternalClient>"
                   b"<p:NewEnabled>1</p:NewEnabled><p:NewDescription>%s%s</p:NewDescription>"
                   b"<p:NewLeaseTime>0</p:NewLeaseTime></p:PortMappingEntry>"
                   % (m["port"], m["proto"], m["port"], m["client"], escape(m["desc"]), entity))
    out.append(b"</p:PortMappingList>")
    return b"".join(out)


class State:
    def __init__(self, args):
        self.args = args
        self.host = ("%s:%d" % (args.address, args.port)).encode()
        self.lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.requests = 0
        self.stale = 402  # --pinholes stale: the answer to a free id
        maps = [mapping(p, b"TCP", b"generated %d" % p) for p in range(1, args.mappings + 1)]
        if args.nasty:
            maps += [mapping(NASTY_FIRST_PORT + i, b"TCP", as_stored(d, args.cdata)) for i, d in enumerate(NASTY)
                     if args.only is None or i in args.only]
        # One key per (protocol, port): the last one wins, as on a box.
        self.mappings = sorted({(m["proto"], m["port"]): m for m in maps}.values(),
                               key=lambda m: (m["proto"], m["port"]))

    def log(self, **record):
        if not self.args.log:
            return
        record["time"] = round(time.time(), 3)
        with self.log_lock, open(self.args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.request.settimeout(30)
        self.st = self.server.state
        self.mode = self.st.args.mode

    def read_request(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(65536)
            if not chunk:
                return None
            data += chunk
            if len(data) > 1 << 20:
                return None
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        method, path = (lines[0].split(b" ") + [b"", b""])[:2]
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = min(int(headers.get(b"content-length", b"0") or 0), 1 << 20)
        while len(body) < length:
            chunk = self.request.recv(65536)
            if not chunk:
                break
            body += chunk
        return method, path, headers, body

    def send(self, status, body, ctype=b'text/xml; charset="utf-8"', length=None):
        reason = {200: b"OK", 404: b"Not Found", 500: b"Internal Server Error"}.get(status, b"X")
        head = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n" \
               b"Server: Linux UPnP/1.1 hostile/1\r\n\r\n" % (status, reason, ctype,
                                                             len(body) if length is None else length)
        self.request.sendall(head + body)

    def endless(self, content_length=None):
        """An endless body as fast as the client reads it (chunked unless a length is claimed)."""
        if content_length is None:
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        else:
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n"
                                 % content_length)
        block = b"<a>" + b"x" * 65530 + b"</a>"
        frame = (b"%x\r\n" % len(block) + block + b"\r\n") if content_length is None else block
        deadline = time.monotonic() + self.st.args.max_seconds
        self.request.sendall(b'<?xml version="1.0"?><root>' if content_length else b"")
        while time.monotonic() < deadline:
            self.request.sendall(frame)

    def drip(self):
        """A body that never ends and never grows: one byte (one chunk) every 0.2 s."""
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        deadline = time.monotonic() + self.st.args.max_seconds
        while time.monotonic() < deadline:
            self.request.sendall(b"1\r\n<\r\n")
            time.sleep(0.2)

    def endless_headers(self, one_line):
        self.request.sendall(b"HTTP/1.1 200 OK\r\nX-Long: " if one_line else b"HTTP/1.1 200 OK\r\n")
        block = b"x" * 65536 if one_line else b"X-Padding: " + b"x" * 50 + b"\r\n"
        block = block * (1 if one_line else 1000)
        deadline = time.monotonic() + self.st.args.max_seconds
        while time.monotonic() < deadline:
            self.request.sendall(block)

    def silent(self):
        deadline = time.monotonic() + self.st.args.max_seconds
        while time.monotonic() < deadline:
            try:
                if not self.request.recv(4096):
                    return  # the client gave up
            except socket.timeout:
                pass

    def handle(self):
        try:
            req = self.read_request()
        except (OSError, ValueError):
            return
        if req is None:
            return
        method, path, headers, body = req
        action = headers.get(b"soapaction", b"").strip(b'"').partition(b"#")[2]
        with self.st.lock:
            self.st.requests += 1
        self.st.log(kind="http", client=self.client_address[0], method=method.decode("latin-1"),
                    path=path.decode("latin-1"), action=action.decode("latin-1"), bytes=len(body))
        try:
            if method == b"GET":
                self.get(path)
            elif method == b"POST":
                self.post(path, action, body)
            else:
                self.send(404, b"")
        except OSError:
            pass  # the client hung up (as it should, on a bomb)

    def get(self, path):
        mode, st = self.mode, self.st
        if path.split(b"?")[0] not in (b"/rootDesc.xml", b"/igddesc.xml"):
            self.send(404, b"<html>not found</html>", b"text/html")
            return
        if mode == "desc-oversize":
            pad = b"<!--" + b"p" * (300 * 1024) + b"-->"
            self.send(200, description(st.host, 2).replace(b"<root ", pad + b"<root ", 1))
        elif mode == "desc-endless":
            self.endless()
        elif mode == "desc-huge-length":
            self.endless(content_length=4 << 30)
        elif mode == "desc-laughs":
            d = description(st.host, 2).replace(
                b"urn:schemas-upnp-org:service:WANIPConnection:2", b"&svc;").replace(
                b"Hostile box", b"&lol9;")
            self.send(200, d.replace(b"<root ", LAUGHS_DTD + b"<root ", 1))
        elif mode == "desc-deep":
            n = 100000
            self.send(200, b'<?xml version="1.0"?><root>' + b"<a>" * n + b"</a>" * n + b"</root>")
        elif mode == "desc-deep-fit":
            self.send(200, deep_fit_description(250 * 1024))
        elif mode == "desc-drip":
            self.drip()
        elif mode in ("desc-headers", "desc-long-header"):
            self.endless_headers(mode == "desc-long-header")
        elif mode == "desc-silent":
            self.silent()
        elif mode == "ctl-escape":
            self.send(200, description(st.host, 2, b"/ctl/\x1b]0;owned\x07\x1b[2J\xc2\x9b31m\x9b"))
        else:
            self.send(200, description(st.host, self.st.args.igd, ipv6=st.args.pinholes is not None))

    def post(self, path, action, body):
        mode, st = self.mode, self.st
        if path == IP6FC_PATH and st.args.pinholes is not None:
            self.ipv6_firewall(action, body)
            return
        if path != b"/ctl/IPConn" and mode != "ctl-escape":
            self.send(404, b"<html>not found</html>", b"text/html")  # e.g. a Livebox /ws probe
            return
        service = b"urn:schemas-upnp-org:service:WANIPConnection:%d" % st.args.igd
        if mode == "soap-oversize":
            self.send(200, envelope(b"<u:XResponse><v>" + b"x" * (9 << 20) + b"</v></u:XResponse>"))
        elif mode == "soap-endless":
            self.endless()
        elif mode == "soap-laughs":
            dtd_xml = ENVELOPE_HEAD.replace(b"<s:Envelope", LAUGHS_DTD.replace(b"lolz", b"s:Envelope") +
                                            b"<s:Envelope", 1)
            inner = xml_text(listing_xml(st.mappings[:3] or [mapping(1, b"TCP", b"x")],
                                         LAUGHS_DTD.replace(b"lolz", b"p:PortMappingList"), b"&lol9;"))
            values = [(b"NewExternalIPAddress", b"&lol9;"), (b"NewPortListing", inner)]
            self.send(200, dtd_xml + b'<u:%sResponse xmlns:u="%s">%s</u:%sResponse>' % (
                action, service, b"".join(b"<%s>%s</%s>" % (k, v, k) for k, v in values), action)
                + ENVELOPE_TAIL)
        elif mode == "soap-deep":
            n = 100000
            self.send(200, envelope(b"<u:XResponse>" + b"<a>" * n + b"</a>" * n + b"</u:XResponse>"))
        elif mode == "soap-drip":
            self.drip()
        elif mode == "soap-silent":
            self.silent()
        elif mode == "ctl-escape":
            self.send(404, b"<html>not found</html>", b"text/html")
        else:
            status, answer = self.soap(service, action, body)
            self.send(status, answer)

    def ipv6_firewall(self, action, body):
        kind = self.st.args.pinholes
        start = body.find(b"<UniqueID>")
        end = body.find(b"</UniqueID>")
        try:
            uid = int(body[start + 10:end]) if 0 <= start < end else -1
        except ValueError:
            uid = -1
        if kind == "huge":
            self.send(200, envelope(b"<u:%sResponse><v>" % action + b"x" * (9 << 20) + b"</v></u:%sResponse>" % action))
            return
        if kind == "drip":
            self.drip()
            return
        if kind == "slow":
            time.sleep(0.5)
        if action == b"GetFirewallStatus":
            if kind == "garbage":
                values = [(b"FirewallEnabled", b"\x1b[31m1"), (b"InboundPinholeAllowed", b"2")]
            elif kind == "off":
                values = [(b"FirewallEnabled", b"0"), (b"InboundPinholeAllowed", b"0")]
            else:
                values = [(b"FirewallEnabled", b"1"), (b"InboundPinholeAllowed", b"1")]
            self.send(200, response(IP6FC_SERVICE, action, values))
            return
        if action != b"GetPinholePackets":
            self.send(500, fault(401, b"Invalid Action"))
            return
        if kind == "off":
            self.send(500, fault(702, b"FirewallDisabled"))
            return
        if kind == "garbage":
            self.send(200, b"\x1b]0;owned\x07 not XML \xff\xfe <<<< &&& \x9b31m")
            return
        if kind == "normal":
            found = {1: 606, 2: 0}.get(uid, 704)
        elif kind == "sparse":
            found = 606 if uid > 0 and uid % 31 == 0 else 704
        elif kind == "stale":
            with self.st.lock:
                if uid == 1:
                    self.st.stale = 606
                found = self.st.stale
        elif kind == "all":
            found = 606
        else:  # endless, slow
            found = 704 if uid == 65535 else 606
        if found == 402:
            self.send(500, fault(402, b"Invalid Args"))
            return
        if found == 0:
            self.send(200, response(IP6FC_SERVICE, action, [(b"PinholePackets", b"12")]))
        elif found == 606:
            self.send(500, fault(606, b"Action not authorized"))
        else:
            self.send(500, fault(704, b"NoSuchEntry"))

    def soap(self, service, action, body):
        st = self.st

        def arg(name):
            start = body.find(b"<" + name + b">")
            end = body.find(b"</" + name + b">")
            return body[start + len(name) + 2:end] if 0 <= start < end else b""

        if action == b"GetExternalIPAddress":
            return 200, response(service, action, [(b"NewExternalIPAddress", b"11.22.33.44")])
        if action == b"GetListOfPortMappings":
            try:
                first, last = int(arg(b"NewStartPort")), int(arg(b"NewEndPort"))
                count = int(arg(b"NewNumberOfPorts") or b"1000") or 1000
            except ValueError:
                return 500, fault(402, b"Invalid Args")
            proto = arg(b"NewProtocol").upper()
            entries = [m for m in st.mappings if m["proto"] == proto]
            if st.args.mode == "listing-loop":
                entries = entries[:1000]  # whatever was asked
            elif st.args.mode == "listing-all":
                pass
            else:
                entries = [m for m in entries if first <= m["port"] <= last][:min(count, 1000)]
            if not entries:
                return 500, fault(730, b"PortMappingNotFound")
            if st.args.cdata:  # as miniupnpd 2.3.1 does: CDATA, descriptions not escaped
                return 200, response(service, action, [
                    (b"NewPortListing", b"<![CDATA[" + listing_xml(entries, escape=lambda d: d) + b"]]>")])
            return 200, response(service, action, [(b"NewPortListing", xml_text(listing_xml(entries)))])
        if action == b"GetGenericPortMappingEntry":
            try:
                i = int(arg(b"NewPortMappingIndex"))
            except ValueError:
                return 500, fault(402, b"Invalid Args")
            if not 0 <= i < len(st.mappings):
                return 500, fault(713, b"SpecifiedArrayIndexInvalid")
            m = st.mappings[i]
            return 200, response(service, action, [
                (b"NewRemoteHost", b""), (b"NewExternalPort", b"%d" % m["port"]), (b"NewProtocol", m["proto"]),
                (b"NewInternalPort", b"%d" % m["port"]), (b"NewInternalClient", m["client"]),
                (b"NewEnabled", b"1"), (b"NewPortMappingDescription", xml_text(m["desc"])),
                (b"NewLeaseDuration", b"0")])
        if action == b"DeletePortMapping":
            try:
                port, proto = int(arg(b"NewExternalPort")), arg(b"NewProtocol").upper()
            except ValueError:
                return 500, fault(402, b"Invalid Args")
            with st.lock:
                before = len(st.mappings)
                st.mappings = [m for m in st.mappings if (m["port"], m["proto"]) != (port, proto)]
                if len(st.mappings) == before:
                    return 500, fault(714, b"NoSuchEntryInArray")
            return 200, response(service, action, [])
        return 500, fault(401, b"Invalid Action")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def ssdp_socket(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, 1900))
    return sock


def ssdp_loop(state, sock):
    location = b"http://%s/rootDesc.xml" % state.host
    while True:
        data, peer = sock.recvfrom(4096)
        state.log(kind="ssdp", client=peer[0], first_line=data.split(b"\r\n")[0].decode("latin-1"))
        if not data.startswith(b"M-SEARCH"):
            continue
        st = b"urn:schemas-upnp-org:device:InternetGatewayDevice:%d" % state.args.igd
        sock.sendto(b"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: %s\r\nUSN: uuid:hostile::%s\r\n"
                    b"EXT:\r\nSERVER: Linux UPnP/1.1 hostile/1\r\nLOCATION: %s\r\n\r\n" % (st, st, location), peer)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="HTTP port (0: any free port, printed)")
    ap.add_argument("--mode", default="normal")
    ap.add_argument("--igd", type=int, choices=(1, 2), default=2)
    ap.add_argument("--mappings", type=int, default=0, help="generated TCP mappings on ports 1..N")
    ap.add_argument("--nasty", action="store_true", help="add mappings with hostile descriptions")
    ap.add_argument("--cdata", action="store_true",
                    help="send listings as miniupnpd 2.3.1 does: in CDATA, descriptions not escaped")
    ap.add_argument("--only", type=int, action="append", help="with --nasty: only these (0-based)")
    ap.add_argument("--pinholes", choices=("normal", "off", "all", "endless", "stale", "sparse", "slow", "huge", "garbage",
                                           "drip"),
                    help="serve the IPv6 firewall (WANIPv6FirewallControl) this way (see above)")
    ap.add_argument("--ssdp", action="store_true", help="answer unicast M-SEARCH on ADDRESS:1900")
    ap.add_argument("--max-seconds", type=float, default=120, help="how long one endless answer lasts")
    ap.add_argument("--log", help="JSON-lines request log")
    ap.add_argument("--ready", help="file that receives the HTTP port once listening")
    args = ap.parse_args()

    server = Server((args.address, args.port), Handler)
    args.port = server.server_address[1]
    server.state = State(args)
    if args.ssdp:
        sock = ssdp_socket(args.address)
        threading.Thread(target=ssdp_loop, args=(server.state, sock), daemon=True).start()
    if args.ready:
        with open(args.ready + ".tmp", "w") as f:
            f.write("%d\n" % args.port)
        os.rename(args.ready + ".tmp", args.ready)
    print("hostile IGD (%s) on %s:%d" % (args.mode, args.address, args.port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
