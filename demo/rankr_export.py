"""A deterministic sample of a Rankr export: one JSON Lines file per object, plus a manifest.

    python -m demo.rankr_export                 # regenerate the shipped sample in demo/data/rankr_export/
    python -m demo.rankr_export --contacts 40 --out build/small_export

The same seed and size give byte-identical files. Records use Rankr ids (`rk_c_000123` for contacts,
`rk_t_`, `rk_n_`, `rk_a_`, `rk_g_` for tasks, notes, appointments and tag assignments); children point at
their contact by its Rankr id. A handful of records are invalid on purpose (listed in the manifest under
`invalid_on_purpose`) so the demo shows how the destination rejects them and goes on.

Field names of each object live in `FIELDS` and nowhere else: the record builders use the internal names on
the left, and `_export()` renames them to the export's names on the right.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "rankr_export"
DEFAULT_SEED = 2026
DEFAULT_CONTACTS = 200
# Fixed so the export does not depend on the clock; appointments and due dates fall after it.
EXPORTED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)

# stream -> {internal name: name in the export}. Align the right-hand side with schemas/rankr/*.json.
FIELDS: dict[str, dict[str, str]] = {
    "contacts": {"rankr_id": "rankrId", "email": "email", "first_name": "firstName", "last_name": "lastName",
                 "phone": "phone", "company": "companyName", "source": "source", "tags": "tags",
                 "custom_fields": "customFields", "updated_at": "updatedAt"},
    "tasks": {"rankr_id": "rankrId", "contact": "contactRankrId", "title": "title", "body": "body",
              "due": "dueDate", "status": "status", "updated_at": "updatedAt"},
    "notes": {"rankr_id": "rankrId", "contact": "contactRankrId", "body": "body", "created_at": "createdAt"},
    "appointments": {"rankr_id": "rankrId", "contact": "contactRankrId", "title": "title", "start": "startTime",
                     "end": "endTime", "status": "status", "updated_at": "updatedAt"},
    "tags": {"rankr_id": "rankrId", "contact": "contactRankrId", "tags": "tags"},
}
STREAMS = tuple(FIELDS)  # written in this order: contacts before what refers to them
ID_PREFIX = {"contacts": "rk_c_", "tasks": "rk_t_", "notes": "rk_n_", "appointments": "rk_a_", "tags": "rk_g_"}

FIRST = ("Ava Liam Noah Emma Olivia Elijah Mia Lucas Amelia Mateo Sofia Levi Aria Ezra Chloe Kai Nora Leo "
         "Priya Omar Hana Diego Zoe Ivan Mei Raj Lena Hugo Iris Felix Maya Owen Ines Theo Lila Ravi Yara").split()
LAST = ("Alvarez Bennett Chen Dubois Eriksen Fischer Garcia Haddad Ibrahim Jensen Kowalski Larsen Moreau "
        "Nakamura Okafor Patel Quinn Rossi Schmidt Tanaka Underwood Vargas Weber Xu Yilmaz Zimmerman").split()
DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
COMPANIES = ("Northwind Dental", "Blue Harbor Realty", "Summit Roofing", "Cedar Spa", "Atlas HVAC",
             "Pioneer Legal", "Maple Fitness", "Granite Auto", None, None, None)
TAGS = ("rankr", "hot-lead", "warm-lead", "cold-lead", "webinar", "referral", "newsletter", "vip", "trial")
TASK_TITLES = ("Call back", "Send proposal", "Schedule demo", "Follow up on quote", "Send contract",
               "Ask for a review", "Confirm booking")
NOTE_BODIES = ("Scored 80+ in Rankr; strong buying signals.", "Opened the last three emails.",
               "Asked about annual pricing.", "Prefers SMS.", "Visited the pricing page twice this week.",
               "Referred by an existing customer.", "Not ready before next quarter.")
APPT_TITLES = ("Discovery call", "Demo", "Consultation", "Onboarding session")


def _iso(t: dt.datetime, offset_hours: int = 0) -> str:
    tz = dt.timezone(dt.timedelta(hours=offset_hours))
    return t.astimezone(tz).isoformat(timespec="seconds")


def _export(stream: str, record: dict) -> dict:
    names = FIELDS[stream]
    return {names[k]: v for k, v in record.items() if v is not None}


class _Builder:
    """Builds one export; every choice comes from one seeded `random.Random`."""

    def __init__(self, seed: int, contacts: int):
        self.rng = random.Random(f"rankr-export:{seed}")
        self.n_contacts = contacts
        self.records: dict[str, list[dict]] = {s: [] for s in STREAMS}
        self.counters = dict.fromkeys(STREAMS, 0)
        self.invalid: list[dict] = []

    def next_id(self, stream: str) -> str:
        self.counters[stream] += 1
        return f"{ID_PREFIX[stream]}{self.counters[stream]:06d}"

    def add(self, stream: str, record: dict, invalid_because: str | None = None) -> None:
        if invalid_because:
            self.invalid.append({"stream": stream, "rankrId": record["rankr_id"], "why": invalid_because})
        self.records[stream].append(record)

    def when(self, days_min: int, days_max: int) -> dt.datetime:
        minutes = self.rng.randint(days_min * 1440, days_max * 1440)
        return EXPORTED_AT + dt.timedelta(minutes=minutes - minutes % 15)

    def contact(self, i: int) -> dict:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rid = self.next_id("contacts")
        return {"rankr_id": rid, "email": f"{first}.{last}.{i}@{rng.choice(DOMAINS)}".lower(),
                "first_name": first, "last_name": last,
                "phone": f"+1512{rng.randint(2000000, 9999999)}" if rng.random() < 0.7 else None,
                "company": rng.choice(COMPANIES), "source": "Rankr",
                "tags": sorted(rng.sample(TAGS[1:], rng.randint(0, 2)) + ["rankr"]),
                "custom_fields": {"lead_score": rng.randint(1, 100)},
                "updated_at": _iso(self.when(-120, -1))}

    def children(self, contact_id: str) -> None:
        rng = self.rng
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            due = self.when(-10, 30)
            status = "completed" if due < EXPORTED_AT and rng.random() < 0.6 else "open"
            self.add("tasks", {"rankr_id": self.next_id("tasks"), "contact": contact_id,
                               "title": rng.choice(TASK_TITLES),
                               "body": rng.choice(NOTE_BODIES) if rng.random() < 0.5 else None,
                               "due": _iso(due, rng.choice((-5, -6, 0, 1))), "status": status,
                               "updated_at": _iso(self.when(-30, -1))})
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            self.add("notes", {"rankr_id": self.next_id("notes"), "contact": contact_id,
                               "body": rng.choice(NOTE_BODIES), "created_at": _iso(self.when(-60, -1))})
        if rng.random() < 0.2:
            start = self.when(2, 40).replace(hour=rng.randint(14, 21), minute=rng.choice((0, 30)))
            self.add("appointments", {
                "rankr_id": self.next_id("appointments"), "contact": contact_id, "title": rng.choice(APPT_TITLES),
                "start": _iso(start, -5), "end": _iso(start + dt.timedelta(minutes=rng.choice((30, 45, 60))), -5),
                "status": rng.choice(("confirmed", "confirmed", "new")), "updated_at": _iso(self.when(-20, -1))})
        if rng.random() < 0.3:
            self.add("tags", {"rankr_id": self.next_id("tags"), "contact": contact_id,
                              "tags": sorted(rng.sample(TAGS[1:], rng.randint(1, 2)))})

    def invalid_records(self, valid_contact: str) -> None:
        """A handful of records a real export carries: the destination must reject each with a reason."""
        self.add("contacts", dict(self.contact(self.n_contacts + 1), email=None), "no email")
        self.add("contacts", dict(self.contact(self.n_contacts + 2), email="not-an-email"), "malformed email")
        self.add("contacts", dict(self.contact(self.n_contacts + 3), last_name=None), "no last name")
        self.add("tasks", {"rankr_id": self.next_id("tasks"), "contact": valid_contact, "title": "Call back",
                           "due": "2026-12-03T10:00:00", "status": "open", "updated_at": _iso(EXPORTED_AT)},
                 "due date without a UTC offset")
        self.add("tasks", {"rankr_id": self.next_id("tasks"), "contact": valid_contact, "title": "Send proposal",
                           "due": _iso(self.when(1, 5)), "status": "done", "updated_at": _iso(EXPORTED_AT)},
                 "unknown status 'done'")
        self.add("notes", {"rankr_id": self.next_id("notes"), "contact": "rk_c_999999",
                           "body": "Contact deleted in Rankr.", "created_at": _iso(EXPORTED_AT)},
                 "refers to a contact that is not in the export")
        self.add("notes", {"rankr_id": self.next_id("notes"), "contact": valid_contact, "body": "",
                           "created_at": _iso(EXPORTED_AT)}, "empty note")
        start = self.when(3, 10)
        self.add("appointments", {"rankr_id": self.next_id("appointments"), "contact": valid_contact,
                                  "title": "Demo", "start": _iso(start, -5),
                                  "end": _iso(start - dt.timedelta(minutes=30), -5), "status": "confirmed",
                                  "updated_at": _iso(EXPORTED_AT)}, "ends before it starts")

    def build(self) -> "_Builder":
        ids = []
        for i in range(1, self.n_contacts + 1):
            c = self.contact(i)
            self.add("contacts", c)
            ids.append(c["rankr_id"])
            self.children(c["rankr_id"])
        self.invalid_records(ids[0])
        return self


def generate(out_dir: Path | str = SHIPPED_DIR, *, seed: int = DEFAULT_SEED,
             contacts: int = DEFAULT_CONTACTS) -> Path:
    """Write `<stream>.jsonl` per object and `manifest.json` into out_dir; returns out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    b = _Builder(seed, contacts).build()
    counts = {}
    for stream in STREAMS:
        lines = [json.dumps(_export(stream, r), ensure_ascii=False, sort_keys=True) for r in b.records[stream]]
        (out / f"{stream}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        counts[stream] = len(lines)
    manifest = {"format": "rankr-export", "version": 1, "exported_at": _iso(EXPORTED_AT),
                "generator": {"module": "demo.rankr_export", "seed": seed, "contacts": contacts},
                "files": {s: f"{s}.jsonl" for s in STREAMS}, "counts": counts,
                "invalid_on_purpose": b.invalid}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def read_manifest(export_dir: Path | str) -> dict:
    return json.loads((Path(export_dir) / "manifest.json").read_text(encoding="utf-8"))


def iter_records(export_dir: Path | str, stream: str):
    """The export's records of one stream, in file order."""
    with open(Path(export_dir) / f"{stream}.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m demo.rankr_export", description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(SHIPPED_DIR))
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--contacts", type=int, default=DEFAULT_CONTACTS)
    a = p.parse_args(argv)
    out = generate(a.out, seed=a.seed, contacts=a.contacts)
    print(f"wrote {out} ({read_manifest(out)['counts']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
