"""Hypothesis strategies for destination input: valid Rankr records (with odd but allowed content: unicode of
every plane, right-to-left and zero-width marks, maximum lengths, nulls in nullable fields) and the same records
broken in one known way (a required field missing, a wrong type, an invalid email, a date without offset, a
string over its maximum, ...), each break with the field its rejection reason must name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from hypothesis import strategies as st

from destination_ghl_contacts.identity import key_of

# Any character a JSON document can carry (no lone surrogates: the protocol cannot encode them).
ODD_TEXT = st.characters(blacklist_categories=("Cs",))
WEIRD = st.sampled_from(["Zoë", "李小龍", "עִברִית", "\u202eevil\u202c", "a\u200bb", "😀🎉", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "O'Brien",
                         "<script>alert(1)</script>", "Robert'); DROP TABLE contacts;--", "\\n\\t", "  padded  "])


def text(min_size: int = 1, max_size: int = 100) -> st.SearchStrategy[str]:
    return st.one_of(WEIRD.filter(lambda s: min_size <= len(s) <= max_size),
                     st.text(ODD_TEXT, min_size=min_size, max_size=max_size))


@dataclass
class Case:
    """One incoming record and what must happen to it."""

    stream: str
    data: Dict[str, Any]
    broken: Optional[str] = None  # None: valid and must land; else the field the rejection reason names

    @property
    def key(self) -> str:
        """How the report names the record: its Rankr id when it is one (a string or an integer), else (no primary
        key in this catalog but rankrId) its content key: a contact's email, a child's digest."""
        rankr_id = self.data.get("rankrId")
        if _is_id(rankr_id) and str(rankr_id).strip():
            return str(int(rankr_id) if isinstance(rankr_id, float) else rankr_id).strip()
        content = key_of(self.stream, {k: v for k, v in self.data.items() if k != "rankrId"}, {}, None)
        return content.value if content else "(no key)"


def _is_id(value: Any) -> bool:
    return not isinstance(value, bool) and (isinstance(value, (int, str))
                                            or (isinstance(value, float) and value.is_integer()))


def _not_an_id(value: Any) -> bool:
    return not _is_id(value)


NOT_A_STRING = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(st.integers(), max_size=2),
                         st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
BAD_EMAILS = st.one_of(st.sampled_from(["plainaddress", "@no-local.example.com", "a@b", "a b@c.example.com",
                                        "a@@b.example.com", "", "lead@exa mple.com", "lead@example.", "lead.example.com"]),
                       st.text(ODD_TEXT, max_size=30).filter(lambda s: "@" not in s))
NO_OFFSET = st.sampled_from(["2026-12-03T10:00:00", "2026-12-03 10:00", "2026-12-03", "12/03/2026 10:00", "tomorrow",
                             "2026-12-03T10:00:00.123456"])
# Per stream: (field, strategy of a value that breaks it, or DROP to remove it); the reason must name the field.
DROP = object()
BREAKS: Dict[str, List[Tuple[str, st.SearchStrategy]]] = {
    "contacts": [
        # rankrId is optional and any string or integer: only an empty one, or another type, is broken
        ("rankrId", st.one_of(st.just(""), NOT_A_STRING.filter(_not_an_id))),
        ("email", st.one_of(st.just(DROP), BAD_EMAILS, NOT_A_STRING, st.none())),
        ("firstName", st.one_of(st.just(DROP), st.just(""), NOT_A_STRING, st.none(), st.text(ODD_TEXT, min_size=101, max_size=300))),
        ("lastName", st.one_of(st.just(DROP), st.just(""), NOT_A_STRING, st.none())),
        ("phone", st.sampled_from(["call me", "12", "+1 (555) 010-0000 ext. 99999999", "☎️555"])),
        ("country", st.sampled_from(["usa", "U", "United States", "de"])),
        ("dateOfBirth", st.one_of(NO_OFFSET.filter(lambda s: s != "2026-12-03"), st.just("1990/01/31"))),
        ("tags", st.one_of(st.text(max_size=10), st.lists(st.one_of(st.just(""), st.integers()), min_size=1, max_size=3))),
        ("customFields", st.one_of(st.text(max_size=10), st.lists(st.integers(), max_size=2))),
        ("updatedAt", NO_OFFSET),
        ("companyName", st.text(ODD_TEXT, min_size=201, max_size=400)),
    ],
    "tasks": [
        ("rankrId", st.just("")),
        ("title", st.one_of(st.just(DROP), st.just(""), NOT_A_STRING, st.none())),
        ("dueDate", st.one_of(st.just(DROP), NO_OFFSET, NOT_A_STRING)),
        ("status", st.one_of(st.just(DROP), st.sampled_from(["done", "OPEN", "", "closed"]), NOT_A_STRING)),
        ("contactRankrId", st.just(DROP)),  # no contact reference left
        ("body", st.text(ODD_TEXT, min_size=5001, max_size=5100)),
    ],
    "notes": [
        ("body", st.one_of(st.just(DROP), st.just(""), st.none(), NOT_A_STRING)),
        ("contactRankrId", st.one_of(st.just(DROP), st.just(""))),
        ("createdAt", NO_OFFSET),
    ],
    "tags": [
        ("tags", st.one_of(st.just(DROP), st.just([]), st.lists(st.one_of(st.just(""), st.integers(), st.none()), min_size=1, max_size=3), st.text(max_size=5))),
        ("rankrId", st.just("")),
    ],
    "appointments": [
        ("startTime", st.one_of(st.just(DROP), NO_OFFSET)),
        ("endTime", st.one_of(st.just(DROP), NO_OFFSET, st.just("2026-12-01T09:00:00+00:00"))),  # before startTime
        ("status", st.sampled_from(["booked", "", "Confirmed"])),
        ("title", st.one_of(st.just(DROP), st.just(""))),
    ],
}
# The reason may name the field by its schema path or say what is missing
REASON_WORDS = {"contactRankrId": ("contactRankrId", "contact reference")}


def reason_names(broken: str, reason: str) -> bool:
    return any(word in reason for word in REASON_WORDS.get(broken, (broken,)))


@st.composite
def valid_record(draw, stream: str, n: int, tag: str, contact_rankr_id: str) -> Dict[str, Any]:
    """A valid record of `stream`; `n` and `tag` make ids and emails unique across examples."""
    if stream == "contacts":
        data = {"rankrId": f"rk_c_{tag}_{n}", "email": f"{tag}.{n}@hypothesis.example.com",
                "firstName": draw(text(1, 100)), "lastName": draw(text(1, 100))}
        for field, values in (("companyName", text(1, 200)), ("city", text(1, 60)), ("source", text(1, 100)),
                              ("phone", st.none()), ("tags", st.none()), ("customFields", st.none()),
                              ("country", st.sampled_from(["US", "DE", None])),
                              ("dateOfBirth", st.sampled_from(["1990-01-31", None]))):
            if draw(st.booleans()):
                data[field] = draw(values)
        return data
    ref = {"contactRankrId": contact_rankr_id}
    if stream == "tasks":
        return {"rankrId": f"rk_t_{tag}_{n}", **ref, "title": draw(text(1, 500)), "body": draw(st.one_of(st.none(), text(1, 300))),
                "dueDate": draw(st.sampled_from(["2026-12-03T10:00:00+01:00", "2026-12-03T10:00:00Z", "2027-01-31T23:59:59.5-08:00"])),
                "status": draw(st.sampled_from(["open", "completed"]))}
    if stream == "notes":
        return {"rankrId": f"rk_n_{tag}_{n}", **ref, "body": draw(text(1, 2000))}
    if stream == "tags":
        return {"rankrId": f"rk_g_{tag}_{n}", **ref, "tags": draw(st.lists(text(1, 30).filter(str.strip), min_size=1, max_size=3))}
    return {"rankrId": f"rk_a_{tag}_{n}", **ref, "title": draw(text(1, 100)), "startTime": f"2026-12-{1 + n % 27:02d}T15:{n % 60:02d}:00+00:00",
            "endTime": f"2026-12-{1 + n % 27:02d}T16:{n % 60:02d}:00+00:00", "status": "confirmed"}


@st.composite
def broken_record(draw, stream: str, n: int, tag: str, contact_rankr_id: str) -> Case:
    data = draw(valid_record(stream, n, tag, contact_rankr_id))
    field, values = draw(st.sampled_from(BREAKS[stream]))
    value = draw(values)
    if value is DROP:
        data.pop(field, None)
    else:
        data[field] = value
    return Case(stream, data, broken=field)


@st.composite
def batch(draw, tag: str, max_records: int = 6) -> List[Case]:
    """A valid contact first (the children's contact), then valid and broken records of every stream."""
    anchor = Case("contacts", draw(valid_record("contacts", 0, tag, "")))
    cases = [anchor]
    for n in range(1, draw(st.integers(1, max_records)) + 1):
        stream = draw(st.sampled_from(sorted(BREAKS)))
        if draw(st.booleans()):
            cases.append(draw(broken_record(stream, n, tag, anchor.data["rankrId"])))
        else:
            cases.append(Case(stream, draw(valid_record(stream, n, tag, anchor.data["rankrId"]))))
    return cases
