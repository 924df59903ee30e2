"""Test-only admin surface under `/_sandbox/` (not GHL's). Not rate limited, no faults, not in stats."""
from __future__ import annotations

import random


from .. import webhooks, writes
from ..config import FAULT_KINDS
from ..errors import ApiError
from ..seed import DAY, ContactFactory, skewed
from ..util import iso_ms
from . import route



def _bad(msg: str) -> ApiError:
    return ApiError(400, {"error": msg})


def _location(ctx, loc: str | None, *, required: bool = False) -> str | None:
    if loc is None:
        if required:
            return ctx.sb.locations[0]
        return None
    if loc not in ctx.sb.locations:
        raise _bad(f"unknown location {loc}")
    return loc


@route("GET", "/_sandbox/health", kind="admin")
async def health(ctx):
    return 200, {"ok": True, "locations": ctx.sb.locations, "seed_seconds": round(ctx.sb.seed_seconds, 3),
                 "counts": ctx.sb.store.counts()}


@route("GET", "/_sandbox/credentials", kind="admin")
async def credentials(ctx):
    return 200, ctx.sb.credentials()


@route("POST", "/_sandbox/reset", kind="admin")
async def reset(ctx):
    ctx.sb.reset()
    return 200, {"reset": True, "counts": ctx.sb.store.counts()}


@route("GET", "/_sandbox/dump", kind="admin")
async def dump(ctx):
    """Ground truth, each record exactly as GHL returns it from the per-contact GET routes."""
    sb = ctx.sb
    loc = _location(ctx, ctx.query.get("locationId"))
    sb.flush_index()
    return 200, {"contacts": sb.store.all_contacts(loc), "tasks": sb.store.all_tasks(loc),
                 "notes": sb.store.all_notes(loc), "appointments": sb.store.all_appointments(loc)}


@route("GET", "/_sandbox/stats", kind="admin")
async def stats(ctx):
    return 200, {**ctx.sb.stats.to_dict(), "webhooks": ctx.sb.webhooks.stats()}


@route("POST", "/_sandbox/stats/reset", kind="admin")
async def stats_reset(ctx):
    ctx.sb.stats.reset()
    ctx.sb.webhooks.counters.reset()
    return 200, {"reset": True}


# -- webhooks (what a Marketplace app's settings page does in GHL: BEHAVIOUR 7) -------------------------
@route("GET", "/_sandbox/webhooks", kind="admin")
async def webhooks_view(ctx):
    """Registered receivers, the knobs, the counters and the webhookIds delivered (2xx) and dropped."""
    return 200, ctx.sb.webhooks.view()


@route("POST", "/_sandbox/webhooks", kind="admin")
async def webhooks_register(ctx):
    """Register a receiver: {"url", "rsa": bool (also sign x-wh-signature), "locationId"?: only its events};
    optional knobs for every receiver: "retry_scale" (multiplies GHL's ~10 min retry interval),
    "timeout_seconds" (per delivery)."""
    body = ctx.json()
    sender = ctx.sb.webhooks
    for knob in ("retry_scale", "timeout_seconds"):
        if knob in body:
            v = body[knob]
            if not isinstance(v, (int, float)) or v < 0:
                raise _bad(f"{knob} must be a number >= 0")
            setattr(sender, knob, float(v))
    if "url" not in body:
        return 200, sender.view()
    loc = _location(ctx, body.get("locationId"))
    try:
        r = sender.register(str(body["url"]), bool(body.get("rsa", False)), loc)
    except ValueError as e:
        raise _bad(str(e))
    return 200, vars(r)


@route("DELETE", "/_sandbox/webhooks/{receiverId}", kind="admin")
async def webhooks_unregister(ctx):
    if not ctx.sb.webhooks.unregister(ctx.params["receiverId"]):
        raise ApiError(404, {"error": f"unknown receiver {ctx.params['receiverId']}"})
    return 200, {"unregistered": ctx.params["receiverId"]}


@route("GET", "/_sandbox/webhooks/keys", kind="admin")
async def webhooks_keys(ctx):
    """The public keys that verify x-ghl-signature (Ed25519) and x-wh-signature (RSA), as PEM."""
    return 200, ctx.sb.webhooks.keys.public_pem()


def _config_view(sb) -> dict:
    d = sb.faults.to_dict()
    d.update(token_expires_in=sb.auth.token_expires_in, search_lag_seconds=sb.search_lag,
             rate_limit=sb.limiter.enabled, rate_limit_burst=sb.limiter.burst,
             rate_limit_window_seconds=sb.limiter.window_seconds, rate_limit_daily=sb.limiter.daily)
    return d


