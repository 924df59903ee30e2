"""In-process helpers: build the sandbox ASGI app and call it without a server."""
from __future__ import annotations

import asyncio
import json as _json
from dataclasses import dataclass
from urllib.parse import urlencode

import orjson
import pytest

from ghl_sandbox.app import GhlApp, Sandbox
from ghl_sandbox.config import SandboxConfig


@dataclass
class Resp:
    status_code: int
    headers: dict
    content: bytes

    def json(self):
        return _json.loads(self.content)


class AsgiClient:
    def __init__(self, app: GhlApp):
        self.app = app
        self.sb: Sandbox = app.sb

    def request(self, method: str, path: str, *, headers=None, json=None, data=None, params=None) -> Resp:
        hdrs = [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
        if json is not None:
            body = orjson.dumps(json)
            hdrs.append((b"content-type", b"application/json"))
        elif data is not None:
            body = urlencode(data).encode()
            hdrs.append((b"content-type", b"application/x-www-form-urlencoded"))
        else:
            body = b""
        scope = {"type": "http", "method": method, "path": path,
                 "query_string": urlencode(params or {}).encode(), "headers": hdrs}
        msgs: list = []
        done = False

        async def receive():
            nonlocal done
            if not done:
                done = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)

        async def send(m):
            msgs.append(m)

        asyncio.run(self.app(scope, receive, send))
        start = msgs[0]
        return Resp(start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
                    b"".join(m.get("body", b"") for m in msgs[1:]))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # helpers
    @property
    def loc(self) -> str:
        return self.sb.locations[0]

    def token(self, kind: str = "readwrite") -> str:
        return self.sb.auth.location_pits[self.loc][kind]

    def h(self, token: str | None = None, version: str = "2021-07-28") -> dict:
        return {"Authorization": f"Bearer {token or self.token()}", "Version": version}


def make_client(**cfg) -> AsgiClient:
    cfg.setdefault("seed", 11)
    cfg.setdefault("contacts", 120)
    return AsgiClient(GhlApp(Sandbox(SandboxConfig(**cfg))))


@pytest.fixture(scope="module")
def client() -> AsgiClient:
    c = make_client()
    yield c


@pytest.fixture
def fresh(client) -> AsgiClient:
    client.sb.reset()
    yield client
    client.sb.reset()
