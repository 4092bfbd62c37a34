"""The state and the `/ws` methods of an emulated Orange Livebox (no HTTP here).

Shapes follow shared/vendor-api/livebox.md and the captures in shared/fixtures/livebox.
A method returns (status, data, errors); `errors` is a list of {"error","description","info"}.
The model never sends anything anywhere: callers (the server) decide what a change does
outside (nftables, hooks) through `on_change`.
"""

import ipaddress
import random
import subprocess
import sys
import threading

import emu_http

ERR_PERMISSION = 13
ERR_NOT_FOUND = 196618
ERR_MISSING_ARG = 196640
ERR_RULE_NOT_FOUND = 1114115
ERR_OVERLAP = 1114120


def err(code, description, info):
    return {"error": code, "description": description, "info": info}


def missing(params, names):
    return [err(ERR_MISSING_ARG, "Missing mandatory argument", n) for n in names if n not in params]


def default_state():
    """A Livebox 7 as the S3 captures show it, with nothing exposed."""
    return {
        "user": "admin",
        "password": "admin-password",
        "device_info": {
            "Manufacturer": "Sagemcom", "ManufacturerOUI": "581DD8", "ModelName": "SagemcomFast5694_OFR",
            "Description": "SagemcomFast5694_OFR Sagemcom fr", "ProductClass": "Livebox 7",
            "SerialNumber": "LK00000EMU00001", "HardwareVersion": "SG_LB7_4.0.0",
            "SoftwareVersion": "SG70-fr-G07.R02.C02_18", "RescueVersion": "SG70-fr-G07.R01.C01_06",
            "ModemFirmwareVersion": "", "EnabledOptions": "", "AdditionalHardwareVersion": "",
            "AdditionalSoftwareVersion": "sbl-G7.R2.C2-fr", "SpecVersion": "1.1",
            "ProvisioningCode": "HASH.0000.0000", "UpTime": 1210370, "FirstUseDate": "0001-01-01T00:00:00Z",
            "DeviceLog": "", "VendorConfigFileNumberOfEntries": 1, "ManufacturerURL": "http://www.sagemcom.com/",
            "Country": "fr", "ExternalIPAddress": "11.22.33.44", "DeviceStatus": "Up", "NumberOfReboots": 11,
            "UpgradeOccurred": False, "ResetOccurred": False, "RestoreOccurred": False,
            "StandbyOccurred": False, "X_SOFTATHOME-COM_AdditionalSoftwareVersions": "",
            "BaseMAC": "F8:87:C6:00:00:01",
        },
        "wan_status": {
            "WanState": "up", "LinkType": "gpon", "LinkState": "up", "GponState": "O5_Operation",
            "MACAddress": "F8:87:C6:00:00:02", "Protocol": "dhcp", "ConnectionState": "Bound",
            "LastConnectionError": "None", "IPAddress": "11.22.33.44", "RemoteGateway": "11.22.33.1",
            "DNSServers": "80.10.246.132,81.253.149.2,2a01:cfc4:2180:4000::1",
            "IPv6Address": "2001:db8:ff::2", "IPv6DelegatedPrefix": "2001:db8:77::/56",
            "ConnectionStateIPv6": "Bound", "LastConnectionErrorIPv6": "", "RemoteGatewayIPv6": "fe80::ba0:bab",
        },
        "nmc": {
            "WanModeList": "Ethernet_PPP;Ethernet_DHCP;GPON_DHCP;GPON_PPP", "WanMode": "GPON_DHCP",
            "Username": "fti/emulated", "FactoryResetScheduled": False, "ConnectionError": False,
            "DefaultsLoaded": True, "ProvisioningState": "done", "OfferType": "Res", "IPTVMode": "Internet",
        },
        "port_forwards": {},
        "protocol_forwards": {},
        "dmz": {},
        "pinholes": {},
        "upnp_igd": {
            "Enable": True, "WANAccessProvider": "Orange Livebox", "ModelNumber": "4+",
            "ModelName": "Residential Livebox (GPON, WAN Ethernet)", "FriendlyName": "Orange Livebox",
            "AllowedHostHeader": "lan, lan.home, livebox, livebox.home, installation, installation.home, "
                                 "liveboxipv4, liveboxipv4.home, liveboxipv6, liveboxipv6.home, HGW.local, LIVEBOX.local",
            "AlwaysStartIgdDaemon": False, "TR064ServiceURL": "",
        },
        "firewall": {"level": "Medium", "ipv6_level": "Medium",
                     "respond_to_ping": {"enableIPv4": False, "enableIPv6": False}},
        "remote_access": {
            "SourcePrefix": "", "SourcePrefixNonEmpty": False, "PortMode": "RANDOM", "AllowedPorts": "",
            "Port": 0, "SupportedProtocols": "HTTPS", "Protocol": "HTTPS", "Timeout": 0, "TimeLeft": 0,
            "Interface": "data", "EnableTime": "0001-01-01T00:00:00Z", "DisabledAtStartup": False,
            "ForcePortFailure": 0, "EmulateHTTPService": False, "Enable": False,
            "SSLPrivateKeyPassword": "emulated-secret",
        },
        "orange_remote_access": {"Enable": True, "Activate": True, "Status": False},
        "wifi": {"Enable": True, "Status": True, "ConfigurationMode": True, "WPSMode": "Enrollee",
                 "PairingStatus": "Idle", "PINCode": "12345670"},
        "wlanvap": {
            "vap2g0priv0": {"VAPStatus": "Up", "SSID": "Livebox-EMU", "SSIDAdvertisementEnabled": True,
                            "Security": {"ModeEnabled": "WPA2-Personal", "KeyPassPhrase": "emulated-wifi-key"},
                            "WPS": {"Enable": True, "ConfigMethodsEnabled": "PushButton,Label,Ethernet"}},
        },
        "missing_methods": [],
    }


