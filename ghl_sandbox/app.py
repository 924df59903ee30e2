"""The sandbox ASGI application (Starlette routing primitives on uvicorn).

Request pipeline for GHL routes, in order:
  route match (unknown path: 404, empty body) -> latency -> bearer token (401) -> rate limit (429)
  -> pre-route fault (429/5xx) -> Version header (a dated version, or `v3`: api_v3.py) -> token class (a
  Company token on a location route: 401; a location token on an agency route: 403) -> scope (401)
  -> spec validation of query and body (422, `spec_validation.py`) -> handler (location 403, checks beyond
  the spec 422, business rules 400) -> post-route fault (stall/drop/truncate).
`x-ratelimit-*` headers go on every GHL response. `/_sandbox/*` admin routes skip all of it and are not
counted in stats.
"""
from __future__ import annotations

import asyncio
import heapq
import logging
import os
import random
import sqlite3
import tempfile
import time
from urllib.parse import parse_qsl

import orjson

from . import api_v3
from .auth import AGENCY_ONLY, AUTH_CLASS_DENIED, INVALID_TOKEN, LOCATION_DENIED, SCOPE_DENIED, Auth, Token
from .config import SandboxConfig
from .errors import ApiError, contact_not_found, unprocessable
from .faults import FAULT_RESPONSES, PRE_KINDS, Faults
from .rate_limit import TOO_MANY, RateLimiter
from .routes import CALENDARS_VERSION, Route, Router, load_all
from .seed import LocationSeed, load_location_seeds, seed_fingerprint, seed_store
from .spec_validation import SpecValidator
from .stats import Stats
from .store import Store
from .util import now_ms
from .webhooks import WebhookSender

log = logging.getLogger("ghl_sandbox")

JSON_CT = (b"content-type", b"application/json; charset=utf-8")
SEED_CACHE_MIN_CONTACTS = 20_000
MISCASED_BODY = b'{"statusCode":401,"message":"Unauthorized"}'