@route("GET", "/_sandbox/faults", kind="admin")
async def get_faults(ctx):
    return 200, _config_view(ctx.sb)


@route("POST", "/_sandbox/faults", kind="admin")
async def set_faults(ctx):
    """Change faults, latency, token expiry, search lag and rate limits at run time."""
    sb = ctx.sb
    body = ctx.json()
    probs = {}
    kw = {}
    unknown = []
    for k, v in body.items():
        kind = k[6:] if k.startswith("fault_") else k
        if kind in FAULT_KINDS:
            probs[kind] = v
        elif k in ("stall_seconds", "latency_ms", "jitter_ms"):
            kw[k] = float(v)
        elif k == "fault_routes":
            kw["routes"] = list(v or [])
        elif k == "fault_oauth":
            kw["oauth"] = bool(v)
        elif k in ("token_expires_in", "search_lag_seconds", "seed", "rate_limit", "rate_limit_burst",
                   "rate_limit_window_seconds", "rate_limit_daily", "no_rate_limit"):
            pass
        else:
            unknown.append(k)
    if unknown:
        raise _bad(f"unknown knobs: {', '.join(sorted(unknown))}")
    try:
        sb.faults.configure(probs, **kw)
    except ValueError as e:
        raise _bad(str(e))
    if "seed" in body:
        sb.faults.reseed(int(body["seed"]))
    if "token_expires_in" in body:
        sb.auth.token_expires_in = int(body["token_expires_in"])
    if "search_lag_seconds" in body:
        sb.search_lag = float(body["search_lag_seconds"])
        sb.flush_index()
    enabled = body.get("rate_limit")
    if "no_rate_limit" in body:
        enabled = not body["no_rate_limit"]
    sb.limiter.configure(body.get("rate_limit_burst"), body.get("rate_limit_window_seconds"),
                         body.get("rate_limit_daily"), enabled)
    sb.stats.window_seconds = sb.limiter.window_seconds
    return 200, _config_view(sb)


@route("POST", "/_sandbox/tokens", kind="admin")
async def mint_token(ctx):
    body = ctx.json()
    scopes = body.get("scopes")
    if not isinstance(scopes, list):
        raise _bad("scopes must be a list")
    loc = _location(ctx, body.get("locationId"), required=True)
    tok = ctx.sb.auth.mint_pit(scopes, loc, body.get("app"))
    return 200, {"token": tok, "locationId": loc, "scopes": scopes}


@route("POST", "/_sandbox/oauth/code", kind="admin")
async def oauth_code(ctx):
    """A one-time authorization code (what GHL's consent redirect would carry as ?code=): `userType`
    "Location" (default; for `locationId`, default the first location) or "Company" (the agency install)."""
    body = ctx.json()
    user_type = body.get("userType", "Location")
    if user_type not in ("Location", "Company"):
        raise _bad("userType must be Location or Company")
    loc = _location(ctx, body.get("locationId"), required=True)
    return 200, {"code": ctx.sb.auth.new_code(loc, user_type)}


@route("GET", "/_sandbox/installs", kind="admin")
async def installs(ctx):
    auth = ctx.sb.auth
    return 200, {"installs": {loc: auth.is_installed(loc) for loc in ctx.sb.locations}}


@route("POST", "/_sandbox/installs", kind="admin")
async def set_install(ctx):
    """Install or uninstall the Marketplace app on one location: {"locationId", "installed": bool}.
    Uninstalling revokes the app's Location tokens for it (see auth.Auth.set_installed)."""
    body = ctx.json()
    loc = body.get("locationId")
    if not isinstance(body.get("installed"), bool):
        raise _bad("installed must be true or false")
    if loc not in ctx.sb.locations:
        raise ApiError(404, {"error": f"unknown location {loc}"})
    ctx.sb.auth.set_installed(loc, body["installed"])
    return 200, {"locationId": loc, "installed": ctx.sb.auth.is_installed(loc)}


@route("POST", "/_sandbox/location-settings", kind="admin")
async def location_settings(ctx):
    body = ctx.json()
    loc = _location(ctx, body.get("locationId"), required=True)
    um = body.get("upsertMatch")
    if um is not None and um not in ("email", "phone", "email_phone", "phone_email"):
        raise _bad("upsertMatch must be one of email, phone, email_phone, phone_email")
    ad = body.get("allowDuplicates")
    ctx.sb.store.set_location_settings(loc, ad, um)
    return 200, ctx.sb.store.location(loc)


