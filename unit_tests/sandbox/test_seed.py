"""Seed data: deterministic, realistic shapes and skewed child distributions."""
import re
import time
from collections import Counter

from ghl_sandbox.seed import seed_store
from ghl_sandbox.store import Store

ID = re.compile(r"^[A-Za-z0-9]{20}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _dump(seed, n=300, locations=1):
    s = Store()
    seed_store(s, seed, n, locations)
    return s, {"contacts": s.all_contacts(), "tasks": s.all_tasks(), "notes": s.all_notes(),
               "appointments": s.all_appointments()}


def test_same_seed_same_data_different_seed_different_data():
    _, a = _dump(5)
    _, b = _dump(5)
    _, c = _dump(6)
    assert a == b
    assert a["contacts"] != c["contacts"]


def test_record_shapes():
    s, d = _dump(5)
    for c in d["contacts"]:
        assert ID.match(c["id"])
        assert ISO.match(c["dateAdded"]) and ISO.match(c["dateUpdated"])
        assert c["dateUpdated"] >= c["dateAdded"]
        assert isinstance(c["tags"], list) and isinstance(c["customFields"], list)
        for cf in c["customFields"]:
            assert set(cf) == {"id", "value"}
    emails = [c["email"] for c in d["contacts"] if "email" in c]
    assert len(emails) == len(set(emails)), "seeded emails are unique (duplicate rule is on by default)"
    assert sum(1 for c in d["contacts"] if c.get("businessId")) > 0
    for t in d["tasks"]:
        assert set(t) <= {"id", "title", "body", "assignedTo", "dueDate", "completed", "contactId"}
        assert ISO.match(t["dueDate"])
    for n in d["notes"]:
        assert {"id", "body", "dateAdded", "contactId"} <= set(n)
    for a in d["appointments"]:
        assert {"id", "calendarId", "contactId", "startTime", "dateAdded", "dateUpdated"} <= set(a)


def test_dates_spread_over_about_two_years():
    _, d = _dump(5, 1000)
    added = sorted(c["dateAdded"] for c in d["contacts"])
    assert added[0][:4] == "2024" and added[-1][:4] == "2026"


def test_skewed_child_distributions():
    _, d = _dump(9, 2000)
    per = Counter(n["contactId"] for n in d["notes"])
    ids = [c["id"] for c in d["contacts"]]
    zero = sum(1 for i in ids if per[i] == 0)
    assert 0.3 * len(ids) < zero < 0.6 * len(ids), "many contacts have no notes"
    assert max(per.values()) >= 15, "some contacts have dozens of notes"
    tasks = Counter(t["contactId"] for t in d["tasks"])
    assert sum(1 for i in ids if tasks[i] == 0) > 0.4 * len(ids)


def test_locations_get_their_own_contacts():
    s, d = _dump(5, 40, locations=3)
    locs = s.location_ids()
    assert len(locs) == 3
    assert Counter(c["locationId"] for c in d["contacts"]) == {loc: 40 for loc in locs}
    assert all(len(s.calendars(loc)) == 2 for loc in locs)


def test_seeding_is_fast():
    t = time.time()
    s = Store()
    seed_store(s, 1, 10_000)
    assert time.time() - t < 10
    assert s.count_contacts(s.location_ids()[0]) == 10_000


def test_seed_is_independent_of_the_clock(monkeypatch):
    _, a = _dump(8, 200)
    import ghl_sandbox.util as util
    monkeypatch.setattr(util.time, "time", lambda: 4_000_000_000.0)
    _, b = _dump(8, 200)
    assert a == b


def test_large_seeds_are_cached(monkeypatch, tmp_path):
    from ghl_sandbox import app as app_mod
    from ghl_sandbox.app import Sandbox
    from ghl_sandbox.config import SandboxConfig

    monkeypatch.setattr(app_mod, "SEED_CACHE_MIN_CONTACTS", 10)
    monkeypatch.setenv("GHL_SANDBOX_CACHE_DIR", str(tmp_path))
    first = Sandbox(SandboxConfig(seed=2, contacts=50))
    second = Sandbox(SandboxConfig(seed=2, contacts=50))
    assert not first.seed_cached and second.seed_cached
    assert len(list(tmp_path.glob("seed-*.sqlite"))) == 1
    assert first.store.all_contacts() == second.store.all_contacts()
    assert first.store.all_notes() == second.store.all_notes()
    assert first.credentials()["private_integration_tokens"] == second.credentials()["private_integration_tokens"]
    assert [s.location_id for s in second.loc_seeds] == second.locations
    off = Sandbox(SandboxConfig(seed=2, contacts=50, seed_cache=False))
    assert not off.seed_cached
    third = Sandbox(SandboxConfig(seed=3, contacts=50))
    assert not third.seed_cached
