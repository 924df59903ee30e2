"""SQLite store for the sandbox.

One connection, used only from the server's event-loop thread. Each record is kept as the exact JSON
document GHL returns for it (orjson bytes in `data`), next to the few columns needed to find, order and
filter it. `search_index` is a separate copy of the contacts that `/contacts/search` reads: with a search
lag it trails the primary table, like GHL's eventually-consistent search index.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterable, Iterator

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS locations(
    id TEXT PRIMARY KEY, name TEXT, company_id TEXT, allow_duplicates INTEGER NOT NULL DEFAULT 0,
    upsert_match TEXT NOT NULL DEFAULT 'email_phone', position INTEGER, data BLOB);
CREATE TABLE IF NOT EXISTS users(id TEXT PRIMARY KEY, location_id TEXT, data BLOB);
CREATE TABLE IF NOT EXISTS businesses(id TEXT PRIMARY KEY, location_id TEXT, name TEXT);
CREATE TABLE IF NOT EXISTS custom_fields(
    id TEXT PRIMARY KEY, location_id TEXT, field_key TEXT, model TEXT, data_type TEXT, position INTEGER,
    data BLOB);
CREATE TABLE IF NOT EXISTS calendars(id TEXT PRIMARY KEY, location_id TEXT, position INTEGER, data BLOB);
CREATE TABLE IF NOT EXISTS contacts(
    id TEXT PRIMARY KEY, location_id TEXT NOT NULL, email_lower TEXT, phone TEXT, business_id TEXT,
    date_added INTEGER NOT NULL, date_updated INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS contacts_loc_added ON contacts(location_id, date_added, id);
CREATE INDEX IF NOT EXISTS contacts_loc_email ON contacts(location_id, email_lower);
CREATE INDEX IF NOT EXISTS contacts_loc_phone ON contacts(location_id, phone);
CREATE INDEX IF NOT EXISTS contacts_loc_biz ON contacts(location_id, business_id, date_added);
CREATE TABLE IF NOT EXISTS search_index(
    id TEXT PRIMARY KEY, location_id TEXT NOT NULL, date_added INTEGER NOT NULL,
    date_updated INTEGER NOT NULL, first_lower TEXT NOT NULL DEFAULT '', last_lower TEXT NOT NULL DEFAULT '',
    full_lower TEXT NOT NULL DEFAULT '', email_lower TEXT NOT NULL DEFAULT '',
    company_lower TEXT NOT NULL DEFAULT '', business_lower TEXT NOT NULL DEFAULT '', data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS si_loc_updated ON search_index(location_id, date_updated, id);
CREATE INDEX IF NOT EXISTS si_loc_added ON search_index(location_id, date_added, id);
CREATE TABLE IF NOT EXISTS tasks(
    id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, location_id TEXT NOT NULL, date_added INTEGER NOT NULL,
    date_updated INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_contact ON tasks(contact_id, date_added);
CREATE INDEX IF NOT EXISTS tasks_loc ON tasks(location_id, date_added, id);
CREATE TABLE IF NOT EXISTS notes(
    id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, location_id TEXT NOT NULL, date_added INTEGER NOT NULL,
    data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS notes_contact ON notes(contact_id, date_added);
CREATE TABLE IF NOT EXISTS appointments(
    id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, location_id TEXT NOT NULL, calendar_id TEXT,
    start_time INTEGER NOT NULL, date_added INTEGER NOT NULL, date_updated INTEGER NOT NULL,
    data BLOB NOT NULL, time_suffix TEXT);
CREATE INDEX IF NOT EXISTS appts_contact ON appointments(contact_id, start_time);
"""

_dumps = orjson.dumps
_loads = orjson.loads


def _lower(v) -> str:
    return v.lower() if isinstance(v, str) else ""


