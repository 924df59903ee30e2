"""Which record is which: the idempotency key of each incoming record, and who owns a GHL contact.

The key of a record, in order:
1. its Rankr id (`rankrId`, any string or integer);
2. else the configured stream's primary key (`primary_key` of the ConfiguredAirbyteStream, else the
   stream's `source_defined_primary_key`), its values joined with `/`;
3. else a content key: for a contact its email; for a task its contact reference, title and due date; for a
   note its contact reference and body; for an appointment its contact reference and start time; for a tag
   record its contact reference and tags. A content key is stable only while those fields stay the same: a
   task whose title changes is a new task under a content key (give the stream a primary key to avoid it).

Tasks, notes and appointments carry their key as a marker in their text (GHL has no external id on them):
`[rankr:<id>]` for a Rankr id (what every earlier version wrote), `[key:<value>]` for a primary key or a
content key (`c-<hash>`).

Ownership: two records with different keys may not become one GHL contact. At intake, in input order (so
every replay decides the same way), each contact record claims its email, its phone (digits) and its ghlId;
a claim already held by another key rejects the later record. When GHL's own duplicate rule still joins two
records (GHL matched something the claims cannot see), the first to be written owns the GHL id. Across
syncs, the key stored in `rankr_id_custom_field` names the owner.
"""

import hashlib
import os
import re
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence
from urllib.parse import quote

from airbyte_cdk.models import ConfiguredAirbyteCatalog

# The reserved field in which a buffered record carries its key to the writers.
KEY_FIELD = "_ghl_destination_key"
RANKR, PRIMARY_KEY, CONTENT = "rankr", "primary_key", "content"
_REFERENCES = ("contactId", "contactRankrId", "contactEmail")
_MARKER_SAFE = "-_.~:@/+="


@dataclass(frozen=True)
class RecordKey:
    kind: str  # RANKR, PRIMARY_KEY or CONTENT
    value: str

    @property
    def stable(self) -> bool:
        """A key that survives any change of the record's content (what a delete or a reference needs)."""
        return self.kind != CONTENT

    def as_field(self) -> Dict[str, str]:
        return {"kind": self.kind, "value": self.value}


def primary_keys(catalog: Optional[ConfiguredAirbyteCatalog]) -> Dict[str, List[List[str]]]:
    """stream name -> the primary key its connection declares (list of field paths); streams without one are
    left out."""
    keys: Dict[str, List[List[str]]] = {}
    for configured in (catalog.streams if catalog else None) or []:
        declared = configured.primary_key or configured.stream.source_defined_primary_key
        paths = [list(path) for path in declared or [] if path]
        if paths:
            keys[configured.stream.name] = paths
    return keys


def _text(value: Any) -> Optional[str]:
    """An id of any string or integer form as text; None for nothing usable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)):
        text = str(value).strip()
        return text or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _at(data: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _primary_key_value(data: Mapping[str, Any], paths: Optional[List[List[str]]]) -> Optional[str]:
    if not paths:
        return None
    parts = [_text(_at(data, path)) for path in paths]
    return "/".join(parts) if all(parts) else None  # type: ignore[arg-type]


def _digest(*parts: Any) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return "c-" + hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:20]


def _reference(data: Mapping[str, Any]) -> str:
    for field in _REFERENCES:
        value = _text(data.get(field))
        if value:
            return f"{field}={value.lower() if field == 'contactEmail' else value}"
    return ""


def _utc(value: Any) -> str:
    from destination_ghl_contacts.mapping import utc_seconds  # a late import: mapping imports this module

    try:
        return utc_seconds(str(value))
    except (TypeError, ValueError):
        return str(value)


def _content_value(obj: str, data: Mapping[str, Any]) -> Optional[str]:
    if obj == "contacts":
        email = data.get("email")
        return email.strip().lower() if isinstance(email, str) and email.strip() else None
    ref = _reference(data)
    if obj == "tasks":
        return _digest(obj, ref, data.get("title"), _utc(data.get("dueDate")))
    if obj == "notes":
        return _digest(obj, ref, data.get("body"))
    if obj == "appointments":
        return _digest(obj, ref, _utc(data.get("startTime")))
    if obj == "tags":
        return _digest(obj, ref, *sorted(str(t) for t in data.get("tags") or []))
    return None


def key_of(obj: str, data: Mapping[str, Any], raw: Mapping[str, Any],
           paths: Optional[List[List[str]]]) -> Optional[RecordKey]:
    """The key of a record (`data` after field mappings, `raw` as it came: a primary key names the source's
    fields); None when it has no field to build one from."""
    rankr = _text(data.get("rankrId"))
    if rankr:
        return RecordKey(RANKR, rankr)
    declared = _primary_key_value(raw, paths) or _primary_key_value(data, paths)
    if declared:
        return RecordKey(PRIMARY_KEY, declared)
    content = _content_value(obj, data)
    return RecordKey(CONTENT, content) if content else None


def attach(record: Dict[str, Any], key: Optional[RecordKey]) -> Dict[str, Any]:
    if key is not None:
        record[KEY_FIELD] = key.as_field()
    return record


def key_in(record: Mapping[str, Any]) -> RecordKey:
    """The key `attach` stored in a buffered record (one built without it: its Rankr id)."""
    stored = record.get(KEY_FIELD)
    if not isinstance(stored, Mapping):
        rankr = _text(record.get("rankrId"))
        return RecordKey(RANKR, rankr) if rankr else RecordKey(CONTENT, "")
    return RecordKey(stored.get("kind", CONTENT), str(stored.get("value", "")))


def printable_key(key: Optional[RecordKey]) -> str:
    """How a record is named in the report: its key's value (a content key of a child shows as `c-<hash>`)."""
    if key is None or not key.value:
        return "(no key)"
    return key.value.encode("utf-8", "backslashreplace").decode("utf-8")


