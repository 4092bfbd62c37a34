"""Freebox OS app authorization and sessions, as the box does them (freebox.md section 4).

  POST login/authorize/        a new app: app_token (64 chars, secret) + track_id, status pending
  GET  login/authorize/{id}    pending until the test decides (decide(), or --auto-grant after N
                               polls): granted|denied|timeout; unknown once the token is revoked
  GET  login/                  a fresh challenge (it replaces the previous one)
  POST login/session/          password == hex(HMAC-SHA1(app_token, last challenge)): the
                               challenge is used up by any attempt, good or bad; the session
                               keeps the app's permissions as they were when it was opened
  X-Fbx-App-Auth               checked on every other call: auth_required when missing,
                               unknown or expired (expire_all() drops every session)
  ratelimited                  after `max_bad` bad logins in a row, for `ratelimit_seconds`

The apps live in the model's state (state["apps"]: the box keeps its tokens across reboots);
sessions and challenges live in memory only (a reboot drops them).
"""

import base64
import hashlib
import hmac
import secrets
import threading
import time

import freebox_common
import freebox_model
from freebox_common import ApiError

PERMISSION_DESC = {k: v["desc"] for k, v in freebox_common.result("fbxcli_login_perms.json").items()}


def new_challenge():
    return base64.b64encode(secrets.token_bytes(24)).decode()


def password_for(app_token, challenge):
    return hmac.new(app_token.encode(), challenge.encode(), hashlib.sha1).hexdigest()


