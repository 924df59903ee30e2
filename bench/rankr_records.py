"""A deterministic Rankr export for run 5: contacts, each with a few tasks and notes, shaped by the
destination's input schemas (`schemas/rankr/*.json`): required fields are always filled, optional ones the
generator knows are filled when the schema has them, and nothing the schema does not allow is sent.
"""
from __future__ import annotations

import datetime as dt
import random

from schemas import RANKR, load_schema, schema_names

# Incoming stream name -> the Rankr schema that describes its records.
STREAM_SCHEMAS = {"contacts": "contact", "tasks": "task", "notes": "note"}
FIRST = "Ava Ben Cleo Dan Eve Finn Gia Hugo Ines Jon Kai Lena Milo Nora Omar Pia Quin Rosa Sam Tara".split()
LAST = "Reed Shaw Lane Cole Hart Nash Vance Frost Gray Blake Quinn Ellis Parker Hayes Stone Wolfe".split()
TASK_TITLES = ("Call back", "Send proposal", "Schedule demo", "Follow up on quote", "Send contract")
NOTE_BODIES = ("Left a voicemail.", "Interested in the premium plan.", "Asked for a call next week.",
               "Booked a consultation.", "Referred by a customer.")


def schemas() -> dict:
    missing = [s for s in STREAM_SCHEMAS.values() if s not in schema_names(RANKR)]
    if missing:
        from .harness import BenchError
        raise BenchError(f"schemas/rankr/ has no {missing} schema yet (it has {schema_names(RANKR)})")
    return {stream: load_schema(RANKR, name) for stream, name in STREAM_SCHEMAS.items()}


def _find(props: dict, *needles: str, exclude: tuple = ()) -> str | None:
    """The first property whose lower-cased name contains all of one needle's '+'-separated parts."""
    for needle in needles:
        parts = needle.split("+")
        for name in props:
            low = name.lower().replace("_", "")
            if all(p in low for p in parts) and not any(x in low for x in exclude):
                return name
    return None


def _blank(spec: dict, rng: random.Random):
    """A value for a required property the generator has no meaning for, from its JSON Schema."""
    if "enum" in spec:
        return spec["enum"][0]
    t = spec.get("type")
    t = next((x for x in t if x != "null"), "string") if isinstance(t, list) else (t or "string")
    if t == "string":
        return dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc).isoformat() if spec.get("format") == "date-time" \
            else f"bench-{rng.randrange(10**6)}"
    return {"integer": 1, "number": 1.0, "boolean": False, "array": [], "object": {}}.get(t, "x")


def _conform(values: dict, schema: dict, rng: random.Random) -> dict:
    props = schema.get("properties", {})
    out = {k: v for k, v in values.items() if k and (k in props or schema.get("additionalProperties", True))}
    for name in schema.get("required", []):
        if name not in out:
            out[name] = _blank(props.get(name, {}), rng)
    return out


def _iso(at: dt.datetime) -> str:
    return at.replace(microsecond=0).isoformat()


def export(contacts: int, seed: int = 5) -> list[tuple[str, dict]]:
    """(stream, record) pairs: all contacts first, then their tasks, then their notes (about one of each per
    contact on average, 0-2)."""
    rng = random.Random(f"bench-rankr:{seed}")
    sch = schemas()
    cp, tp, np_ = (sch[s].get("properties", {}) for s in ("contacts", "tasks", "notes"))
    c_id, c_email = _find(cp, "rankr+id", "externalid", "sourceid"), _find(cp, "email")
    status_enum = tp.get(_find(tp, "status") or "", {}).get("enum", ["open", "completed"])
    ref_by_email = _find(tp, "contact+email") or (None if _find(tp, "contact+rankr") else _find(tp, "email"))
    ref_by_rankr = _find(tp, "contact+rankr", "rankr+contact")
    now = dt.datetime(2026, 7, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    people, tasks, notes = [], [], []
    for i in range(contacts):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{i}@rankr-bench.example".lower()
        rankr_id = f"rk-{seed}-{i:06d}"
        c = {c_email: email, _find(cp, "first+name"): first, _find(cp, "last+name"): last,
             _find(cp, "phone"): f"+1512555{i % 10000:04d}", _find(cp, "company"): f"{last} Ventures",
             _find(cp, "tags"): ["rankr", rng.choice(("hot", "warm", "cold"))], c_id: rankr_id,
             _find(cp, "source", exclude=("id",)): "rankr"}
        people.append(("contacts", _conform(c, sch["contacts"], rng)))
        for k in range(rng.choice((0, 1, 1, 2))):
            ref = {}
            if ref_by_rankr:
                ref[ref_by_rankr] = rankr_id
            elif ref_by_email:
                ref[ref_by_email] = email
            t = {**ref, _find(tp, "rankr+id", "taskid", "externalid", exclude=("contact",)): f"{rankr_id}-t{k}",
                 _find(tp, "title"): rng.choice(TASK_TITLES),
                 _find(tp, "due"): _iso(now + dt.timedelta(days=rng.randint(1, 30))),
                 _find(tp, "status"): status_enum[0], _find(tp, "body", "description"): "From Rankr."}
            tasks.append(("tasks", _conform(t, sch["tasks"], rng)))
        for k in range(rng.choice((0, 1, 1, 2))):
            ref_n = {}
            r_rankr = _find(np_, "contact+rankr", "rankr+contact")
            r_email = _find(np_, "contact+email") or (None if r_rankr else _find(np_, "email"))
            if r_rankr:
                ref_n[r_rankr] = rankr_id
            elif r_email:
                ref_n[r_email] = email
            n = {**ref_n, _find(np_, "rankr+id", "noteid", "externalid", exclude=("contact",)): f"{rankr_id}-n{k}",
                 _find(np_, "body", "content", "text"): rng.choice(NOTE_BODIES)}
            notes.append(("notes", _conform(n, sch["notes"], rng)))
    return people + tasks + notes