def stable_value(record: Mapping[str, Any]) -> Optional[str]:
    """The Rankr id or primary key of a buffered record (what children refer to and the custom field stores)."""
    key = key_in(record)
    return key.value if key.stable and key.value else None


def marker(record: Mapping[str, Any]) -> str:
    """The text that finds a task, note or appointment again."""
    key = key_in(record)
    prefix = "rankr" if key.kind == RANKR else "key"
    return f"[{prefix}:{quote(key.value, safe=_MARKER_SAFE)}]"


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


class Identity:
    """The keys and owners of one sync: the declared primary keys, the intake claims, the GHL owners.

    Claims live in a temporary SQLite file (like the buffer), so memory stays bounded whatever the input size.
    """

    def __init__(self, keys: Optional[Dict[str, List[List[str]]]] = None, directory: Optional[str] = None):
        self.primary_keys = dict(keys or {})
        self._directory = directory
        self._db: Optional[sqlite3.Connection] = None  # opened on the first claim
        self.path: Optional[str] = None
        self._lock = threading.Lock()

    def key(self, obj: str, stream: str, data: Dict[str, Any], raw: Mapping[str, Any]) -> Optional[RecordKey]:
        """The record's key; integer ids in `data` become text, so they match however they were sent."""
        for field in ("rankrId", "contactRankrId"):
            if isinstance(data.get(field), int) and not isinstance(data.get(field), bool):
                data[field] = str(data[field])
        return key_of(obj, data, raw, self.primary_keys.get(stream))

    def claim(self, obj: str, key: Optional[RecordKey], record: Mapping[str, Any],
              location_id: str = "") -> Optional[str]:
        """Why the record may not be written under `key` (another record owns its contact in the location), or
        None."""
        if obj != "contacts" or key is None or record.get("deleted") is True or record.get("_ab_cdc_deleted_at"):
            return None
        return self.claim_contact(key, record, location_id)

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            handle, self.path = tempfile.mkstemp(prefix="ghl-destination-claims-", suffix=".sqlite",
                                                 dir=self._directory)
            os.close(handle)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                                   "CREATE TABLE claims (what TEXT PRIMARY KEY, owner TEXT);")
        return self._db

    def claim_contact(self, key: RecordKey, record: Mapping[str, Any], location_id: str = "") -> Optional[str]:
        """Claim the record's email, phone and ghlId for `key`; the reason it may not, naming the other owner."""
        location = location_id
        wanted = []
        if isinstance(record.get("ghlId"), str) and record["ghlId"]:
            wanted.append(("ghl id", record["ghlId"]))
        if isinstance(record.get("email"), str) and record["email"].strip():
            wanted.append(("email", record["email"].strip().lower()))
        if len(_digits(record.get("phone"))) >= 7:
            wanted.append(("phone", _digits(record.get("phone"))))
        owner_of = self._claim([f"{location}|{kind}|{value}" for kind, value in wanted], _owner_id(key))
        for (kind, value), owner in zip(wanted, owner_of):
            if owner != _owner_id(key):
                return conflict_reason(owner_name(owner), f"{kind} {value}")
        return None

    def own(self, location_id: str, ghl_id: str, key: RecordKey) -> Optional[str]:
        """Make `key` the owner of GHL contact `ghl_id` unless another key owns it already (then its name)."""
        owner = self._claim([f"{location_id}|contact|{ghl_id}"], _owner_id(key))[0]
        return None if owner == _owner_id(key) else owner_name(owner)

    def _claim(self, names: List[str], owner: str) -> List[str]:
        """Each name's owner after claiming the free ones for `owner` (all or nothing: a record that conflicts
        on one name takes none, so it does not block later records)."""
        with self._lock:
            db = self._open()
            held = {}
            for name in names:
                row = db.execute("SELECT owner FROM claims WHERE what = ?", (name,)).fetchone()
                held[name] = row[0] if row else None
            if all(h in (None, owner) for h in held.values()):
                db.executemany("INSERT OR IGNORE INTO claims VALUES (?, ?)", [(n, owner) for n in names])
                return [owner for _ in names]
            return [held[n] or owner for n in names]

    def close(self) -> None:
        with self._lock:
            if self._db is None:
                return
            self._db.close()
            self._db = None
            try:
                os.unlink(self.path or "")
            except OSError:
                pass


def _owner_id(key: RecordKey) -> str:
    return f"{key.kind}:{key.value}"


def owner_name(owner: str) -> str:
    kind, _, value = owner.partition(":")
    return {RANKR: "Rankr id", PRIMARY_KEY: "primary key", CONTENT: "email"}.get(kind, kind) + f" {value}"


def conflict_reason(other: str, shared: str) -> str:
    return (f"identity conflict: the {shared} is that of the record with {other}, which came first and keeps "
            "the GHL contact; two records may not share one contact. Merge them at the source, or give each "
            "its own email and phone")