class Auth:
    def __init__(self, model, auto_grant=None, max_bad=5, ratelimit_seconds=60.0, session_idle=1800.0):
        self.model = model
        self.auto_grant = auto_grant  # grant after this many pending polls (None: never)
        self.max_bad, self.ratelimit_seconds, self.session_idle = max_bad, ratelimit_seconds, session_idle
        self.issued = {"challenges": [], "session_tokens": [], "passwords": []}  # for secrets tests
        self.challenge = new_challenge()
        self.sessions = {}  # session token -> {"app_token", "permissions", "last"}
        self.bad = 0
        self.limited_until = 0.0
        self.polls = {}  # track_id -> pending polls answered
        self.lock = threading.Lock()

    @property
    def uid(self):
        return self.model.state["api_version"]["uid"]

    def fresh_challenge(self):
        self.challenge = new_challenge()
        self.remember("challenges", self.challenge)
        return self.challenge

    def remember(self, kind, value):
        """Every secret handed out or received, so that a test can look for it in outputs."""
        self.issued[kind] = self.issued[kind][-999:] + [value]

    def secrets(self):
        with self.lock:
            out = {k: list(v) for k, v in self.issued.items()}
        out["app_tokens"] = [a["app_token"] for a in self.model.state["apps"]]
        return out

    def app_by_track(self, track_id):
        for app in self.model.state["apps"]:
            if str(app["track_id"]) == str(track_id):
                return app
        return None

    # -- pairing -----------------------------------------------------------------------------------
    def authorize(self, body, client_ip):
        fields = ("app_id", "app_name", "app_version", "device_name")
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) and body[k] for k in fields):
            raise ApiError("inval", "Paramètres invalides", http=400)
        if not self.model.state["connection_config"]["allow_token_request"]:
            raise ApiError("new_apps_denied", "Les nouvelles demandes d'autorisation sont désactivées", http=403)
        with self.model.lock:
            token = base64.b64encode(secrets.token_bytes(48)).decode()  # 64 characters
            app = freebox_model.new_app(self.model.state, dict({k: body[k] for k in fields}, app_token=token,
                                                              status="pending", req_ip=client_ip,
                                                              req_date=int(time.time())))
            self.model.state["apps"].append(app)
            self.model.changed()
        return {"app_token": token, "track_id": app["track_id"]}

    def track(self, track_id):
        with self.model.lock:
            app = self.app_by_track(track_id)
            status = "unknown" if app is None or app["status"] == "revoked" else app["status"]
            if status == "pending" and self.auto_grant is not None:
                n = self.polls.get(app["track_id"], 0)
                if n >= self.auto_grant:
                    status = app["status"] = "granted"
                    self.model.changed()
                else:
                    self.polls[app["track_id"]] = n + 1
        with self.lock:
            return {"status": status, "challenge": self.fresh_challenge()}

    def decide(self, decision, track_id=None):
        """The person at the box: every pending request (or `track_id`'s) gets `decision`."""
        if decision not in ("granted", "denied", "timeout"):
            raise ValueError("decision must be granted, denied or timeout")
        done = 0
        with self.model.lock:
            for app in self.model.state["apps"]:
                if app["status"] == "pending" and track_id in (None, app["track_id"]):
                    app["status"] = decision
                    done += 1
            self.model.changed()
        return done

    def revoke(self, app_id):
        with self.model.lock:
            tokens = set()
            for app in self.model.state["apps"]:
                if app["app_id"] == app_id:
                    app["status"] = "revoked"
                    tokens.add(app["app_token"])
            self.model.changed()
        with self.lock:
            self.sessions = {k: s for k, s in self.sessions.items() if s["app_token"] not in tokens}
        return len(tokens)

    def set_permissions(self, app_id, permissions):
        """Changes what an app may do; open sessions keep what they had (the box does)."""
        with self.model.lock:
            n = 0
            for app in self.model.state["apps"]:
                if app["app_id"] == app_id:
                    app["permissions"].update({k: bool(v) for k, v in permissions.items()})
                    n += 1
            self.model.changed()
        return n

    # -- sessions ------------------------------------------------------------------------------------
    def login_status(self, session_token):
        with self.lock:
            return {"logged_in": self.session(session_token) is not None, "challenge": self.fresh_challenge()}

    def refusal(self, code, msg):
        return ApiError(code, msg, http=403, extra={"uid": self.uid, "result": {"challenge": self.challenge}})

    def open_session(self, body):
        now = time.time()
        with self.lock:
            if now < self.limited_until:
                raise ApiError("ratelimited", "Trop de tentatives d'authentification", http=403)
            challenge = self.challenge
            self.fresh_challenge()  # one use, good or bad
            app_id = body.get("app_id") if isinstance(body, dict) else None
            password = body.get("password") if isinstance(body, dict) else None
            if isinstance(password, str):
                self.remember("passwords", password)
            apps = [a for a in self.model.state["apps"] if a["app_id"] == app_id]
            match = None
            if isinstance(password, str):
                for app in apps:
                    if hmac.compare_digest(password_for(app["app_token"], challenge), password):
                        match = app
                        break
            if match is None or match["status"] != "granted":
                self.bad += 1
                if self.bad >= self.max_bad:
                    self.bad = 0
                    self.limited_until = now + self.ratelimit_seconds
                if match is not None and match["status"] == "pending":
                    raise self.refusal("pending_token", "L'application n'a pas encore été validée")
                raise self.refusal("invalid_token", "Erreur d'authentification de l'application")
            self.bad = 0
            token = base64.b64encode(secrets.token_bytes(36)).decode()
            perms = {k: bool(match["permissions"].get(k, False)) for k in PERMISSION_DESC}
            self.remember("session_tokens", token)
            self.sessions[token] = {"app_token": match["app_token"], "permissions": perms, "last": now}
        with self.model.lock:
            match["last_session"] = int(now)
            self.model.changed()
        return {"session_token": token, "challenge": self.challenge, "permissions": perms}

    def session(self, token):
        """The live session for `token` (lock held by the caller), or None."""
        s = self.sessions.get(token or "")
        if s is None:
            return None
        now = time.time()
        if now - s["last"] > self.session_idle:
            del self.sessions[token]
            return None
        s["last"] = now
        return s

    def check(self, token):
        with self.lock:
            s = self.session(token)
            if s is None:
                raise ApiError("auth_required", "Vous devez vous connecter pour accéder à cette fonction",
                               http=403, extra={"uid": self.uid})
            return dict(s)

    def logout(self, token):
        with self.lock:
            self.sessions.pop(token or "", None)

    def expire_all(self):
        with self.lock:
            self.sessions.clear()

    def perms(self, session):
        return {k: {"granted": session["permissions"].get(k, False), "desc": d} for k, d in PERMISSION_DESC.items()}

    def authorizations(self):
        out = []
        for app in self.model.state["apps"]:
            if app["status"] not in ("granted", "pending"):
                continue
            out.append({"app_name": app["app_name"], "id": app["track_id"], "app_version": app["app_version"],
                        "device_name": app["device_name"], "last_session": app["last_session"],
                        "req_ip": app["req_ip"], "req_date": app["req_date"],
                        "permissions": {k: bool(app["permissions"].get(k, False)) for k in PERMISSION_DESC},
                        "app_id": app["app_id"], "token_validity": app["status"]})
        return out or None
