"""The Livebox's own UPnP IGD, for the emulator: a real box lists the mappings its IGD made
in Firewall:getPortForwarding with Origin "upnp", and deleting one there removes the
mapping. In the lab the IGD is miniupnpd on the box's LAN address; this module talks SOAP
to it (from inside the box namespace only) so that the emulator shows and changes the very
mappings miniupnpd holds.
"""

import http.client
import re
import urllib.parse
from xml.sax.saxutils import escape

PROTOCOLS = {"TCP": "6", "UDP": "17"}


class IgdError(Exception):
    def __init__(self, code, text):
        super().__init__("UPnP error %s: %s" % (code, text))
        self.code = code


class IgdMirror:
    def __init__(self, control_url, service="urn:schemas-upnp-org:service:WANIPConnection:2", timeout=5):
        u = urllib.parse.urlsplit(control_url)
        self.host, self.port, self.path = u.hostname, u.port or 80, u.path or "/"
        self.service = service
        self.timeout = timeout

    def soap(self, action, args):
        body = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
                's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
                '<u:%s xmlns:u="%s">%s</u:%s></s:Body></s:Envelope>') % (
            action, self.service, "".join("<%s>%s</%s>" % (k, escape(str(v)), k) for k, v in args), action)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        conn.request("POST", self.path, body=body.encode(), headers={
            "Content-Type": 'text/xml; charset="utf-8"', "SOAPAction": '"%s#%s"' % (self.service, action)})
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        conn.close()
        if resp.status != 200:
            code = re.search(r"<errorCode>(\d+)</errorCode>", text)
            desc = re.search(r"<errorDescription>([^<]*)</errorDescription>", text)
            raise IgdError(code.group(1) if code else resp.status, desc.group(1) if desc else "")
        return dict(re.findall(r"<(New\w+)>([^<]*)</New\w+>", text))

    def rules(self):
        """Every mapping as a Livebox rule, keyed by a stable id (upnp_<port><t|u>)."""
        out = {}
        for index in range(1024):
            try:
                m = self.soap("GetGenericPortMappingEntry", [("NewPortMappingIndex", index)])
            except IgdError:
                break
            proto = m.get("NewProtocol", "TCP").upper()
            ext = m.get("NewExternalPort", "")
            rid = "upnp_%s%s" % (ext, proto[0].lower())
            out[rid] = {
                "Id": rid, "Origin": "upnp", "Description": m.get("NewPortMappingDescription", ""),
                "Status": "Enabled" if m.get("NewEnabled", "1") == "1" else "Disabled",
                "SourceInterface": "data", "Protocol": PROTOCOLS.get(proto, proto), "ExternalPort": ext,
                "InternalPort": m.get("NewInternalPort", ""), "SourcePrefix": m.get("NewRemoteHost", ""),
                "DestinationIPAddress": m.get("NewInternalClient", ""), "DestinationMACAddress": "",
                "LeaseDuration": int(m.get("NewLeaseDuration", "0") or 0), "HairpinNAT": True,
                "SymmetricSNAT": False, "UPnPV1Compat": False, "Enable": m.get("NewEnabled", "1") == "1",
            }
        return out

    def delete(self, rule):
        for proto in _names(rule["Protocol"]):
            self.soap("DeletePortMapping", [("NewRemoteHost", rule.get("SourcePrefix", "")),
                                            ("NewExternalPort", rule["ExternalPort"]), ("NewProtocol", proto)])

    def touch(self, port=65533):
        """Makes miniupnpd change its own nftables rules once (a mapping of `port` to the box
        itself, added and deleted): it then reads its rules back from nftables, and forgets
        the pinholes deleted behind its back (it otherwise keeps answering from its cache)."""
        try:
            self.soap("AddPortMapping", [
                ("NewRemoteHost", ""), ("NewExternalPort", port), ("NewProtocol", "TCP"), ("NewInternalPort", port),
                ("NewInternalClient", self.host), ("NewEnabled", 1),
                ("NewPortMappingDescription", "livebox-emu refresh"), ("NewLeaseDuration", 0)])
            self.soap("DeletePortMapping", [("NewRemoteHost", ""), ("NewExternalPort", port), ("NewProtocol", "TCP")])
        except (IgdError, OSError):
            pass  # best effort: the rule itself is gone either way

    def add(self, rule):
        for proto in _names(rule["Protocol"]):
            self.soap("AddPortMapping", [
                ("NewRemoteHost", rule.get("SourcePrefix", "")), ("NewExternalPort", rule["ExternalPort"]),
                ("NewProtocol", proto), ("NewInternalPort", rule["InternalPort"]),
                ("NewInternalClient", rule["DestinationIPAddress"]), ("NewEnabled", 1 if rule["Enable"] else 0),
                ("NewPortMappingDescription", rule.get("Description", "")),
                ("NewLeaseDuration", rule.get("LeaseDuration", 0))])


def _names(numbers):
    names = {v: k for k, v in PROTOCOLS.items()}
    return [names[p.strip()] for p in str(numbers).split(",") if p.strip() in names]
