"""What the emulated Freebox's endpoint modules share: the error reply, the captured
fixtures, input validation (freebox_model.py, freebox_vpn.py)."""

import ipaddress
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "freebox"))
VPN_POOL = ("192.168.27.65", "192.168.27.95")


class ApiError(Exception):
    """A `success:false` reply: error_code, French msg, HTTP status (functional errors: 200)."""

    def __init__(self, code, msg, http=200, extra=None):
        super().__init__(code)
        self.code, self.msg, self.http, self.extra = code, msg, http, extra or {}

    def body(self):
        out = {"msg": self.msg, "success": False, "error_code": self.code}
        out.update(self.extra)
        return out


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


def result(name):
    return fixture(name)["result"]


# -- validation ------------------------------------------------------------------------------------
def inval(what):
    return ApiError("inval", "Paramètre invalide: %s" % what)


def want_bool(body, key):
    if not isinstance(body[key], bool):
        raise inval(key)
    return body[key]


def want_port(value, key, lo=1, hi=65535):
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise inval(key)
    return value


def want_password(value):
    if not isinstance(value, str) or not 8 <= len(value) <= 32:
        raise inval("password")
    return value


def want_ipv4(value, key, allow_empty=False):
    if allow_empty and value == "":
        return value
    try:
        return str(ipaddress.IPv4Address(str(value)))
    except ValueError:
        raise inval(key) from None


def in_lan(state, ip):
    lan = ipaddress.IPv4Network(state["lan_config"]["ip"] + "/24", strict=False)
    return ipaddress.IPv4Address(ip) in lan


def lan_prefix(state):
    return str(ipaddress.IPv4Network(state["lan_config"]["ip"] + "/24", strict=False))