def seed_cache_dir() -> str:
    """Where large seeded databases are cached (GHL_SANDBOX_CACHE_DIR, default under the temp dir)."""
    return os.environ.get("GHL_SANDBOX_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "ghl-sandbox-seed-cache")


_dumps = orjson.dumps


class Sandbox:
    """All state of one sandbox: store, auth, limiter, faults, stats, search-index lag queue."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.initial_config = config.copy()
        t0 = time.time()
        self.store = Store(config.db)
        self.seed_cached = self._seed(config)
        self.store.take_snapshot()
        self.seed_seconds = time.time() - t0
        self.locations = [ls.location_id for ls in self.loc_seeds]
        company_id = self.store.conn.execute("SELECT company_id FROM locations LIMIT 1").fetchone()[0]
        self.auth = Auth(config.seed, self.locations, company_id, config.token_expires_in)
        self.limiter = RateLimiter(config.rate_limit_burst, config.rate_limit_window_seconds,
                                   config.rate_limit_daily, config.rate_limit)
        self.faults = Faults(config.fault_seed if config.fault_seed is not None else config.seed,
                             config.fault_probabilities(), config.stall_seconds, config.latency_ms,
                             config.jitter_ms, config.fault_routes, config.fault_oauth)
        self.stats = Stats(self.limiter.window_seconds)
        self.webhooks = WebhookSender(config.webhook_retry_scale, config.webhook_timeout_seconds, config.seed)
        self.search_lag = config.search_lag_seconds
        self._pending: list = []  # heap of (visible_at, seq, contact_id)
        self._seq = 0
        self.rng = random.Random(f"ghl-sandbox:{config.seed}:runtime")
        self.base_url = ""
        self._users_cache: dict[str, dict[str, dict]] = {}

    # -- lifecycle --------------------------------------------------------------------------------
    def _seed(self, config: SandboxConfig) -> bool:
        """Seed the store, or copy a cached seeded database when one exists. Returns True if cached."""
        total = config.contacts * config.locations
        path = None
        if config.seed_cache and total >= SEED_CACHE_MIN_CONTACTS:
            fp = seed_fingerprint(config.seed, config.contacts, config.locations, config.allow_duplicates,
                                  config.upsert_match)
            path = os.path.join(seed_cache_dir(), f"seed-{fp}.sqlite")
            if os.path.exists(path):
                try:
                    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                    src.backup(self.store.conn)
                    src.close()
                    self.store._load_business_names()
                    self.loc_seeds = load_location_seeds(self.store)
                    return True
                except sqlite3.Error:
                    log.warning("seed cache %s unreadable; seeding", path)
                    self.store.conn.executescript(";".join(
                        f"DELETE FROM {t}" for t in ("locations", "users", "businesses", "custom_fields",
                                                     "calendars", "contacts", "search_index", "tasks", "notes",
                                                     "appointments")))
        self.loc_seeds = seed_store(self.store, config.seed, config.contacts, config.locations,
                                    config.allow_duplicates, config.upsert_match)
        if path:
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                tmp = f"{path}.{os.getpid()}.tmp"
                dst = sqlite3.connect(tmp)
                self.store.conn.backup(dst)
                dst.close()
                os.replace(tmp, path)
            except OSError as e:  # a cache is only an optimisation
                log.warning("could not write seed cache %s: %s", path, e)
        return False

    def reset(self) -> None:
        cfg = self.initial_config
        self.config = cfg.copy()
        self.store.restore_snapshot()
        self.loc_seeds = load_location_seeds(self.store)
        self._pending.clear()
        self.rng = random.Random(f"ghl-sandbox:{cfg.seed}:runtime")
        self.limiter = RateLimiter(cfg.rate_limit_burst, cfg.rate_limit_window_seconds, cfg.rate_limit_daily,
                                   cfg.rate_limit)
        self.faults = Faults(cfg.fault_seed if cfg.fault_seed is not None else cfg.seed,
                             cfg.fault_probabilities(), cfg.stall_seconds, cfg.latency_ms, cfg.jitter_ms,
                             cfg.fault_routes, cfg.fault_oauth)
        self.search_lag = cfg.search_lag_seconds
        self.auth.token_expires_in = cfg.token_expires_in
        self.auth.reset()
        self.stats.window_seconds = self.limiter.window_seconds
        self.stats.reset()
        self.webhooks.reset()
        self.webhooks.retry_scale = cfg.webhook_retry_scale
        self.webhooks.timeout_seconds = cfg.webhook_timeout_seconds

    def credentials(self) -> dict:
        return {
            "base_url": self.base_url,
            "location_id": self.locations[0],
            "locations": list(self.locations),
            "private_integration_tokens": dict(self.auth.location_pits[self.locations[0]]),
            "oauth": {"client_id": self.auth.oauth.client_id, "client_secret": self.auth.oauth.client_secret,
                      "refresh_token": self.auth.oauth.initial_refresh_token},
            "location_tokens": {loc: dict(p) for loc, p in self.auth.location_pits.items()},
            "company_id": self.auth.company_id,
            "agency": {"client_id": self.auth.oauth.client_id, "client_secret": self.auth.oauth.client_secret,
                       "refresh_token": self.auth.oauth.initial_company_refresh_token,
                       "company_id": self.auth.company_id},
        }

    def loc_seed(self, location_id: str) -> LocationSeed | None:
        for ls in self.loc_seeds:
            if ls.location_id == location_id:
                return ls
        return None

    def users_by_id(self, location_id: str) -> dict[str, dict]:
        d = self._users_cache.get(location_id)
        if d is None:
            d = self._users_cache[location_id] = {u["id"]: u for u in self.store.users(location_id)}
        return d

    # -- time and search index --------------------------------------------------------------------
    def stamp(self, previous_ms: int | None = None) -> int:
        """Now in epoch ms, strictly after `previous_ms` so every write moves dateUpdated forward."""
        t = now_ms()
        if previous_ms is not None and t <= previous_ms:
            t = previous_ms + 1
        return t

    def touch_index(self, contact_id: str) -> None:
        """A contact changed: make search see it now, or after the configured lag."""
        if self.search_lag <= 0:
            self.store.index_contact(contact_id)
            return
        self._seq += 1
        heapq.heappush(self._pending, (time.monotonic() + self.search_lag, self._seq, contact_id))

    def flush_index(self) -> None:
        if not self._pending:
            return
        now = time.monotonic()
        lag_off = self.search_lag <= 0
        while self._pending and (lag_off or self._pending[0][0] <= now):
            _, _, cid = heapq.heappop(self._pending)
            self.store.index_contact(cid)


class Ctx:
    """What a handler sees of one request."""

    __slots__ = ("sb", "route", "method", "params", "query", "token", "_body", "_raw", "headers", "api")

    def __init__(self, sb: Sandbox, route: Route, method: str, params: dict, query: dict, token: Token | None,
                 raw: bytes, headers: dict):
        self.sb = sb
        self.route = route
        self.method = method
        self.params = params
        self.query = query
        self.token = token
        self._raw = raw
        self._body = None
        self.headers = headers
        self.api = "v2"  # or "v3" (api_v3.py): the spelling of the answer

    def json(self, *, must_be_object: bool = True):
        if self._body is None:
            if not self._raw:
                self._body = {}
            else:
                try:
                    self._body = orjson.loads(self._raw)
                except orjson.JSONDecodeError:
                    raise ApiError(400, {"statusCode": 400, "message": "Unexpected token in JSON body",
                                         "error": "Bad Request"})
        if must_be_object and not isinstance(self._body, dict):
            raise ApiError(422, {"statusCode": 422, "message": ["body must be an object"],
                                 "error": "Unprocessable Entity"})
        return self._body

    def form(self) -> dict:
        ct = self.headers.get("content-type", "")
        if "json" in ct:
            body = self.json()
            return {k: (str(v) if v is not None else None) for k, v in body.items()}
        return dict(parse_qsl(self._raw.decode("utf-8", "replace"), keep_blank_values=True))

    def check_location(self, location_id: str | None) -> None:
        tok = self.token
        if tok is None or tok.user_type != "Location":
            return
        if not location_id or location_id != tok.location_id:
            raise ApiError(403, LOCATION_DENIED)

    def contact(self, contact_id: str) -> dict:
        """Load a contact the token may see (400 if unknown, 403 if on another location)."""
        c = self.sb.store.get_contact(contact_id)
        if c is None:
            raise contact_not_found(contact_id)
        self.check_location(c["locationId"])
        return c

    def contact_location(self, contact_id: str) -> str:
        loc = self.sb.store.contact_location(contact_id)
        if loc is None:
            raise contact_not_found(contact_id)
        self.check_location(loc)
        return loc


def version_error(route: Route, got: str | None):
    if route.version == CALENDARS_VERSION:
        # A wrong Version on /calendars reads like an auth failure (BEHAVIOUR 1, RocketRide).
        return 401, SCOPE_DENIED
    if not got:
        return 400, {"statusCode": 400, "message": "Version header was not found", "error": "Bad Request"}
    return 400, {"statusCode": 400, "message": f"Version header is invalid: {got}. Use {route.version}",
                 "error": "Bad Request"}


async def _read_body(receive) -> bytes:
    chunks = []
    more = True
    while more:
        msg = await receive()
        if msg["type"] != "http.request":
            break
        chunks.append(msg.get("body", b""))
        more = msg.get("more_body", False)
    return b"".join(chunks)


def _drop_connection(receive) -> None:
    """Close the client socket without an HTTP response (uvicorn keeps its transport on the cycle)."""
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("dropped connection")
    cycle.disconnected = True
    transport.abort()


class GhlApp:
    def __init__(self, sb: Sandbox):
        self.sb = sb
        routes = load_all()
        self.router = Router(routes)
        self.spec = SpecValidator(routes)  # compiled once: a request only runs the validators

    async def __call__(self, scope, receive, send):
        typ = scope["type"]
        if typ == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if typ != "http":
            return
        sb = self.sb
        method = scope["method"]
        route, params = self.router.match(method, scope["path"])
        if route is None:
            if self.router.matches_ignoring_case(method, scope["path"]):
                sb.stats.record("UNMATCHED", 401)
                await self._send(send, 401, MISCASED_BODY, sb.limiter.unattributed_headers())
                return
            # Unknown route: 404 with an empty body (BEHAVIOUR 1).
            sb.stats.record("UNMATCHED", 404)
            await self._send(send, 404, b"", sb.limiter.unattributed_headers(), content_type=None)
            return
        headers = {}
        for k, v in scope["headers"]:
            if k in (b"authorization", b"version", b"content-type"):
                headers[k.decode()] = v.decode("latin-1")
        qs = scope.get("query_string", b"")
        query = dict(parse_qsl(qs.decode("utf-8", "replace"), keep_blank_values=True)) if qs else {}
        raw = await _read_body(receive) if method in ("POST", "PUT", "DELETE", "PATCH") else b""

        if route.kind == "admin":
            ctx = Ctx(sb, route, method, params, query, None, raw, headers)
            try:
                status, body = await route.handler(ctx)
            except ApiError as e:
                status, body = e.status, e.body
            await self._send(send, status, body if isinstance(body, bytes) else _dumps(body), [])
            return

        faults = sb.faults
        delay = faults.delay_seconds()
        if delay > 0:
            await asyncio.sleep(delay)

        if route.kind == "oauth":
            rl = sb.limiter.unattributed_headers()
            fault = faults.draw() if faults.active and faults.eligible(route.key, True) else None
            if fault in PRE_KINDS:
                st, body, ct = FAULT_RESPONSES[fault]
                sb.stats.record(route.key, st, fault)
                await self._send(send, st, body, rl, content_type=ct)
                return
            ctx = Ctx(sb, route, method, params, query, None, raw, headers)
            try:
                status, body = await route.handler(ctx)
            except ApiError as e:
                status, body = e.status, e.body
            await self._finish(send, receive, route, status, body, rl, fault)
            return

        # --- GHL API route ---
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        token = sb.auth.lookup(bearer)
        if token is None:
            sb.stats.record(route.key, 401)
            await self._send(send, 401, _dumps(INVALID_TOKEN), sb.limiter.unattributed_headers())
            return
        # Budgets and stats are per (app, location), or per (app, company) for a Company token (BEHAVIOUR 5).
        who = ("locations", token.location_id) if token.location_id else ("companies", token.company_id)
        allowed, rl = sb.limiter.hit((token.app_id, who[1]))
        if not allowed:
            sb.stats.record(route.key, 429, resource=who)
            await self._send(send, 429, _dumps(TOO_MANY), rl)
            return
        fault = faults.draw() if faults.active and faults.eligible(route.key, False) else None
        if fault in PRE_KINDS:
            st, body, ct = FAULT_RESPONSES[fault]
            sb.stats.record(route.key, st, fault, resource=who)
            await self._send(send, st, body, rl, content_type=ct)
            return
        version = headers.get("version")
        family = "v3" if version == api_v3.VERSION and self.spec.operation("v3", route.key) else "v2"
        if route.version and version != route.version and family != "v3":
            status, body = version_error(route, version)
        elif token.user_type != route.auth_class:
            status, body = (401, AUTH_CLASS_DENIED) if route.auth_class == "Location" else (403, AGENCY_ONLY)
        elif route.scope and route.scope not in token.scopes:
            status, body = 401, SCOPE_DENIED
        else:
            ctx = Ctx(sb, route, method, params, query, token, raw, headers)
            try:
                self._validate(ctx, route, family)
                if family == "v3":
                    ctx.api = family
                    ctx._body = api_v3.request_body(ctx._body)
                status, body = await route.handler(ctx)
                if family == "v3":
                    body = api_v3.response_body(body, self.spec.success_keys(route.key))
            except ApiError as e:
                status, body = e.status, e.body
            except Exception:  # pragma: no cover - a bug in a handler; answer like GHL's 500
                log.exception("handler failed: %s", route.key)
                status, body = 500, {"statusCode": 500, "message": "Internal server error"}
        await self._finish(send, receive, route, status, body, rl, fault, who)

    def _validate(self, ctx: Ctx, route: Route, family: str) -> None:
        """422 with every message when the query or body breaks the operation's spec schema."""
        op = self.spec.operation(family, route.key)
        if op is None:
            return
        errs = op.check_query(ctx.query) if op.query is not None else []
        if op.body is not None:
            errs += op.check_body(ctx.json(must_be_object=False))
        if errs:
            raise unprocessable(errs)

    async def _finish(self, send, receive, route: Route, status: int, body, rl: list, fault: str | None,
                      who: tuple[str, str] | None = None):
        sb = self.sb
        data = body if isinstance(body, bytes) else _dumps(body)
        if fault == "stall":
            sb.stats.record(route.key, status, fault, resource=who)
            await asyncio.sleep(sb.faults.stall_seconds)
            try:
                await self._send(send, status, data, rl)
            except Exception:  # the client is gone
                pass
            return
        if fault == "drop":
            sb.stats.record(route.key, "dropped", fault, resource=who)
            _drop_connection(receive)
            return
        if fault == "truncate":
            sb.stats.record(route.key, status, fault, resource=who)
            cut = max(1, len(data) // 2) if len(data) > 1 else 0
            await self._send(send, status, data[:cut], rl)
            return
        sb.stats.record(route.key, status, resource=who)
        await self._send(send, status, data, rl)

    @staticmethod
    async def _send(send, status: int, body: bytes, extra_headers: list, content_type=JSON_CT[1]):
        headers = [(b"content-length", str(len(body)).encode())]
        if content_type:
            headers.append((b"content-type", content_type))
        headers += extra_headers
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def build_app(config: SandboxConfig | None = None) -> GhlApp:
    return GhlApp(Sandbox(config or SandboxConfig()))


__all__ = ["Sandbox", "GhlApp", "build_app", "Ctx", "seed_cache_dir"]
