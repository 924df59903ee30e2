"""Durable event storage: one SQLite file (default) or PostgreSQL (several replicas).

`insert` returns only once the event is committed (SQLite `synchronous=FULL`, PostgreSQL's commit), so an
answer of 2xx means stored. Anything that stops a commit (a locked database, a full disk, a lost
connection) raises `Unavailable`, which the receiver answers with 429, the one status GHL retries.

Each stored event gets a `seq`, the cursor the source reads after. Cursor order must be commit order, or a
reader could pass a row that commits later with a smaller `seq`: SQLite has one writer at a time anyway;
PostgreSQL inserts take a transaction-scoped advisory lock before drawing the `seq`, so replicas commit in
`seq` order.
"""
from __future__ import annotations

import sqlite3
import threading
import time

import orjson

PG_LOCK_KEY = 0x6768_6C77  # "ghlw": serialises seq assignment with commit across replicas


class Unavailable(Exception):
    """Storage cannot commit now (retry later)."""


def event_ids(event: dict) -> tuple[str | None, str | None]:
    """(objectId, contactId) of a GHL event: appointment events nest their record under `appointment`."""
    rec = event.get("appointment") if isinstance(event.get("appointment"), dict) else event
    object_id = rec.get("id")
    contact_id = rec.get("contactId")
    if event["type"].startswith("Contact"):
        contact_id = object_id
    return (str(object_id) if object_id is not None else None, str(contact_id) if contact_id is not None else None)


def _row(seq, webhook_id, location_id, typ, object_id, contact_id, ts, received_at, payload) -> dict:
    return {"cursor": seq, "webhookId": webhook_id, "locationId": location_id, "type": typ, "objectId": object_id,
            "contactId": contact_id, "timestamp": ts, "receivedAt": received_at,
            "payload": orjson.loads(payload)}


COLUMNS = "seq, webhook_id, location_id, type, object_id, contact_id, event_timestamp, received_at, payload"
INSERTED = "webhook_id, location_id, type, object_id, contact_id, event_timestamp, received_at, payload"


def _values(event: dict, body: bytes) -> tuple:
    """The INSERTED columns' values of one event, received now."""
    object_id, contact_id = event_ids(event)
    return (event["webhookId"], event["locationId"], event["type"], object_id, contact_id, event["timestamp"],
            time.time(), body.decode("utf-8"))


def _read_query(table: str, mark: str, after: int, location_id: str | None, limit: int) -> tuple[str, list]:
    """Events after the cursor `after` (of one location, if given), oldest first; `mark`: the driver's
    placeholder."""
    sql = f"SELECT {COLUMNS} FROM {table} WHERE seq > {mark}"
    args: list = [after]
    if location_id:
        sql += f" AND location_id = {mark}"
        args.append(location_id)
    sql += f" ORDER BY seq LIMIT {mark}"
    args.append(limit)
    return sql, args


class SqliteStore:
    def __init__(self, path: str, busy_timeout_ms: int = 5000, max_db_mb: float | None = None):
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.max_db_mb = max_db_mb
        self._local = threading.local()
        conn = self._conn()
        conn.executescript("""
            CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                webhook_id TEXT NOT NULL UNIQUE,
                location_id TEXT NOT NULL,
                type TEXT NOT NULL,
                object_id TEXT,
                contact_id TEXT,
                event_timestamp TEXT NOT NULL,
                received_at REAL NOT NULL,
                payload TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS events_location_seq ON events (location_id, seq);
        """)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # a commit survives power loss, not only a crash
            if self.max_db_mb:
                page = conn.execute("PRAGMA page_size").fetchone()[0]
                conn.execute(f"PRAGMA max_page_count={max(16, int(self.max_db_mb * 1024 * 1024 / page))}")
            self._local.conn = conn
        return conn

    def insert(self, event: dict, body: bytes) -> bool:
        """True if stored, False if this webhookId is already stored."""
        try:
            cur = self._conn().execute(f"INSERT OR IGNORE INTO events ({INSERTED}) VALUES (?,?,?,?,?,?,?,?)",
                                       _values(event, body))
        except sqlite3.OperationalError as e:  # locked, full, read-only, I/O error
            raise Unavailable(str(e)) from e
        return cur.rowcount == 1

    def read(self, after: int, location_id: str | None, limit: int) -> list[dict]:
        sql, args = _read_query("events", "?", after, location_id, limit)
        try:
            return [_row(*r) for r in self._conn().execute(sql, args)]
        except sqlite3.OperationalError as e:
            raise Unavailable(str(e)) from e

    def count(self) -> int:
        return self._conn().execute("SELECT count(*) FROM events").fetchone()[0]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class PostgresStore:
    def __init__(self, dsn: str, connect_timeout: float = 5.0):
        import psycopg

        self._psycopg = psycopg
        self.dsn = dsn
        self.connect_timeout = connect_timeout
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute("""
                CREATE TABLE IF NOT EXISTS ghl_webhook_events (
                    seq BIGSERIAL PRIMARY KEY,
                    webhook_id TEXT NOT NULL UNIQUE,
                    location_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    object_id TEXT,
                    contact_id TEXT,
                    event_timestamp TEXT NOT NULL,
                    received_at DOUBLE PRECISION NOT NULL,
                    payload TEXT NOT NULL)""")
            conn.execute("CREATE INDEX IF NOT EXISTS ghl_webhook_events_location_seq "
                         "ON ghl_webhook_events (location_id, seq)")

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = self._psycopg.connect(self.dsn, connect_timeout=self.connect_timeout)
            except self._psycopg.Error as e:
                raise Unavailable(type(e).__name__) from e  # the message may carry the DSN
            self._local.conn = conn
        return conn

    def _run(self, fn):
        conn = self._conn()
        try:
            with conn.transaction():
                return fn(conn)
        except (self._psycopg.OperationalError, self._psycopg.InterfaceError) as e:
            conn.close()  # reconnect on the next call
            raise Unavailable(type(e).__name__) from e

    def insert(self, event: dict, body: bytes) -> bool:
        def tx(conn):
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_KEY,))
            cur = conn.execute(f"INSERT INTO ghl_webhook_events ({INSERTED}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) "
                               "ON CONFLICT (webhook_id) DO NOTHING", _values(event, body))
            return cur.rowcount == 1

        return self._run(tx)

    def read(self, after: int, location_id: str | None, limit: int) -> list[dict]:
        sql, args = _read_query("ghl_webhook_events", "%s", after, location_id, limit)
        return self._run(lambda conn: [_row(*r) for r in conn.execute(sql, args).fetchall()])

    def count(self) -> int:
        return self._run(lambda conn: conn.execute("SELECT count(*) FROM ghl_webhook_events").fetchone()[0])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()


def open_store(settings) -> SqliteStore | PostgresStore:
    if settings.postgres_dsn:
        return PostgresStore(settings.postgres_dsn)
    return SqliteStore(settings.db, settings.sqlite_busy_timeout_ms, settings.max_db_mb)
