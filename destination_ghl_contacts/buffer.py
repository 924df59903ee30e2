"""Records waiting to be written, on disk: memory stays bounded whatever the input size.

Every incoming record is appended to a temporary SQLite file, and the flusher reads it back in small batches:
contacts first, then the records that refer to them, so contacts are written before their tasks, notes,
appointments and tags even when the streams interleave. The same file holds the directory of contacts
written in this sync (Rankr id / email -> GHL id) that children are resolved against.

A child whose contact has not arrived yet stays here (on disk) until the contact comes, or until the end of
the input, when it is looked up in GHL or rejected; the STATE messages after it wait with it.
"""

import os
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import orjson

CONTACTS = "contacts"


@dataclass
class Item:
    seq: int
    obj: str
    stream: str
    key: str
    data: Dict[str, Any]


class Buffer:
    def __init__(self, directory: Optional[str] = None):
        handle, self.path = tempfile.mkstemp(prefix="ghl-destination-", suffix=".sqlite", dir=directory)
        os.close(handle)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE pending (seq INTEGER PRIMARY KEY, obj TEXT, stream TEXT, key TEXT, data BLOB,
                                  is_contact INTEGER);
            CREATE INDEX pending_kind ON pending (is_contact, seq);
            CREATE TABLE by_rankr (rankr_id TEXT PRIMARY KEY, ghl_id TEXT);
            CREATE TABLE by_email (email TEXT PRIMARY KEY, ghl_id TEXT);
            CREATE TABLE new_contacts (ghl_id TEXT, obj TEXT, PRIMARY KEY (ghl_id, obj));
            """
        )
        self._seq = 0

    def add(self, obj: str, stream: str, key: str, data: Dict[str, Any]) -> None:
        self._seq += 1
        with self._lock:
            self._db.execute("INSERT INTO pending VALUES (?, ?, ?, ?, ?, ?)",
                             (self._seq, obj, stream, key, orjson.dumps(data), int(obj == CONTACTS)))

    @property
    def last_seq(self) -> int:
        return self._seq

    def oldest_pending(self) -> Optional[int]:
        """The seq of the oldest record not yet written or rejected (None: nothing pending)."""
        with self._lock:
            return self._db.execute("SELECT min(seq) FROM pending").fetchone()[0]

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM pending").fetchone()[0]

    def batch(self, contacts: bool, limit: int, after_seq: int = 0) -> List[Item]:
        """The oldest pending contacts (or children) after `after_seq`, at most `limit`."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, obj, stream, key, data FROM pending WHERE is_contact = ? AND seq > ? ORDER BY seq LIMIT ?",
                (int(contacts), after_seq, limit)).fetchall()
        return [Item(seq, obj, stream, key, orjson.loads(data)) for seq, obj, stream, key, data in rows]

    def done(self, items: List[Item]) -> None:
        with self._lock:
            self._db.executemany("DELETE FROM pending WHERE seq = ?", [(i.seq,) for i in items])

    # -- the directory of contacts --------------------------------------------------------------
    def remember(self, ghl_id: str, rankr_id: Optional[str], email: Optional[str]) -> None:
        with self._lock:
            if rankr_id:
                self._db.execute("INSERT OR REPLACE INTO by_rankr VALUES (?, ?)", (rankr_id, ghl_id))
            if email:
                self._db.execute("INSERT OR REPLACE INTO by_email VALUES (?, ?)", (email.strip().lower(), ghl_id))

    def contact_for_rankr(self, rankr_id: str) -> Optional[str]:
        with self._lock:
            row = self._db.execute("SELECT ghl_id FROM by_rankr WHERE rankr_id = ?", (rankr_id,)).fetchone()
        return row[0] if row else None

    def mark_new(self, ghl_id: str, objs: List[str]) -> None:
        """`ghl_id` was created by this sync: it holds none of `objs` (tasks, notes) written by this destination."""
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO new_contacts VALUES (?, ?)", [(ghl_id, o) for o in objs])

    def take_new(self, ghl_id: str, obj: str) -> bool:
        """True once per (contact, obj) that `mark_new` marked: the first writer of the contact's `obj` may
        start from an empty listing; every later one reads GHL, which then holds what the first wrote."""
        with self._lock:
            return self._db.execute("DELETE FROM new_contacts WHERE ghl_id = ? AND obj = ?",
                                    (ghl_id, obj)).rowcount > 0

    def contact_for_email(self, email: str) -> Optional[str]:
        with self._lock:
            row = self._db.execute("SELECT ghl_id FROM by_email WHERE email = ?", (email.strip().lower(),)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self._db.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