def search_row(c: dict, business_name: str | None) -> tuple:
    """The search_index row for a contact record (GET-by-id shape)."""
    return (
        c["id"], c["locationId"], c["_dateAddedMs"], c["_dateUpdatedMs"],
        _lower(c.get("firstName")), _lower(c.get("lastName")),
        _lower(c.get("fullNameLowerCase") or c.get("contactName")), _lower(c.get("email")),
        _lower(c.get("companyName")), _lower(business_name), None,
    )


class Store:
    def __init__(self, path: str | None = None):
        self.path = path or ":memory:"
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA journal_mode=MEMORY" if self.path == ":memory:" else "PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("PRAGMA cache_size=-200000")
        self.conn.executescript(SCHEMA)
        self._snapshot: sqlite3.Connection | None = None
        self.business_names: dict[str, str] = {}
        self._in_tx = False

    # -- transactions, snapshot -------------------------------------------------------------------
    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        if self._in_tx:
            yield self.conn
            return
        self._in_tx = True
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_tx = False

    def take_snapshot(self) -> None:
        """Copy the whole database aside (in memory) so reset() can restore the seeded state quickly."""
        snap = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.backup(snap)
        self._snapshot = snap

    def restore_snapshot(self) -> None:
        if self._snapshot is None:
            raise RuntimeError("no snapshot")
        self._snapshot.backup(self.conn)
        self._load_business_names()

    def _load_business_names(self) -> None:
        self.business_names = {r[0]: r[1] for r in self.conn.execute("SELECT id, name FROM businesses")}

    # -- reference data ---------------------------------------------------------------------------
    def insert_locations(self, rows: Iterable[tuple]) -> None:
        self.conn.executemany(
            "INSERT INTO locations(id, name, company_id, allow_duplicates, upsert_match, position, data)"
            " VALUES (?,?,?,?,?,?,?)", rows)

    def location_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM locations ORDER BY position")]

    def location(self, location_id: str) -> dict | None:
        r = self.conn.execute(
            "SELECT id, name, company_id, allow_duplicates, upsert_match FROM locations WHERE id=?",
            (location_id,)).fetchone()
        if not r:
            return None
        return {"id": r[0], "name": r[1], "companyId": r[2], "allowDuplicates": bool(r[3]),
                "upsertMatch": r[4]}

    def set_location_settings(self, location_id: str, allow_duplicates=None, upsert_match=None) -> None:
        if allow_duplicates is not None:
            self.conn.execute("UPDATE locations SET allow_duplicates=? WHERE id=?",
                              (1 if allow_duplicates else 0, location_id))
        if upsert_match is not None:
            self.conn.execute("UPDATE locations SET upsert_match=? WHERE id=?", (upsert_match, location_id))

    def insert_users(self, rows) -> None:
        self.conn.executemany("INSERT INTO users(id, location_id, data) VALUES (?,?,?)", rows)

    def users(self, location_id: str) -> list[dict]:
        return [_loads(r[0]) for r in self.conn.execute(
            "SELECT data FROM users WHERE location_id=? ORDER BY rowid", (location_id,))]

    def insert_businesses(self, rows) -> None:
        rows = list(rows)
        self.conn.executemany("INSERT INTO businesses(id, location_id, name) VALUES (?,?,?)", rows)
        for r in rows:
            self.business_names[r[0]] = r[2]

    def businesses(self, location_id: str) -> list[tuple[str, str]]:
        return list(self.conn.execute(
            "SELECT id, name FROM businesses WHERE location_id=? ORDER BY rowid", (location_id,)))

    def insert_custom_fields(self, rows) -> None:
        self.conn.executemany(
            "INSERT INTO custom_fields(id, location_id, field_key, model, data_type, position, data)"
            " VALUES (?,?,?,?,?,?,?)", rows)

    def custom_fields(self, location_id: str, model: str | None = "contact") -> list[dict]:
        if model in (None, "all"):
            cur = self.conn.execute(
                "SELECT data FROM custom_fields WHERE location_id=? ORDER BY model, position", (location_id,))
        else:
            cur = self.conn.execute(
                "SELECT data FROM custom_fields WHERE location_id=? AND model=? ORDER BY position",
                (location_id, model))
        return [_loads(r[0]) for r in cur]

    def insert_calendars(self, rows) -> None:
        self.conn.executemany("INSERT INTO calendars(id, location_id, position, data) VALUES (?,?,?,?)", rows)

    def calendars(self, location_id: str) -> list[dict]:
        return [_loads(r[0]) for r in self.conn.execute(
            "SELECT data FROM calendars WHERE location_id=? ORDER BY position", (location_id,))]

    def calendar(self, calendar_id: str) -> dict | None:
        r = self.conn.execute("SELECT data FROM calendars WHERE id=?", (calendar_id,)).fetchone()
        return _loads(r[0]) if r else None

    # -- contacts ---------------------------------------------------------------------------------
    @staticmethod
    def contact_row(c: dict) -> tuple:
        return (c["id"], c["locationId"], _lower(c.get("email")) or None, c.get("phone"), c.get("businessId"),
                c["_dateAddedMs"], c["_dateUpdatedMs"], _dumps(_public(c)))

    def insert_contacts(self, contacts: list[dict], index: bool = True) -> None:
        self.conn.executemany(
            "INSERT INTO contacts(id, location_id, email_lower, phone, business_id, date_added, date_updated,"
            " data) VALUES (?,?,?,?,?,?,?,?)", [self.contact_row(c) for c in contacts])
        if index:
            self.conn.executemany(
                "INSERT OR REPLACE INTO search_index(id, location_id, date_added, date_updated, first_lower,"
                " last_lower, full_lower, email_lower, company_lower, business_lower, data)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [self._search_row(c) for c in contacts])

    def _search_row(self, c: dict) -> tuple:
        row = list(search_row(c, self.business_names.get(c.get("businessId") or "")))
        row[-1] = _dumps(_public(c))
        return tuple(row)

    def replace_contact(self, c: dict) -> None:
        self.conn.execute(
            "UPDATE contacts SET email_lower=?, phone=?, business_id=?, date_added=?, date_updated=?, data=?"
            " WHERE id=?", self.contact_row(c)[2:] + (c["id"],))

    def get_contact(self, contact_id: str) -> dict | None:
        r = self.conn.execute("SELECT data FROM contacts WHERE id=?", (contact_id,)).fetchone()
        return _loads(r[0]) if r else None

    def get_contact_raw(self, contact_id: str) -> tuple[str, bytes] | None:
        return self.conn.execute("SELECT location_id, data FROM contacts WHERE id=?", (contact_id,)).fetchone()

    def contact_location(self, contact_id: str) -> str | None:
        r = self.conn.execute("SELECT location_id FROM contacts WHERE id=?", (contact_id,)).fetchone()
        return r[0] if r else None

    def delete_contact(self, contact_id: str, now: int) -> None:
        with self.tx():
            self.conn.execute("DELETE FROM contacts WHERE id=?", (contact_id,))
            self.conn.execute("DELETE FROM notes WHERE contact_id=?", (contact_id,))
            self.conn.execute("DELETE FROM appointments WHERE contact_id=?", (contact_id,))
            self.conn.execute("UPDATE tasks SET deleted=1, date_updated=? WHERE contact_id=? AND deleted=0",
                              (now, contact_id))

    def find_contact_by(self, location_id: str, field: str, value: str, exclude_id: str | None = None):
        col = {"email": "email_lower", "phone": "phone"}[field]
        if field == "email":
            value = value.lower()
        r = self.conn.execute(
            f"SELECT data FROM contacts WHERE location_id=? AND {col}=? AND id IS NOT ?"
            " ORDER BY date_added, id LIMIT 1", (location_id, value, exclude_id)).fetchone()
        return _loads(r[0]) if r else None

    def count_contacts(self, location_id: str) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM contacts WHERE location_id=?", (location_id,)).fetchone()[0]

    def list_contacts(self, location_id: str, limit: int, start_after: int | None, start_after_id: str | None,
                      query: str | None) -> tuple[list[tuple[int, dict]], int, int]:
        """GET /contacts/ order: newest dateAdded first, then id (descending). Returns rows, total, before."""
        where = ["location_id=?"]
        params: list = [location_id]
        if query:
            where.append(_QUERY_SQL)
            params += [f"%{query.lower()}%"] * _QUERY_N
        base_where = " AND ".join(where)
        total = self.conn.execute(f"SELECT COUNT(*) FROM contacts WHERE {base_where}", params).fetchone()[0]
        cur_where = list(where)
        cur_params = list(params)
        if start_after is not None:
            if start_after_id:
                cur_where.append("(date_added < ? OR (date_added = ? AND id < ?))")
                cur_params += [start_after, start_after, start_after_id]
            else:
                cur_where.append("date_added < ?")
                cur_params.append(start_after)
        w = " AND ".join(cur_where)
        rows = [(r[0], _loads(r[1])) for r in self.conn.execute(
            f"SELECT date_added, data FROM contacts WHERE {w} ORDER BY date_added DESC, id DESC LIMIT ?",
            cur_params + [limit])]
        before = total - self.conn.execute(f"SELECT COUNT(*) FROM contacts WHERE {w}", cur_params).fetchone()[0]
        return rows, total, before

    def contacts_by_business(self, location_id: str, business_id: str, limit: int, skip: int,
                             query: str | None) -> tuple[list[dict], int]:
        where = "location_id=? AND business_id=?"
        params: list = [location_id, business_id]
        if query:
            where += " AND " + _QUERY_SQL
            params += [f"%{query.lower()}%"] * _QUERY_N
        total = self.conn.execute(f"SELECT COUNT(*) FROM contacts WHERE {where}", params).fetchone()[0]
        rows = [_loads(r[0]) for r in self.conn.execute(
            f"SELECT data FROM contacts WHERE {where} ORDER BY date_added DESC, id DESC LIMIT ? OFFSET ?",
            params + [limit, skip])]
        return rows, total

    def all_contacts(self, location_id: str | None = None) -> list[dict]:
        if location_id:
            cur = self.conn.execute(
                "SELECT data FROM contacts WHERE location_id=? ORDER BY date_added, id", (location_id,))
        else:
            cur = self.conn.execute("SELECT data FROM contacts ORDER BY location_id, date_added, id")
        return [_loads(r[0]) for r in cur]

    def random_contact_ids(self, location_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM contacts WHERE location_id=? ORDER BY id", (location_id,))]

    # -- search index -----------------------------------------------------------------------------
    def index_contact(self, contact_id: str) -> None:
        """Copy a contact's current state into the search index (or drop it if it no longer exists)."""
        c = self.get_contact(contact_id)
        if c is None:
            self.conn.execute("DELETE FROM search_index WHERE id=?", (contact_id,))
            return
        from .records import contact_internal_ms  # local import: avoid a cycle
        contact_internal_ms(c)
        self.conn.execute(
            "INSERT OR REPLACE INTO search_index(id, location_id, date_added, date_updated, first_lower,"
            " last_lower, full_lower, email_lower, company_lower, business_lower, data)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)", self._search_row(c))

    # -- tasks ------------------------------------------------------------------------------------
    def insert_tasks(self, rows) -> None:
        """rows: (id, contact_id, location_id, date_added, date_updated, deleted, data-bytes)."""
        self.conn.executemany(
            "INSERT INTO tasks(id, contact_id, location_id, date_added, date_updated, deleted, data)"
            " VALUES (?,?,?,?,?,?,?)", rows)

    def tasks_raw(self, contact_id: str) -> list[bytes]:
        return [r[0] for r in self.conn.execute(
            "SELECT data FROM tasks WHERE contact_id=? AND deleted=0 ORDER BY date_added, id", (contact_id,))]

    def get_task(self, task_id: str):
        r = self.conn.execute(
            "SELECT contact_id, location_id, date_added, date_updated, deleted, data FROM tasks WHERE id=?",
            (task_id,)).fetchone()
        if not r:
            return None
        return {"contact_id": r[0], "location_id": r[1], "date_added": r[2], "date_updated": r[3],
                "deleted": bool(r[4]), "task": _loads(r[5])}

    def update_task(self, task_id: str, task: dict, date_updated: int) -> None:
        self.conn.execute("UPDATE tasks SET data=?, date_updated=? WHERE id=?", (_dumps(task), date_updated, task_id))

    def delete_task(self, task_id: str, now: int) -> None:
        self.conn.execute("UPDATE tasks SET deleted=1, date_updated=? WHERE id=?", (now, task_id))

    def search_tasks(self, location_id: str, contact_ids=None, completed=None, assigned_to=None, query=None,
                     business_contact_ids=None, limit: int = 25, skip: int = 0):
        where = ["location_id=?"]
        params: list = [location_id]
        if contact_ids:
            where.append(f"contact_id IN ({','.join('?' * len(contact_ids))})")
            params += list(contact_ids)
        if business_contact_ids is not None:
            if not business_contact_ids:
                return []
            where.append(f"contact_id IN ({','.join('?' * len(business_contact_ids))})")
            params += list(business_contact_ids)
        if completed is not None:
            where.append("json_extract(data, '$.completed') = ?")
            params.append(1 if completed else 0)
        if assigned_to:
            where.append(f"json_extract(data, '$.assignedTo') IN ({','.join('?' * len(assigned_to))})")
            params += list(assigned_to)
        if query:
            where.append("(instr(lower(json_extract(data, '$.title')), ?) > 0"
                         " OR instr(lower(coalesce(json_extract(data, '$.body'), '')), ?) > 0)")
            params += [query.lower(), query.lower()]
        sql = (f"SELECT location_id, date_added, date_updated, deleted, data FROM tasks WHERE {' AND '.join(where)}"
               " ORDER BY date_added DESC, id DESC LIMIT ? OFFSET ?")
        return [{"location_id": r[0], "date_added": r[1], "date_updated": r[2], "deleted": bool(r[3]),
                 "task": _loads(r[4])} for r in self.conn.execute(sql, params + [limit, skip])]

    def all_tasks(self, location_id: str | None = None) -> list[dict]:
        if location_id:
            cur = self.conn.execute("SELECT data FROM tasks WHERE location_id=? AND deleted=0"
                                    " ORDER BY contact_id, date_added, id", (location_id,))
        else:
            cur = self.conn.execute("SELECT data FROM tasks WHERE deleted=0 ORDER BY contact_id, date_added, id")
        return [_loads(r[0]) for r in cur]

    # -- notes ------------------------------------------------------------------------------------
    def insert_notes(self, rows) -> None:
        """rows: (id, contact_id, location_id, date_added, data-bytes)."""
        self.conn.executemany(
            "INSERT INTO notes(id, contact_id, location_id, date_added, data) VALUES (?,?,?,?,?)", rows)

    def notes_raw(self, contact_id: str) -> list[bytes]:
        return [r[0] for r in self.conn.execute(
            "SELECT data FROM notes WHERE contact_id=? ORDER BY date_added DESC, id DESC", (contact_id,))]

    def get_note(self, note_id: str):
        r = self.conn.execute("SELECT contact_id, data FROM notes WHERE id=?", (note_id,)).fetchone()
        return (r[0], _loads(r[1])) if r else None

    def update_note(self, note_id: str, note: dict) -> None:
        self.conn.execute("UPDATE notes SET data=? WHERE id=?", (_dumps(note), note_id))

    def delete_note(self, note_id: str) -> None:
        self.conn.execute("DELETE FROM notes WHERE id=?", (note_id,))

    def all_notes(self, location_id: str | None = None) -> list[dict]:
        if location_id:
            cur = self.conn.execute(
                "SELECT data FROM notes WHERE location_id=? ORDER BY contact_id, date_added, id", (location_id,))
        else:
            cur = self.conn.execute("SELECT data FROM notes ORDER BY contact_id, date_added, id")
        return [_loads(r[0]) for r in cur]

    # -- appointments -----------------------------------------------------------------------------
    def insert_appointments(self, rows) -> None:
        """rows: (id, contact_id, location_id, calendar_id, start_time, date_added, date_updated, data)."""
        self.conn.executemany(
            "INSERT INTO appointments(id, contact_id, location_id, calendar_id, start_time, date_added,"
            " date_updated, data) VALUES (?,?,?,?,?,?,?,?)", rows)

    def get_appointment(self, event_id: str) -> tuple[int, dict, str | None] | None:
        """(date_updated, event, time suffix the client wrote its times with) of one appointment, or None."""
        r = self.conn.execute("SELECT date_updated, data, time_suffix FROM appointments WHERE id=?",
                              (event_id,)).fetchone()
        return (r[0], _loads(r[1]), r[2]) if r else None

    def set_appointment_suffix(self, event_id: str, suffix: str | None) -> None:
        self.conn.execute("UPDATE appointments SET time_suffix=? WHERE id=?", (suffix, event_id))

    def update_appointment(self, event: dict, start_time: int, date_updated: int) -> None:
        """Store an edited event; its calendar and start may have moved (the per-contact list orders by start)."""
        self.conn.execute("UPDATE appointments SET calendar_id=?, start_time=?, date_updated=?, data=? WHERE id=?",
                          (event["calendarId"], start_time, date_updated, _dumps(event), event["id"]))

    def delete_appointment(self, event_id: str) -> None:
        self.conn.execute("DELETE FROM appointments WHERE id=?", (event_id,))

    def appointments_raw(self, contact_id: str) -> list[bytes]:
        return [r[0] for r in self.conn.execute(
            "SELECT data FROM appointments WHERE contact_id=? ORDER BY start_time, id", (contact_id,))]

    def location_timezone(self, location_id: str) -> str | None:
        """The IANA timezone of the location's settings (GET /locations/{id} `timezone`)."""
        r = self.conn.execute("SELECT data FROM locations WHERE id=?", (location_id,)).fetchone()
        return _loads(r[0]).get("timezone") if r and r[0] else None

    def appointments_in_window(self, location_id: str, calendar_ids: list[str], start_ms: int,
                               end_ms: int) -> list[dict]:
        """The location's events of these calendars whose start lies in [start_ms, end_ms], by start."""
        if not calendar_ids:
            return []
        marks = ",".join("?" * len(calendar_ids))
        cur = self.conn.execute(
            f"SELECT data FROM appointments WHERE location_id=? AND calendar_id IN ({marks})"
            " AND start_time BETWEEN ? AND ? ORDER BY start_time, id",
            (location_id, *calendar_ids, start_ms, end_ms))
        return [_loads(r[0]) for r in cur]

    def all_appointments(self, location_id: str | None = None) -> list[dict]:
        if location_id:
            cur = self.conn.execute("SELECT data FROM appointments WHERE location_id=?"
                                    " ORDER BY contact_id, start_time, id", (location_id,))
        else:
            cur = self.conn.execute("SELECT data FROM appointments ORDER BY contact_id, start_time, id")
        return [_loads(r[0]) for r in cur]

    def counts(self) -> dict:
        out = {}
        for t in ("locations", "contacts", "search_index", "tasks", "notes", "appointments", "calendars",
                  "custom_fields"):
            out[t] = self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        return out


_QUERY_COLUMNS = ("json_extract(data, '$.firstName')", "json_extract(data, '$.lastName')",
                  "json_extract(data, '$.email')", "json_extract(data, '$.phone')",
                  "json_extract(data, '$.companyName')")
_QUERY_SQL = "(" + " OR ".join(f"lower(coalesce({c}, '')) LIKE ?" for c in _QUERY_COLUMNS) + ")"
_QUERY_N = len(_QUERY_COLUMNS)


def _public(c: dict) -> dict:
    """Drop the internal helper keys (prefixed with _) from a record."""
    return {k: v for k, v in c.items() if k[0] != "_"}