def port_range(text):
    text = str(text or "")
    a, _, b = text.partition("-")
    try:
        lo = int(a)
        hi = int(b) if b else lo
    except ValueError:
        return None
    return (lo, hi)


def protocols(text):
    return {p.strip() for p in str(text or "").split(",") if p.strip()}


class LiveboxModel(emu_http.PersistedState):
    """Thread-safe state plus every emulated method. `on_change(state)` runs after a change."""

    def __init__(self, state, state_path=None, on_change=None, upnp_set_form="both", log=None, igd=None,
                 igd6=None):
        self.state = state
        self.igd = igd  # a livebox_igd.IgdMirror: its mappings are the Origin "upnp" rules
        self.igd6 = igd6  # a livebox_upnp6.Upnp6Mirror: its pinholes are the Origin "upnp" pinholes
        self.state_path = state_path
        self.on_change = on_change
        self.upnp_set_form = upnp_set_form
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.alerts = []  # loud events: origin-only bulk deletes
        self.lock = threading.RLock()
        self.methods = {
            ("DeviceInfo", "get"): self.device_info,
            ("NMC", "getWANStatus"): lambda p: (True, self.state["wan_status"], []),
            ("NMC", "get"): lambda p: (self.state["nmc"], None, []),
            ("NMC", "getRemoteAccess"): self.nmc_remote_access,
            ("NMC.Wifi", "get"): lambda p: (self.state["wifi"], None, []),
            ("NeMo.Intf.lan", "getMIBs"): lambda p: ({"wlanvap": self.state["wlanvap"]}, None, []),
            ("OrangeRemoteAccess", "get"): lambda p: (self.state["orange_remote_access"], None, []),
            ("UserInterface", "getState"): lambda p: ("connected", None, []),
            ("Firewall", "getPortForwarding"): self.get_forwards,
            ("Firewall", "setPortForwarding"): self.set_forward,
            ("Firewall", "deletePortForwarding"): self.delete_forward,
            ("Firewall", "enablePortForwarding"): self.enable_forward,
            ("Firewall", "commit"): lambda p: (True, None, []),
            ("Firewall", "getProtocolForwarding"): lambda p: (self.state["protocol_forwards"], None, []),
            ("Firewall", "deleteProtocolForwarding"): self.delete_protocol_forward,
            ("Firewall", "getDMZ"): self.get_dmz,
            ("Firewall", "setDMZ"): self.set_dmz,
            ("Firewall", "deleteDMZ"): self.delete_dmz,
            ("Firewall", "getPinhole"): self.get_pinholes,
            ("Firewall", "setPinhole"): self.set_pinhole,
            ("Firewall", "deletePinhole"): self.delete_pinhole,
            ("Firewall", "getFirewallLevel"): lambda p: (self.state["firewall"]["level"], None, []),
            ("Firewall", "getFirewallIPv6Level"): lambda p: (self.state["firewall"]["ipv6_level"], None, []),
            ("Firewall", "setFirewallLevel"): lambda p: self.set_level("level", p),
            ("Firewall", "setFirewallIPv6Level"): lambda p: self.set_level("ipv6_level", p),
            ("Firewall", "getRespondToPing"): lambda p: (self.state["firewall"]["respond_to_ping"], None, []),
            ("UPnP-IGD", "get"): lambda p: (self.state["upnp_igd"], None, []),
            ("UPnP-IGD", "set"): self.set_upnp,
            ("RemoteAccess", "get"): lambda p: (self.state["remote_access"], None, []),
            ("RemoteAccess", "enable"): self.enable_remote,
            ("RemoteAccess", "disable"): self.disable_remote,
            ("RemoteAccess", "set"): self.set_remote,
        }

    # -- dispatch ------------------------------------------------------------------------
    def invoke(self, service, method, params):
        """Returns (status, data, errors). Unknown methods answer 196618 like LB3 does."""
        with self.lock:
            fn = self.methods.get((service, method))
            if fn is None or "%s:%s" % (service, method) in self.state.get("missing_methods", []):
                return None, None, [err(ERR_NOT_FOUND, "Object or parameter not found", method)]
            try:
                return fn(params if isinstance(params, dict) else {})
            except (OSError, ValueError, subprocess.SubprocessError) as e:  # the IGD behind a mirrored rule failed
                return None, None, [err(1, "Function execution failed", str(e))]

    def device_info(self, params, authenticated=True):
        info = dict(self.state["device_info"])
        return info, None, []

    # -- port forwards -------------------------------------------------------------------
    def all_forwards(self):
        """Stored rules plus, with an IGD mirror, the mappings the box's IGD holds."""
        rules = dict(self.state["port_forwards"])
        if self.igd is not None:
            rules.update(self.igd.rules())
        return rules

    def get_forwards(self, p):
        rules = self.all_forwards()
        origin, rid = p.get("origin"), p.get("id")
        out = {}
        for key, rule in rules.items():
            if origin and rule["Origin"] != origin:
                continue
            if rid and key not in (rid, "%s_%s" % (origin, rid)):
                continue
            out[key] = rule
        return out, None, []

    def find_overlap(self, rid, iface, protos, ext):
        for key, rule in self.all_forwards().items():
            if key == rid or rule["SourceInterface"] != iface or not (protocols(rule["Protocol"]) & protos):
                continue
            other = port_range(rule["ExternalPort"])
            if other and other[0] <= ext[1] and ext[0] <= other[1]:
                return key, other
        return None

    def set_forward(self, p):
        errors = missing(p, ["origin", "sourceInterface", "internalPort", "destinationIPAddress", "protocol"])
        if errors:
            return None, None, errors
        origin = p["origin"]
        name = p.get("id") or p.get("description") or str(random.randint(1000, 9999))
        rid = name if name.startswith(origin + "_") else "%s_%s" % (origin, name)
        ext_text = p.get("externalPort") or p["internalPort"]
        ext = port_range(ext_text)
        if ext is None or port_range(p["internalPort"]) is None:
            return None, None, [err(ERR_NOT_FOUND, "Invalid port", "externalPort")]
        clash = self.find_overlap(rid, p["sourceInterface"], protocols(p["protocol"]), ext)
        if clash:
            info = "Port overlap detected: port[%d-%d] name[%s]" % (clash[1][0], clash[1][1], clash[0])
            return None, None, [err(ERR_OVERLAP, "Overlapping rule", info)]
        old = self.state["port_forwards"].get(rid, {})
        enable = bool(p.get("enable", True))
        rule = {
            "Id": rid, "Origin": origin, "Description": p.get("description", ""),
            "Status": "Enabled" if enable else "Disabled", "SourceInterface": p["sourceInterface"],
            "Protocol": p["protocol"], "ExternalPort": ext_text, "InternalPort": p["internalPort"],
            "SourcePrefix": p.get("sourcePrefix", ""), "DestinationIPAddress": p["destinationIPAddress"],
            "DestinationMACAddress": p.get("destinationMACAddress", ""),
            "LeaseDuration": int(p.get("leaseDuration", 0)), "HairpinNAT": old.get("HairpinNAT", True),
            "SymmetricSNAT": old.get("SymmetricSNAT", False), "UPnPV1Compat": bool(p.get("upnpv1Compat", False)),
            "Enable": enable,
        }
        if origin == "upnp" and self.igd is not None:
            if rid in self.all_forwards():
                self.igd.delete(self.all_forwards()[rid])
            self.igd.add(rule)  # the IGD holds it; its listing gives it back
        else:
            self.state["port_forwards"][rid] = rule
            self.changed()
        shown = dict(rule, ExternalPortEndRange=0)
        return rid, {"sourcePort": "", "rule": shown}, []

    def delete_forward(self, p):
        errors = missing(p, ["origin"])
        if errors:
            return None, None, errors
        origin, rid, dest = p["origin"], p.get("id"), p.get("destinationIPAddress")
        rules = self.all_forwards()
        if not rid:
            # The real box's quirk: an origin without an id deletes every rule of that origin.
            gone = [k for k, r in rules.items()
                    if r["Origin"] == origin and (not dest or r["DestinationIPAddress"] == dest)]
            for k in gone:
                self.remove_rule(k, rules[k])
            alert = "ORIGIN-ONLY BULK DELETE: deletePortForwarding origin=%s without id deleted %d rule(s): %s" % (
                origin, len(gone), ", ".join(gone))
            self.alerts.append(alert)
            self.log("!!!!!!!! " + alert)
            self.changed()
            return True, None, []
        key = rid if rid in rules else "%s_%s" % (origin, rid)
        rule = rules.get(key)
        if rule is None or rule["Origin"] != origin or (dest and rule["DestinationIPAddress"] != dest):
            return None, None, [err(ERR_RULE_NOT_FOUND, "Object not found", rid)]
        self.remove_rule(key, rule)
        self.changed()
        return True, None, []

    def remove_rule(self, key, rule):
        if key in self.state["port_forwards"]:
            del self.state["port_forwards"][key]
        elif self.igd is not None:
            self.igd.delete(rule)

    def enable_forward(self, p):
        errors = missing(p, ["id", "origin", "enable"])
        if errors:
            return None, None, errors
        rules = self.state["port_forwards"]
        key = p["id"] if p["id"] in rules else "%s_%s" % (p["origin"], p["id"])
        if key not in rules or rules[key]["Origin"] != p["origin"]:
            return None, None, [err(ERR_RULE_NOT_FOUND, "Object not found", p["id"])]
        rules[key]["Enable"] = bool(p["enable"])
        rules[key]["Status"] = "Enabled" if p["enable"] else "Disabled"
        self.changed()
        return None, None, []

    def delete_protocol_forward(self, p):
        errors = missing(p, ["id"])
        if errors:
            return None, None, errors
        if self.state["protocol_forwards"].pop(p["id"], None) is None:
            return None, None, [err(ERR_RULE_NOT_FOUND, "Object not found", p["id"])]
        self.changed()
        return True, None, []

    # -- DMZ --------------------------------------------------------------------------------
    def get_dmz(self, p):
        dmz = self.state["dmz"]
        if p.get("id"):
            return ({p["id"]: dmz[p["id"]]} if p["id"] in dmz else {}), None, []
        return dmz, None, []

    def set_dmz(self, p):
        errors = missing(p, ["sourceInterface", "destinationIPAddress", "enable"])
        if errors:
            return None, None, errors
        did = p.get("id") or "webui"
        enable = bool(p["enable"])
        self.state["dmz"][did] = {"SourceInterface": p["sourceInterface"],
                                  "DestinationIPAddress": p["destinationIPAddress"],
                                  "SourcePrefix": p.get("sourcePrefix", ""),
                                  "Status": "Enabled" if enable else "Disabled", "Enable": enable}
        self.changed()
        return did, None, []

    def delete_dmz(self, p):
        errors = missing(p, ["id"])
        if errors:
            return None, None, errors
        if self.state["dmz"].pop(p["id"], None) is None:
            return None, None, [err(ERR_NOT_FOUND, "Object or parameter not found", p["id"])]
        self.changed()
        return True, None, []

    # -- IPv6 pinholes (livebox.md 6.5) ---------------------------------------------------------
    def all_pinholes(self):
        """Stored pinholes plus, with an IPv6 IGD mirror, the pinholes the box's IGD opened."""
        holes = dict(self.state["pinholes"])
        if self.igd6 is not None:
            holes.update(self.igd6.rules())
        return holes

    @staticmethod
    def shown(hole):
        return {k: v for k, v in hole.items() if not k.startswith("_")}

    def find_pinhole(self, holes, origin, rid):
        key = rid if rid in holes else "%s_%s" % (origin, rid)
        hole = holes.get(key)
        if hole is None or hole.get("Origin") != origin:
            return None, None
        return key, hole

    def get_pinholes(self, p):
        origin, rid = p.get("origin"), p.get("id")
        out = {}
        for key, hole in self.all_pinholes().items():
            if origin and hole.get("Origin") != origin:
                continue
            if rid and key not in (rid, "%s_%s" % (origin, rid)):
                continue
            out[key] = self.shown(hole)
        return out, None, []

    def set_pinhole(self, p):
        errors = missing(p, ["origin", "sourceInterface", "destinationIPAddress", "protocol"])
        if errors:
            return None, None, errors
        origin = p["origin"]
        try:
            dest = str(ipaddress.IPv6Address(str(p["destinationIPAddress"])))
        except ValueError:
            return None, None, [err(ERR_NOT_FOUND, "Invalid value", "destinationIPAddress")]
        port = str(p.get("destinationPort") or "")
        if port and port_range(port) is None:
            return None, None, [err(ERR_NOT_FOUND, "Invalid port", "destinationPort")]
        if not protocols(p["protocol"]) <= {"6", "17"}:
            return None, None, [err(ERR_NOT_FOUND, "Invalid value", "protocol")]
        name = p.get("id") or p.get("description") or str(random.randint(1000, 9999))
        rid = name if name.startswith(origin + "_") else "%s_%s" % (origin, name)
        enable = bool(p.get("enable", True))
        self.state["pinholes"][rid] = {
            "Id": rid, "Origin": origin, "Description": p.get("description", ""),
            "Status": "Enabled" if enable else "Disabled", "SourceInterface": p["sourceInterface"],
            "Protocol": p["protocol"], "IPVersion": int(p.get("ipversion", 6)),
            "SourcePort": p.get("sourcePort", ""), "DestinationPort": port,
            "SourcePrefix": p.get("sourcePrefix", ""), "DestinationIPAddress": dest,
            "DestinationMACAddress": p.get("destinationMACAddress", ""), "Enable": enable,
        }
        self.changed()
        return rid, None, []

    def delete_pinhole(self, p):
        errors = missing(p, ["origin"])
        if errors:
            return None, None, errors
        origin, rid = p["origin"], p.get("id")
        holes = self.all_pinholes()
        if not rid:
            # Probably the real box's quirk, as with deletePortForwarding: every pinhole of the origin.
            gone = [k for k, v in holes.items() if v.get("Origin") == origin]
            for k in gone:
                self.remove_pinhole(k, holes[k])
            alert = "ORIGIN-ONLY BULK DELETE: deletePinhole origin=%s without id deleted %d pinhole(s): %s" % (
                origin, len(gone), ", ".join(gone))
            self.alerts.append(alert)
            self.log("!!!!!!!! " + alert)
            self.changed()
            return True, None, []
        key, hole = self.find_pinhole(holes, origin, rid)
        if hole is None:
            return None, None, [err(ERR_RULE_NOT_FOUND, "Object not found", rid)]
        self.remove_pinhole(key, hole)
        self.changed()
        return True, None, []

    def remove_pinhole(self, key, hole):
        if key in self.state["pinholes"]:
            del self.state["pinholes"][key]
        elif self.igd6 is not None:
            self.igd6.delete(hole)

    # -- firewall levels (livebox.md 6.3: High, Medium (the factory default), Low, Custom) ------
    def set_level(self, key, p):
        errors = missing(p, ["level"])
        if errors:
            return None, None, errors
        if p["level"] not in ("High", "Medium", "Low", "Custom"):
            return None, None, [err(ERR_NOT_FOUND, "Invalid value", "level")]
        self.state["firewall"][key] = p["level"]
        self.changed()
        return True, None, []

    # -- UPnP IGD and remote access --------------------------------------------------------
    def set_upnp(self, p):
        nested = isinstance(p.get("parameters"), dict)
        values = p["parameters"] if nested else p
        form = "nested" if nested else "flat"
        if self.upnp_set_form in ("both", form) and "Enable" in values:
            self.state["upnp_igd"]["Enable"] = bool(values["Enable"])
            self.changed()
        # A form this firmware ignores still answers true: only a re-read tells.
        return True, None, []

    def nmc_remote_access(self, p):
        ra = self.state["remote_access"]
        return {"username": "", "timeout": ra["Timeout"], "timeleft": ra["TimeLeft"], "port": ra["Port"],
                "sourcePrefix": ra.get("SourcePrefix", ""), "enable": ra["Enable"]}, None, []

    def enable_remote(self, p):
        ra = self.state["remote_access"]
        port = int(p.get("port") or ra["Port"] or random.randint(40000, 49999))
        ra.update({"Enable": True, "Port": port, "Protocol": "HTTPS" if p.get("secure", True) else "HTTP",
                   "Timeout": int(p.get("timeout", 0)), "TimeLeft": int(p.get("timeout", 0)),
                   "SourcePrefix": p.get("sourcePrefix", ""),
                   "SourcePrefixNonEmpty": bool(p.get("sourcePrefix"))})
        self.changed()
        return port, None, []

    def disable_remote(self, p):
        ra = self.state["remote_access"]
        ra["Enable"] = False
        ra["TimeLeft"] = 0  # the port and limits stay, as on real boxes
        self.changed()
        return True, None, []

    def set_remote(self, p):
        values = p["parameters"] if isinstance(p.get("parameters"), dict) else p
        if "Enable" in values:
            self.state["remote_access"]["Enable"] = bool(values["Enable"])
            self.changed()
        return True, None, []


def load_state(scenario_path=None, state_path=None):
    """The persisted state when it exists (a reboot), else defaults overlaid by the scenario."""
    return emu_http.load_state(scenario_path, state_path, default_state, apply_scenario, "livebox_emulator")


def apply_scenario(state, scenario):
    for key, value in scenario.items():
        if isinstance(state[key], dict) and key in ("device_info", "wan_status", "upnp_igd", "firewall",
                                                    "remote_access", "nmc", "wifi"):
            state[key].update(value)
        else:
            state[key] = value
