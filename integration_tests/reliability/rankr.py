"""A deterministic Rankr export for destination runs, and what a write leaves in GHL, keyed so two sandboxes and
two runs compare: contacts by email, tasks / notes / appointments by their `[rankr:<id>]` marker."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Dict, List

OBJECTS = ("contacts", "tasks", "notes", "appointments", "tags")
CATALOG = {"streams": [{
    "stream": {"name": name, "json_schema": {"type": "object"}, "supported_sync_modes": ["full_refresh", "incremental"]},
    "sync_mode": "incremental", "destination_sync_mode": "append_dedup", "primary_key": [["rankrId"]],
} for name in OBJECTS]}
MARKER = re.compile(r"\[rankr:([A-Za-z0-9_-]+)\]")


def record(stream: str, data: Dict[str, Any]) -> str:
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1767225600000}})


def state(position: int) -> str:
    return json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {
        "shared_state": {"position": position}, "stream_states": []}}})


def export(contacts: int = 24, state_every: int = 8, prefix: str = "rel") -> List[str]:
    """Contacts, each followed by some of its children (tasks, notes, tags, appointments), a STATE every
    `state_every` records. A STATE's `position` counts the records before it (what `resume_lines` needs)."""
    lines: List[str] = []
    position = 0

    def add(stream: str, data: Dict[str, Any]) -> None:
        nonlocal position
        lines.append(record(stream, data))
        position += 1
        if position % state_every == 0:
            lines.append(state(position))

    for i in range(1, contacts + 1):
        rid = f"rk_c_{prefix}{i:04d}"
        contact = {"rankrId": rid, "email": f"{prefix}.lead{i}@reliability.example.com", "firstName": f"Lead{i}",
                   "lastName": "Reliable", "source": "Rankr", "tags": ["rankr", f"batch-{i % 3}"]}
        if i % 2:
            contact["phone"] = f"+1512555{i:04d}"
        add("contacts", contact)
        if i % 2 == 0:
            add("tasks", {"rankrId": f"rk_t_{prefix}{i:04d}", "contactRankrId": rid, "title": f"Call lead {i}",
                          "dueDate": f"2026-12-{1 + i % 27:02d}T09:30:00+01:00", "status": "completed" if i % 4 == 0 else "open"})
        if i % 3 == 0:
            add("notes", {"rankrId": f"rk_n_{prefix}{i:04d}", "contactRankrId": rid, "body": f"Scored {50 + i} in Rankr."})
        if i % 4 == 1:
            add("tags", {"rankrId": f"rk_g_{prefix}{i:04d}", "contactRankrId": rid, "tags": ["hot", f"wave-{i % 2}"]})
        if i % 6 == 5:
            add("appointments", {"rankrId": f"rk_a_{prefix}{i:04d}", "contactRankrId": rid, "title": f"Demo {i}",
                                 "startTime": f"2026-12-{1 + i % 27:02d}T15:00:00+00:00",
                                 "endTime": f"2026-12-{1 + i % 27:02d}T15:30:00+00:00", "status": "confirmed"})
    lines.append(state(position))
    return lines


def resume_lines(lines: List[str], position: int) -> List[str]:
    """What Airbyte sends again after a crash: every message after the last committed STATE."""
    out, seen = [], 0
    for line in lines:
        message = json.loads(line)
        if message["type"] == "RECORD":
            seen += 1
        if seen > position or (message["type"] == "STATE" and seen > position):
            out.append(line)
    return out


def records_of(lines: List[str]) -> List[Dict[str, Any]]:
    return [json.loads(line)["record"] for line in lines if json.loads(line)["type"] == "RECORD"]


def signature(dump: Dict[str, Any]) -> Dict[str, Any]:
    """What GHL holds, without its generated ids and timestamps (seeded contacts without email keep their id)."""
    email_of = {c["id"]: c.get("email") or c["id"] for c in dump["contacts"]}
    contacts = sorted((c.get("email") or c["id"], str(c.get("firstName")), str(c.get("lastName")),
                       str(c.get("phone")), tuple(sorted(c.get("tags") or [])), str(c.get("companyName")))
                      for c in dump["contacts"])

    def children(kind: str, text_field: str, fields: tuple) -> list:
        return sorted((email_of.get(item.get("contactId"), ""), str(item.get(text_field)))
                      + tuple(str(item.get(f)) for f in fields) for item in dump[kind])

    return {"contacts": contacts,
            "tasks": children("tasks", "body", ("title", "dueDate", "completed")),
            "notes": children("notes", "body", ()),
            "appointments": children("appointments", "notes", ("title", "startTime", "endTime", "appointmentStatus"))}


def duplicates(dump: Dict[str, Any]) -> Dict[str, Dict[str, int]]:
    """Emails held by more than one contact, markers carried by more than one task / note / appointment."""
    out = {"contacts": {k: n for k, n in Counter(c.get("email") for c in dump["contacts"] if c.get("email")).items() if n > 1}}
    for kind, text_field in (("tasks", "body"), ("notes", "body"), ("appointments", "notes")):
        markers = Counter(m for item in dump[kind] for m in MARKER.findall(item.get(text_field) or ""))
        out[kind] = {k: n for k, n in markers.items() if n > 1}
    return out


def landed(dump: Dict[str, Any], lines: List[str]) -> Dict[str, List[str]]:
    """The Rankr ids of `lines` that are missing from GHL (contacts by email, children by marker)."""
    emails = {c.get("email") for c in dump["contacts"]}
    markers = {kind: {m for item in dump[kind] for m in MARKER.findall(item.get(field) or "")}
               for kind, field in (("tasks", "body"), ("notes", "body"), ("appointments", "notes"))}
    missing: Dict[str, List[str]] = {kind: [] for kind in OBJECTS}
    tags_of = {c.get("email"): set(c.get("tags") or []) for c in dump["contacts"]}
    email_of_rankr = {r["data"]["rankrId"]: r["data"]["email"] for r in records_of(lines) if r["stream"] == "contacts"}
    for rec in records_of(lines):
        data, stream = rec["data"], rec["stream"]
        if stream == "contacts" and data["email"] not in emails:
            missing["contacts"].append(data["rankrId"])
        elif stream in markers and data["rankrId"] not in markers[stream]:
            missing[stream].append(data["rankrId"])
        elif stream == "tags" and not set(data["tags"]) <= tags_of.get(email_of_rankr.get(data["contactRankrId"]), set()):
            missing["tags"].append(data["rankrId"])
    return {kind: ids for kind, ids in missing.items() if ids}
