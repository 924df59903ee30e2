"""Small shared helpers: ids, timestamps, JSON."""
from __future__ import annotations

import base64
import datetime as _dt
import random
import re
import string
import time
import uuid

import orjson

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


_ID_TABLE = bytes(ord(ALNUM[i % 62]) for i in range(256))


def new_id(rng: random.Random, n: int = 20) -> str:
    """A GHL-style 20-character alphanumeric id."""
    return rng.randbytes(n).translate(_ID_TABLE).decode()


def object_id(rng: random.Random) -> str:
    """A Mongo ObjectId-looking 24-hex id (GHL uses these for businesses)."""
    return "".join(rng.choices(HEX, k=24))


def trace_id() -> str:
    return str(uuid.uuid4())


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_ms(ms: int) -> str:
    """Epoch ms -> ISO 8601 UTC with milliseconds and Z, e.g. 2021-07-02T05:18:26.704Z."""
    s, m = divmod(int(ms), 1000)
    t = time.gmtime(s)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t[0], t[1], t[2], t[3], t[4], t[5], m)


def space_time(ms: int) -> str:
    """Epoch ms -> 'YYYY-MM-DD HH:MM:SS' (the zone-less format of appointment-for-contact times)."""
    t = time.gmtime(int(ms) // 1000)
    return "%04d-%02d-%02d %02d:%02d:%02d" % (t[0], t[1], t[2], t[3], t[4], t[5])


# ASCII digits only (Python's \d and int() also take other scripts' digits, which no JSON client means). The
# offset is bounded as in validator.js's isISO8601 (class-validator's IsISO8601): hours 00-23, minutes 00-59.
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$", re.ASCII
)
# Latest time the sandbox stores: the end of year 9999 in epoch ms (what an ISO 8601 date can say).
MAX_TIME_MS = 253_402_300_799_999


def parse_time_ms(value, *, require_offset: bool = False) -> int | None:
    """Lenient timestamp parser: ISO 8601 (Z, offset or none = UTC), space separated, or epoch ms.

    Returns epoch milliseconds, or None when the value cannot be parsed.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if -MAX_TIME_MS <= value <= MAX_TIME_MS else None  # also refuses inf and nan
    if not isinstance(value, str):
        return None
    s = value.strip()
    if s.isascii() and s.isdigit():
        return int(s) if len(s) <= 15 and int(s) <= MAX_TIME_MS else None
    m = _ISO_RE.match(s)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    if require_offset and not tz:
        return None
    try:
        dt = _dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0),
                          int((frac or "0")[:6].ljust(6, "0")), tzinfo=_dt.timezone.utc)
    except ValueError:
        return None
    ms = int((dt - _EPOCH).total_seconds() * 1000)
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        t = tz[1:].replace(":", "")
        ms -= sign * (int(t[:2]) * 3600 + int(t[2:]) * 60) * 1000
    return ms


_DOB_RE = re.compile(r"^(\d{1,4})[-/._](\d{1,2})[-/._](\d{1,4})$", re.ASCII)


def parse_dob(value) -> str | None:
    """GHL accepts YYYY-MM-DD, MM/DD/YYYY, and those with '.', '_' or '-' separators (and ISO datetimes).

    Returns 'YYYY-MM-DD' or None if invalid.
    """
    if not isinstance(value, str):
        return None
    s = value.strip()
    if "T" in s:
        s = s.split("T", 1)[0]
    m = _DOB_RE.match(s)
    if not m:
        return None
    a, b, c = m.groups()
    if len(a) == 4:
        y, mo, d = int(a), int(b), int(c)
    elif len(c) == 4:
        mo, d, y = int(a), int(b), int(c)
    else:
        return None
    try:
        _dt.date(y, mo, d)
    except ValueError:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def dob_to_ms(dob: str) -> int:
    y, mo, d = (int(x) for x in dob.split("-"))
    return int((_dt.datetime(y, mo, d, tzinfo=_dt.timezone.utc) - _EPOCH).total_seconds() * 1000)


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def valid_email(value) -> bool:
    return isinstance(value, str) and bool(_EMAIL_RE.match(value))


def normalize_phone(value: str | None) -> str | None:
    """GHL stores phones in E.164; US numbers without a country code get +1."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    digits = "".join(ch for ch in s if ch.isdigit())
    if not digits:
        return None
    if s.startswith("+"):
        return "+" + digits
    if len(digits) == 10:
        return "+1" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    return "+" + digits


def dumps(obj) -> bytes:
    return orjson.dumps(obj)


def loads(data):
    return orjson.loads(data)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
