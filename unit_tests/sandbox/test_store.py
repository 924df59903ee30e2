"""The SQLite store: records round-trip, lookups, ordering, cascades, snapshot/restore."""
import orjson

from ghl_sandbox.seed import seed_store
from ghl_sandbox.store import Store


def _store(n=50, seed=3):
    s = Store()
    seed_store(s, seed, n)
    return s


def test_seeded_counts_and_round_trip():
    s = _store()
    loc = s.location_ids()[0]
    assert s.count_contacts(loc) == 50
    c = s.all_contacts(loc)[0]
    assert s.get_contact(c["id"]) == c
    assert s.contact_location(c["id"]) == loc
    assert s.get_contact("nope") is None


def test_find_by_email_is_case_insensitive_and_phone_exact():
    s = _store()
    loc = s.location_ids()[0]
    c = next(c for c in s.all_contacts(loc) if c.get("email") and c.get("phone"))
    assert s.find_contact_by(loc, "email", c["email"].upper())["id"] == c["id"]
    assert s.find_contact_by(loc, "phone", c["phone"])["id"] == c["id"]
    assert s.find_contact_by(loc, "email", c["email"], exclude_id=c["id"]) is None


def test_list_is_newest_date_added_first_with_cursor():
    s = _store(80)
    loc = s.location_ids()[0]
    seen = []
    cursor = (None, None)
    while True:
        rows, total, before = s.list_contacts(loc, 15, cursor[0], cursor[1], None)
        assert total == 80
        assert before == len(seen)
        seen += rows
        if len(rows) < 15:
            break
        cursor = (rows[-1][0], rows[-1][1]["id"])
    assert len(seen) == 80
    keys = [(ms, c["id"]) for ms, c in seen]
    assert keys == sorted(keys, reverse=True)
    assert len({c["id"] for _, c in seen}) == 80


def test_delete_contact_cascades():
    s = _store(200)
    loc = s.location_ids()[0]
    cid = s.conn.execute("SELECT contact_id FROM tasks GROUP BY contact_id LIMIT 1").fetchone()[0]
    assert s.tasks_raw(cid)
    s.delete_contact(cid, 1)
    assert s.get_contact(cid) is None
    assert s.tasks_raw(cid) == []
    assert s.notes_raw(cid) == []
    assert s.appointments_raw(cid) == []
    rows = s.search_tasks(loc, contact_ids=[cid], limit=100)
    assert rows and all(r["deleted"] for r in rows)


def test_snapshot_restore():
    s = _store()
    loc = s.location_ids()[0]
    before = s.counts()
    c = s.all_contacts(loc)[0]
    s.take_snapshot()
    s.delete_contact(c["id"], 1)
    s.conn.execute("DELETE FROM notes")
    assert s.counts() != before
    s.restore_snapshot()
    assert s.counts() == before
    assert s.get_contact(c["id"]) == c


def test_notes_raw_are_exact_json_documents():
    s = _store(200)
    cid = s.conn.execute("SELECT contact_id FROM notes GROUP BY contact_id LIMIT 1").fetchone()[0]
    notes = [orjson.loads(b) for b in s.notes_raw(cid)]
    assert notes and all(n["contactId"] == cid for n in notes)
    assert [n["dateAdded"] for n in notes] == sorted((n["dateAdded"] for n in notes), reverse=True)
