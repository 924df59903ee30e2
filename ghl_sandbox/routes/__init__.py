"""Route table. Each route module registers its handlers with `@route(...)`.

A handler is `async def handler(ctx) -> (status, body)` where body is a dict (serialised with orjson) or
bytes (already JSON). It may raise `errors.ApiError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Awaitable, Callable

from starlette.routing import compile_path

CONTACTS_VERSION = "2021-07-28"
CALENDARS_VERSION = "2021-04-15"


@dataclass
class Route:
    method: str
    path: str
    handler: Callable[..., Awaitable]
    kind: str = "ghl"  # ghl | oauth | admin
    scope: str | None = None
    version: str | None = None
    write: bool = False
    auth_class: str = "Location"  # the token class the route serves: "Location" or "Company" (agency)

    def __post_init__(self):
        self.regex, self.path_format, self.convertors = compile_path(self.path)
        self.key = f"{self.method} {self.path}"
        self.static = "{" not in self.path


ROUTES: list[Route] = []


def route(method: str, path: str, *, kind: str = "ghl", scope: str | None = None, version: str | None = None,
          write: bool | None = None, auth_class: str = "Location"):
    def deco(fn):
        ROUTES.append(Route(method, path, fn, kind=kind, scope=scope, version=version,
                            write=(method != "GET") if write is None else write, auth_class=auth_class))
        return fn
    return deco


class Router:
    def __init__(self, routes: list[Route]):
        self.static: dict[tuple[str, str], Route] = {}
        self.dynamic: dict[str, list[Route]] = {}
        self.caseless = [(r.method, re.compile(r.regex.pattern, re.IGNORECASE)) for r in routes if r.kind == "ghl"]
        for r in routes:
            if r.static:
                self.static[(r.method, r.path)] = r
            else:
                self.dynamic.setdefault(r.method, []).append(r)

    def match(self, method: str, path: str):
        r = self.static.get((method, path))
        if r is not None:
            return r, {}
        for r in self.dynamic.get(method, ()):
            m = r.regex.match(path)
            if m:
                return r, m.groupdict()
        return None, None

    def matches_ignoring_case(self, method: str, path: str) -> bool:
        """GHL paths are literal: a mis-cased path answers 401, not 404 (BEHAVIOUR 1, RocketRide)."""
        return any(m == method and rx.match(path) for m, rx in self.caseless)


def load_all() -> list[Route]:
    from . import admin, appointments, calendars, contacts, locations, notes, oauth, tasks  # noqa: F401
    return ROUTES
