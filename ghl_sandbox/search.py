"""`POST /contacts/search`: filters, sort and paging over the search index (BEHAVIOUR 3.3).

* Top-level filters are ANDed; `{"group": "AND"|"OR", "filters": [...]}` nests.
* Operators: eq, not_eq, contains, not_contains, exists, not_exists, range ({gte, gt, lte, lt}).
  String comparisons ignore case. Dates in range filters may be ISO strings or epoch ms.
* Unknown field: 400 "Invalid field ...". Unknown operator: 400.
* Sort: `[{field, direction}]`; default dateAdded desc. Each record carries
  `searchAfter = [sort values (dates as epoch ms)..., id]`.
* Paging: `pageLimit` <= 500; `page` (1-based) only while page * pageLimit <= 10,000; past that use
  `searchAfter`; `page` together with `searchAfter` is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError, bad_request, unprocessable
from .spec_validation import MAX_SAFE
from .util import iso_ms, parse_time_ms

MAX_PAGE_LIMIT = 500
MAX_PAGED_RECORDS = 10_000
MAX_VALUE_LEN = 75

# field -> (kind, sql expression). kind: str | lstr (pre-lowercased column) | date | bool | array | dob
_J = "json_extract(data, '$.{}')"
FIELDS: dict[str, tuple[str, str]] = {
    "id": ("id", "id"),
    "dateAdded": ("date", "date_added"),
    "dateUpdated": ("date", "date_updated"),
    "firstNameLowerCase": ("lstr", "first_lower"),
    "firstName": ("lstr", "first_lower"),
    "lastNameLowerCase": ("lstr", "last_lower"),
    "lastName": ("lstr", "last_lower"),
    "fullNameLowerCase": ("lstr", "full_lower"),
    "contactName": ("lstr", "full_lower"),
    "email": ("lstr", "email_lower"),
    "companyName": ("lstr", "company_lower"),
    "businessName": ("lstr", "business_lower"),
    "phone": ("str", _J.format("phone")),
    "address": ("str", _J.format("address1")),
    "city": ("str", _J.format("city")),
    "state": ("str", _J.format("state")),
    "postalCode": ("str", _J.format("postalCode")),
    "country": ("str", _J.format("country")),
    "website": ("str", _J.format("website")),
    "source": ("str", _J.format("source")),
    "type": ("str", _J.format("type")),
    "timezone": ("str", _J.format("timezone")),
    "assignedTo": ("str", _J.format("assignedTo")),
    "businessId": ("str", _J.format("businessId")),
    "tags": ("array", "$.tags"),
    "followers": ("array", "$.followers"),
    "dnd": ("bool", _J.format("dnd")),
    "validEmail": ("valid_email", "email_lower"),
    "dateOfBirth": ("dob", _J.format("dateOfBirth")),
}
DND_CHANNELS = ("Call", "Email", "SMS", "WhatsApp", "GMB", "FB")
for _ch in DND_CHANNELS:
    FIELDS[f"dndSettings.{_ch}.status"] = ("str", f"json_extract(data, '$.dndSettings.{_ch}.status')")
FIELDS["inboundDndSettings.all.status"] = ("str", "json_extract(data, '$.inboundDndSettings.all.status')")

SORT_FIELDS = {
    "dateAdded": ("date_added", True),
    "dateUpdated": ("date_updated", True),
    "firstNameLowerCase": ("first_lower", False),
    "lastNameLowerCase": ("last_lower", False),
    "fullNameLowerCase": ("full_lower", False),
    "contactName": ("full_lower", False),
    "email": ("email_lower", False),
    "companyName": ("company_lower", False),
    "businessName": ("business_lower", False),
}
DEFAULT_SORT = [("dateAdded", "date_added", True, "desc")]
OPERATORS = ("eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range")


@dataclass
class SearchPlan:
    location_id: str
    where_sql: str
    params: list
    order_sql: str
    sort: list  # [(field, column, is_date, direction)]
    limit: int
    offset: int
    cursor_sql: str
    cursor_params: list


def _check_len(v) -> None:
    if isinstance(v, str) and len(v) > MAX_VALUE_LEN:
        raise unprocessable([f"filter value must be shorter than or equal to {MAX_VALUE_LEN} characters"])


def _values(value) -> list:
    vals = value if isinstance(value, list) else [value]
    for v in vals:
        _check_len(v)
    return vals


def _time(v, field: str) -> int:
    ms = parse_time_ms(v)
    if ms is None:
        raise bad_request(f"Invalid date value for field {field}: {v!r}")
    return ms


def _custom_field_clause(field: str, op: str, value) -> tuple[str, list]:
    cf_id = field.split(".", 1)[1]
    base = ("EXISTS (SELECT 1 FROM json_each(data, '$.customFields') AS cf WHERE "
            "json_extract(cf.value, '$.id') = ? AND {cond})")
    v = "lower(CAST(json_extract(cf.value, '$.value') AS TEXT))"
    if op in ("exists", "not_exists"):
        sql = base.format(cond="json_extract(cf.value, '$.value') IS NOT NULL")
        return (sql if op == "exists" else f"NOT {sql}"), [cf_id]
    if op in ("eq", "not_eq"):
        vals = [str(x).lower() for x in _values(value)]
        cond = f"({v} IN ({','.join('?' * len(vals))}) OR EXISTS (SELECT 1 FROM json_each(cf.value, '$.value') " \
               f"AS e WHERE e.type = 'text' AND lower(e.value) IN ({','.join('?' * len(vals))})))"
        sql = base.format(cond=cond)
        return (sql if op == "eq" else f"NOT {sql}"), [cf_id] + vals + vals
    if op in ("contains", "not_contains"):
        vals = [str(x).lower() for x in _values(value)]
        cond = "(" + " OR ".join(f"instr({v}, ?) > 0" for _ in vals) + ")"
        sql = base.format(cond=cond)
        return (sql if op == "contains" else f"NOT {sql}"), [cf_id] + vals
    if op == "range":
        if not isinstance(value, dict):
            raise bad_request("range value must be an object with gte, gt, lte or lt")
        conds, params = [], []
        for k, sym in (("gte", ">="), ("gt", ">"), ("lte", "<="), ("lt", "<")):
            if k in value:
                bound = value[k]
                # SQLite binds only scalars, and integers within 64 bits
                if isinstance(bound, bool) or not isinstance(bound, (int, float, str)) or (
                        isinstance(bound, int) and abs(bound) > MAX_SAFE):
                    raise unprocessable([f"range.{k} must be a number or a string"])
                conds.append(f"json_extract(cf.value, '$.value') {sym} ?")
                params.append(bound)
        return base.format(cond=" AND ".join(conds) or "1"), [cf_id] + params
    raise bad_request(f"Invalid operator {op}")


def compile_clause(f, depth: int = 0) -> tuple[str, list]:
    if not isinstance(f, dict):
        raise unprocessable(["each value in filters must be an object"])
    if "group" in f or ("filters" in f and "field" not in f):
        group = str(f.get("group", "AND")).upper()
        if group not in ("AND", "OR"):
            raise bad_request(f"Invalid group {f.get('group')}")
        subs = f.get("filters")
        if not isinstance(subs, list):
            raise unprocessable(["filters must be an array"])
        if depth > 4:
            raise bad_request("Filters are nested too deeply")
        parts, params = [], []
        for s in subs:
            sql, p = compile_clause(s, depth + 1)
            parts.append(f"({sql})")
            params += p
        if not parts:
            return "1", []
        return f" {group} ".join(parts), params
    field = f.get("field")
    op = f.get("operator")
    value = f.get("value")
    if not isinstance(field, str):
        raise bad_request("Invalid field undefined")
    if field.startswith("customFields.") or field.startswith("customField."):
        if op not in OPERATORS:
            raise bad_request(f"Invalid operator {op} for field {field}")
        return _custom_field_clause(field, op, value)
    spec = FIELDS.get(field)
    if spec is None:
        raise bad_request(f"Invalid field {field}")
    if op not in OPERATORS:
        raise bad_request(f"Invalid operator {op} for field {field}")
    kind, col = spec
    if op not in ("exists", "not_exists") and "value" not in f:
        raise unprocessable([f"value is required for operator {op}"])

    if kind == "array":
        if op in ("exists", "not_exists"):
            sql = f"coalesce(json_array_length(data, '{col}'), 0) > 0"
            return (sql if op == "exists" else f"NOT ({sql})"), []
        if op == "range":
            raise bad_request(f"Operator range is not supported for field {field}")
        vals = [str(v).lower() for v in _values(value)]
        if op in ("eq", "not_eq"):
            sql = (f"EXISTS (SELECT 1 FROM json_each(data, '{col}') AS e WHERE lower(e.value) IN "
                   f"({','.join('?' * len(vals))}))")
            return (sql if op == "eq" else f"NOT {sql}"), vals
        sql = ("EXISTS (SELECT 1 FROM json_each(data, '" + col + "') AS e WHERE "
               + " OR ".join("instr(lower(e.value), ?) > 0" for _ in vals) + ")")
        return (sql if op == "contains" else f"NOT {sql}"), vals

    if kind == "date":
        if op in ("exists", "not_exists"):
            return ("1" if op == "exists" else "0"), []
        if op == "range":
            if not isinstance(value, dict) or not any(k in value for k in ("gte", "gt", "lte", "lt")):
                raise bad_request("range value must be an object with gte, gt, lte or lt")
            conds, params = [], []
            for k, sym in (("gte", ">="), ("gt", ">"), ("lte", "<="), ("lt", "<")):
                if k in value:
                    conds.append(f"{col} {sym} ?")
                    params.append(_time(value[k], field))
            return " AND ".join(conds), params
        if op in ("eq", "not_eq"):
            vals = [_time(v, field) for v in _values(value)]
            sql = f"{col} IN ({','.join('?' * len(vals))})"
            return (sql if op == "eq" else f"NOT ({sql})"), vals
        raise bad_request(f"Operator {op} is not supported for field {field}")

    if kind == "dob":
        if op in ("exists", "not_exists"):
            return (f"{col} IS NOT NULL" if op == "exists" else f"{col} IS NULL"), []
        if op == "range":
            if not isinstance(value, dict):
                raise bad_request("range value must be an object with gte, gt, lte or lt")
            conds, params = [], []
            for k, sym in (("gte", ">="), ("gt", ">"), ("lte", "<="), ("lt", "<")):
                if k in value:
                    conds.append(f"{col} {sym} ?")
                    params.append(iso_ms(_time(value[k], field)))
            return " AND ".join(conds) or "1", params
        vals = [iso_ms(_time(v, field))[:10] for v in _values(value)]
        sql = f"substr({col}, 1, 10) IN ({','.join('?' * len(vals))})"
        if op == "eq":
            return sql, vals
        if op == "not_eq":
            return f"({col} IS NULL OR NOT ({sql}))", vals
        raise bad_request(f"Operator {op} is not supported for field {field}")

    if kind in ("bool", "valid_email"):
        if kind == "valid_email":
            col = f"({col} != '')"
        if op in ("exists", "not_exists"):
            return ("1" if op == "exists" else "0"), []
        if op not in ("eq", "not_eq"):
            raise bad_request(f"Operator {op} is not supported for field {field}")
        v = value
        if isinstance(v, str):
            v = v.lower() == "true"
        sql = f"coalesce({col}, 0) = ?"
        return (sql if op == "eq" else f"NOT ({sql})"), [1 if v else 0]

    # strings: id (exact), lstr (lowercased column), str (json value)
    if kind == "id":
        expr = "id"
        norm = str
    elif kind == "lstr":
        expr = col
        norm = lambda v: str(v).lower()  # noqa: E731
    else:
        expr = f"lower(coalesce({col}, ''))"
        norm = lambda v: str(v).lower()  # noqa: E731
    if op in ("exists", "not_exists"):
        sql = f"coalesce({col}, '') != ''"
        return (sql if op == "exists" else f"NOT ({sql})"), []
    if op == "range":
        if not isinstance(value, dict):
            raise bad_request("range value must be an object with gte, gt, lte or lt")
        conds, params = [], []
        for k, sym in (("gte", ">="), ("gt", ">"), ("lte", "<="), ("lt", "<")):
            if k in value:
                conds.append(f"{expr} {sym} ?")
                params.append(norm(value[k]))
        return " AND ".join(conds) or "1", params
    vals = [norm(v) for v in _values(value)]
    if op in ("eq", "not_eq"):
        sql = f"{expr} IN ({','.join('?' * len(vals))})"
        return (sql if op == "eq" else f"NOT ({sql})"), vals
    sql = "(" + " OR ".join(f"instr({expr}, ?) > 0" for _ in vals) + ")"
    return (sql if op == "contains" else f"NOT {sql}"), vals


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# The search grammar is absent from the spec (SearchBodyV2DTO declares no property; BEHAVIOUR 8), so this
# module checks the body itself, in the same 422 style as the spec layer.
SEARCH = frozenset({"locationId", "page", "pageLimit", "searchAfter", "filters", "sort", "query"})


def compile_search(body: dict) -> SearchPlan:
    if not isinstance(body, dict):
        raise unprocessable(["body must be an object"])
    errs = [f"property {k} should not exist" for k in body if k not in SEARCH]
    loc = body.get("locationId")
    if not loc:
        errs.append("locationId should not be empty")
    elif not isinstance(loc, str):
        errs.append("locationId must be a string")
    pl = body.get("pageLimit")
    if pl is None:
        errs.append("pageLimit must be a number conforming to the specified constraints")
    elif not _is_int(pl):
        errs.append("pageLimit must be an integer number")
    elif pl > MAX_PAGE_LIMIT:
        errs.append(f"pageLimit must not be greater than {MAX_PAGE_LIMIT}")
    elif pl < 1:
        errs.append("pageLimit must not be less than 1")
    page = body.get("page")
    if page is not None and (not _is_int(page) or page < 1):
        errs.append("page must not be less than 1")
    q = body.get("query")
    if q is not None and (not isinstance(q, str) or len(q) > MAX_VALUE_LEN):
        errs.append(f"query must be shorter than or equal to {MAX_VALUE_LEN} characters")
    if "filters" in body and not isinstance(body["filters"], list):
        errs.append("filters must be an array")
    if "sort" in body and not isinstance(body["sort"], list):
        errs.append("sort must be an array")
    sa = body.get("searchAfter")
    if sa is not None and not isinstance(sa, list):
        errs.append("searchAfter must be an array")
    if errs:
        raise unprocessable(errs)

    if sa is not None and page is not None:
        raise bad_request("page and searchAfter cannot be used together; use searchAfter alone for deep paging")
    page = page or 1
    if sa is None and page * pl > MAX_PAGED_RECORDS:
        raise bad_request(f"Page based pagination is limited to {MAX_PAGED_RECORDS} records "
                          f"(page * pageLimit). Use searchAfter to page deeper.")

    where = ["location_id = ?"]
    params: list = [loc]
    for f in body.get("filters") or []:
        sql, p = compile_clause(f)
        where.append(f"({sql})")
        params += p
    if q:
        ql = q.lower()
        where.append("(instr(full_lower, ?) > 0 OR instr(email_lower, ?) > 0 OR instr(company_lower, ?) > 0"
                     " OR instr(lower(coalesce(json_extract(data, '$.phone'), '')), ?) > 0)")
        params += [ql, ql, ql, ql]

    sort = []
    for s in body.get("sort") or []:
        if not isinstance(s, dict):
            raise unprocessable(["each value in sort must be an object"])
        field = s.get("field")
        direction = s.get("direction", "asc")
        if not isinstance(field, str) or not isinstance(direction, str):
            raise unprocessable(["sort.field and sort.direction must be strings"])
        direction = direction.lower()
        if field not in SORT_FIELDS:
            raise bad_request(f"Invalid sort field {field}")
        if direction not in ("asc", "desc"):
            raise bad_request(f"Invalid sort direction {s.get('direction')}")
        col, is_date = SORT_FIELDS[field]
        sort.append((field, col, is_date, direction))
    if len(sort) > 3:
        raise bad_request("At most 3 sort fields are allowed")
    if not sort:
        sort = list(DEFAULT_SORT)
    id_dir = sort[-1][3]
    order_sql = ", ".join(f"{col} {d.upper()}" for _, col, _, d in sort) + f", id {id_dir.upper()}"

    cursor_sql, cursor_params = "", []
    if sa is not None:
        if len(sa) != len(sort) + 1:
            raise bad_request(f"searchAfter must have {len(sort) + 1} values (the sort values and the id)")
        keys = [(col, d, (_time(v, f) if is_date else str(v).lower()))
                for (f, col, is_date, d), v in zip(sort, sa[:-1])]
        keys.append(("id", id_dir, str(sa[-1])))
        ors = []
        for i in range(len(keys)):
            conds = []
            for col, _d, v in keys[:i]:
                conds.append(f"{col} = ?")
                cursor_params.append(v)
            col, d, v = keys[i]
            conds.append(f"{col} {'>' if d == 'asc' else '<'} ?")
            cursor_params.append(v)
            ors.append("(" + " AND ".join(conds) + ")")
        cursor_sql = "(" + " OR ".join(ors) + ")"
    return SearchPlan(loc, " AND ".join(where), params, order_sql, sort, pl,
                      0 if sa is not None else (page - 1) * pl, cursor_sql, cursor_params)


def run_search(conn, plan: SearchPlan) -> tuple[list[tuple], int]:
    """Returns ([(data-bytes, sort values...)], total)."""
    total = conn.execute(f"SELECT COUNT(*) FROM search_index WHERE {plan.where_sql}", plan.params).fetchone()[0]
    where = plan.where_sql
    params = list(plan.params)
    if plan.cursor_sql:
        where += " AND " + plan.cursor_sql
        params += plan.cursor_params
    cols = ", ".join(col for _, col, _, _ in plan.sort)
    rows = conn.execute(
        f"SELECT data, {cols} FROM search_index WHERE {where} ORDER BY {plan.order_sql} LIMIT ? OFFSET ?",
        params + [plan.limit, plan.offset]).fetchall()
    return rows, total


def search_after_values(plan: SearchPlan, row: tuple, contact_id: str) -> list:
    return list(row[1:1 + len(plan.sort)]) + [contact_id]


__all__ = ["compile_search", "run_search", "search_after_values", "SearchPlan", "ApiError"]