@route("POST", "/_sandbox/mutate", kind="admin")
async def mutate(ctx):
    """Simulate activity: {"locationId", "update": N, "add": N, "delete": N, "add_notes": N,
    "add_tasks": N, "complete_tasks": N, "seed": S}. Contact changes bump dateUpdated; note/task additions
    do not (see writes.py)."""
    sb = ctx.sb
    body = ctx.json()
    loc = _location(ctx, body.get("locationId"), required=True)
    rng = random.Random(f"ghl-sandbox:mutate:{body['seed']}") if "seed" in body else sb.rng
    ls = sb.loc_seed(loc)
    ids = sb.store.random_contact_ids(loc)
    n_del = min(int(body.get("delete", 0)), len(ids))
    n_upd = min(int(body.get("update", 0)), len(ids) - n_del)
    picked = rng.sample(ids, n_del + n_upd)
    to_delete, to_update = picked[:n_del], picked[n_del:]
    out = {"updated": [], "added": [], "deleted": [], "notes": [], "tasks": [], "completed_tasks": []}
    fac = ContactFactory(rng, ls)
    for cid in to_update:
        c = sb.store.get_contact(cid)
        change = rng.choice(("city", "company", "tag", "custom", "name", "phone"))
        if change == "city":
            writes.apply_contact_body(sb, c, {"city": rng.choice(("Austin", "Boise", "Reno", "Tulsa", "Omaha"))})
        elif change == "company":
            writes.apply_contact_body(sb, c, {"companyName": fac.contact(0, 0).get("companyName") or "Acme LLC"})
        elif change == "tag":
            writes.apply_contact_body(sb, c, {"tags": [rng.choice(("follow-up", "vip", "hot", "renewal"))]},
                                      tags_mode="add")
        elif change == "custom" and ls.custom_fields:
            f = ls.custom_fields[0]
            writes.apply_contact_body(sb, c, {"customFields": [{"id": f["id"], "field_value": rng.randint(0, 100)}]})
        elif change == "name":
            writes.apply_contact_body(sb, c, {"lastName": rng.choice(("Hart", "Nash", "Vance", "Frost"))})
        else:
            writes.apply_contact_body(sb, c, {"phone": f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}"
                                                       f"{rng.randint(0, 9999):04d}"})
        writes.save_contact(sb, c)
        out["updated"].append(cid)
    for cid in to_delete:
        writes.delete_contact(sb, cid)
        out["deleted"].append(cid)
    for _ in range(int(body.get("add", 0))):
        now = sb.stamp()
        for _attempt in range(20):
            c = fac.contact(now, now)
            if not any(c.get(f) and sb.store.find_contact_by(loc, f, c[f]) for f in ("email", "phone")):
                break
        sb.store.insert_contacts([c], index=False)
        sb.touch_index(c["id"])
        webhooks.contact_created(sb, c)
        out["added"].append(c["id"])
        for _ in range(skewed(rng, 0.5, 3, 0.0, 3)):
            row, t = fac.task(c["id"], sb.stamp(), now)
            sb.store.insert_tasks([row])
            webhooks.task_event(sb, "TaskCreate", loc, t, row[3])
        for _ in range(skewed(rng, 0.5, 3, 0.0, 3)):
            row, n = fac.note(c["id"], sb.stamp())
            sb.store.insert_notes([row])
            webhooks.note_event(sb, "NoteCreate", loc, n)
    live = sb.store.random_contact_ids(loc)
    if not live and not body.get("contactId"):
        return 200, out  # no contact to attach notes or tasks to
    for _ in range(int(body.get("add_notes", 0))):
        cid = body.get("contactId") or rng.choice(live)
        n = writes.new_note(sb, cid, loc, {"body": rng.choice(("Called again.", "Sent a follow-up.",
                                                                 "Asked for a quote."))})
        out["notes"].append({"id": n["id"], "contactId": cid})
    for _ in range(int(body.get("add_tasks", 0))):
        cid = body.get("contactId") or rng.choice(live)
        t = writes.new_task(sb, cid, loc, {"title": "Follow up", "dueDate": iso_ms(sb.stamp() + 3 * DAY),
                                           "completed": False})
        out["tasks"].append({"id": t["id"], "contactId": cid})
    for _ in range(int(body.get("complete_tasks", 0))):
        rows = sb.store.search_tasks(loc, completed=False, limit=50)
        if not rows:
            break
        r = rng.choice(rows)
        t = writes.update_task(sb, r["task"]["id"], r["task"], {"completed": True}, r["date_updated"], loc)
        out["completed_tasks"].append({"id": t["id"], "contactId": t["contactId"]})
    return 200, out


