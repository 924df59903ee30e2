"""`SandboxProcess`: run the sandbox as a real subprocess on a free port, for tests, demos and benchmarks.

    with SandboxProcess(seed=7, contacts=60) as sb:
        creds = sb.credentials          # the credentials file, as a dict
        requests.get(sb.base_url + "/contacts/", ...)
        sb.dump(); sb.stats(); sb.reset(); sb.set_faults(fault_500=0.2); sb.mutate(update=5)
        sb.oauth_code(user_type="Company"); sb.set_installed(location_id, False)

Keyword arguments are CLI knobs with underscores (`rate_limit_burst=10`, `no_rate_limit=True`,
`fault_500=0.1`, `fault_route=["POST /contacts/upsert"]`, ...).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import requests

_FLAGS = {"allow_duplicates", "no_rate_limit", "allow_remote", "fault_oauth", "no_seed_cache"}


def cli_args(**kwargs) -> list[str]:
    args: list[str] = []
    for k, v in kwargs.items():
        if v is None or v is False:
            continue
        flag = "--" + k.replace("_", "-")
        if k in _FLAGS or v is True:
            args.append(flag)
        elif isinstance(v, (list, tuple)):
            for item in v:
                args += [flag, str(item)]
        else:
            args += [flag, str(v)]
    return args


class SandboxError(RuntimeError):
    pass


class SandboxProcess:
    def __init__(self, *, seed: int = 1, contacts: int = 60, startup_timeout: float | None = None,
                 host: str = "127.0.0.1", port: int = 0, env: dict | None = None, **knobs):
        self.seed = seed
        self.contacts = contacts
        self.host = host
        self.port = port
        self.knobs = knobs
        self.env = env
        per_loc = contacts * int(knobs.get("locations", 1) or 1)
        self.startup_timeout = startup_timeout or (60.0 + per_loc / 1500.0)
        self.proc: subprocess.Popen | None = None
        self.credentials: dict = {}
        self._dir: str | None = None
        self._log = None
        self.session = requests.Session()

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.credentials["base_url"]

    @property
    def location_id(self) -> str:
        return self.credentials["location_id"]

    @property
    def log_path(self) -> str | None:
        return os.path.join(self._dir, "sandbox.log") if self._dir else None

    def command(self, credentials_out: str) -> list[str]:
        return [sys.executable, "-m", "ghl_sandbox", "serve", "--host", self.host, "--port", str(self.port),
                "--seed", str(self.seed), "--contacts", str(self.contacts), "--credentials-out",
                credentials_out] + cli_args(**self.knobs)

    def start(self) -> "SandboxProcess":
        self._dir = tempfile.mkdtemp(prefix="ghl-sandbox-")
        creds_path = os.path.join(self._dir, "credentials.json")
        self._log = open(self.log_path, "wb")
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.proc = subprocess.Popen(self.command(creds_path), stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + self.startup_timeout
        while not os.path.exists(creds_path):
            if self.proc.poll() is not None:
                raise SandboxError(f"sandbox exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError(f"sandbox did not start within {self.startup_timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(0.02)
        with open(creds_path) as f:
            self.credentials = json.load(f)
        return self

    def log_tail(self, n: int = 4000) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def stop(self) -> None:
        p = self.proc
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        self.proc = None
        self.session.close()
        if self._log:
            self._log.close()
            self._log = None
        if self._dir and not os.environ.get("GHL_SANDBOX_KEEP_LOGS"):
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> "SandboxProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- admin helpers ----------------------------------------------------------------------------
    def _admin(self, method: str, path: str, **kw):
        r = self.session.request(method, self.base_url + "/_sandbox" + path, timeout=300, **kw)
        if r.status_code >= 400:
            raise SandboxError(f"{method} /_sandbox{path} -> {r.status_code}: {r.text[:500]}")
        return r.json()

    def reset(self) -> dict:
        return self._admin("POST", "/reset")

    def dump(self, location_id: str | None = None) -> dict:
        return self._admin("GET", "/dump", params={"locationId": location_id} if location_id else None)

    def stats(self) -> dict:
        return self._admin("GET", "/stats")

    def reset_stats(self) -> dict:
        return self._admin("POST", "/stats/reset")

    def set_faults(self, **kw) -> dict:
        return self._admin("POST", "/faults", json=kw)

    def faults(self) -> dict:
        return self._admin("GET", "/faults")

    def mutate(self, location_id: str | None = None, **kw) -> dict:
        body = dict(kw)
        if location_id:
            body["locationId"] = location_id
        return self._admin("POST", "/mutate", json=body)

    def register_webhook(self, url: str, *, rsa: bool = False, location_id: str | None = None, **knobs) -> dict:
        """Deliver this sandbox's webhook events to `url` (knobs: retry_scale, timeout_seconds)."""
        body = dict(knobs, url=url, rsa=rsa)
        if location_id:
            body["locationId"] = location_id
        return self._admin("POST", "/webhooks", json=body)

    def unregister_webhook(self, receiver_id: str) -> dict:
        return self._admin("DELETE", f"/webhooks/{receiver_id}")

    def webhooks(self) -> dict:
        return self._admin("GET", "/webhooks")

    def webhook_keys(self) -> dict:
        return self._admin("GET", "/webhooks/keys")

    def mint_token(self, scopes, location_id: str | None = None, app: str | None = None) -> str:
        body = {"scopes": list(scopes), "locationId": location_id or self.location_id}
        if app:
            body["app"] = app
        return self._admin("POST", "/tokens", json=body)["token"]

    def location_settings(self, location_id: str | None = None, *, allow_duplicates: bool | None = None,
                          upsert_match: str | None = None) -> dict:
        body = {"locationId": location_id or self.location_id}
        if allow_duplicates is not None:
            body["allowDuplicates"] = allow_duplicates
        if upsert_match is not None:
            body["upsertMatch"] = upsert_match
        return self._admin("POST", "/location-settings", json=body)

    def oauth_code(self, location_id: str | None = None, user_type: str = "Location") -> str:
        """A single-use authorization code: for a location (default the first), or the agency
        (`user_type="Company"`)."""
        body = {"userType": user_type, "locationId": location_id or self.location_id}
        return self._admin("POST", "/oauth/code", json=body)["code"]

    def set_installed(self, location_id: str, installed: bool) -> dict:
        """Install or uninstall the Marketplace app on one location (uninstalling revokes its tokens)."""
        return self._admin("POST", "/installs", json={"locationId": location_id, "installed": installed})

    def installs(self) -> dict:
        return self._admin("GET", "/installs")["installs"]

    def health(self) -> dict:
        return self._admin("GET", "/health")

    # -- convenience for GHL calls ----------------------------------------------------------------
    def headers(self, token: str | None = None, version: str = "2021-07-28") -> dict:
        tok = token or self.credentials["private_integration_tokens"]["readwrite"]
        return {"Authorization": f"Bearer {tok}", "Version": version, "Accept": "application/json"}

    def create_custom_field(self, name: str, data_type: str, location_id: str | None = None) -> dict:
        """A contact custom field of a location (default the first), created through GHL's own route with a
        token holding the write scope; its definition as GHL answers it."""
        location = location_id or self.location_id
        token = self.mint_token(["locations/customFields.write"], location_id=location)
        r = self.session.post(f"{self.base_url}/locations/{location}/customFields", timeout=30,
                              json={"name": name, "dataType": data_type, "model": "contact"}, headers=self.headers(token))
        if r.status_code != 201:
            raise SandboxError(f"POST /locations/{{locationId}}/customFields -> {r.status_code}: {r.text[:500]}")
        return r.json()["customField"]
