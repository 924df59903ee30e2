"""`POST /contacts/search`: filters, groups, operators, sort, paging limits, searchAfter."""
import pytest

from ghl_sandbox.errors import ApiError
from ghl_sandbox.search import compile_search
from ghl_sandbox.util import parse_time_ms

from .conftest import make_client


@pytest.fixture(scope="module")
def c():
    return make_client(seed=21, contacts=400)


def search(c, **body):
    body.setdefault("locationId", c.loc)
    body.setdefault("pageLimit", 500)
    r = c.post("/contacts/search", headers=c.h(), json=body)
    return r


def ok(c, **body):
    r = search(c, **body)
    assert r.status_code == 200, r.content
    return r.json()


def everyone(c):
    return c.sb.store.all_contacts(c.loc)


def test_required_fields_and_limits(c):
    r = c.post("/contacts/search", headers=c.h(), json={})
    assert r.status_code == 422 and r.json()["error"] == "Unprocessable Entity"
    assert search(c, pageLimit=501).status_code == 422
    r = search(c, bogus=1)
    assert r.status_code == 422 and "property bogus should not exist" in r.json()["message"]


def test_response_shape(c):
    b = ok(c, pageLimit=5)
    assert set(b) == {"contacts", "total", "traceId"}
    assert b["total"] == 400 and len(b["contacts"]) == 5
    for item in b["contacts"]:
        assert "address1" not in item
        assert item["searchAfter"][-1] == item["id"]
        assert isinstance(item["searchAfter"][0], int)
        if "dateOfBirth" in item:
            assert isinstance(item["dateOfBirth"], int)
    with_addr = [x for x in ok(c)["contacts"] if "address" in x]
    assert with_addr


def test_default_sort_is_date_added_desc(c):
    items = ok(c)["contacts"]
    keys = [(parse_time_ms(x["dateAdded"]), x["id"]) for x in items]
    assert keys == sorted(keys, reverse=True)


def test_range_filter_on_date_updated_iso_and_epoch(c):
    all_ = everyone(c)
    pivot = sorted(x["dateUpdated"] for x in all_)[200]
    expect = {x["id"] for x in all_ if x["dateUpdated"] >= pivot}
    got = ok(c, filters=[{"field": "dateUpdated", "operator": "range", "value": {"gte": pivot}}])
    assert {x["id"] for x in got["contacts"]} == expect and got["total"] == len(expect)
    got2 = ok(c, filters=[{"field": "dateUpdated", "operator": "range", "value": {"gte": parse_time_ms(pivot)}}])
    assert {x["id"] for x in got2["contacts"]} == expect
    got3 = ok(c, filters=[{"field": "dateUpdated", "operator": "range", "value": {"gt": pivot, "lt": pivot}}])
    assert got3["total"] == 0


def test_eq_contains_exists(c):
    all_ = everyone(c)
    x = next(a for a in all_ if a.get("email"))
    got = ok(c, filters=[{"field": "email", "operator": "eq", "value": x["email"].upper()}])
    assert [g["id"] for g in got["contacts"]] == [x["id"]]
    got = ok(c, filters=[{"field": "firstNameLowerCase", "operator": "contains", "value": x["firstName"][:3]}])
    assert x["id"] in {g["id"] for g in got["contacts"]}
    no_phone = {a["id"] for a in all_ if not a.get("phone")}
    got = ok(c, filters=[{"field": "phone", "operator": "not_exists"}])
    assert {g["id"] for g in got["contacts"]} == no_phone
    got = ok(c, filters=[{"field": "phone", "operator": "exists"}])
    assert got["total"] == 400 - len(no_phone)
    tagged = {a["id"] for a in all_ if "vip" in a["tags"]}
    got = ok(c, filters=[{"field": "tags", "operator": "eq", "value": "vip"}])
    assert {g["id"] for g in got["contacts"]} == tagged
    got = ok(c, filters=[{"field": "tags", "operator": "not_contains", "value": "vip"}])
    assert got["total"] == 400 - len(tagged)
    got = ok(c, filters=[{"field": "email", "operator": "not_eq", "value": x["email"]}])
    assert got["total"] == 399


def test_and_or_groups(c):
    all_ = everyone(c)
    expect = {a["id"] for a in all_ if ("vip" in a["tags"] or "hot" in a["tags"]) and a.get("phone")}
    got = ok(c, filters=[{"field": "phone", "operator": "exists"},
                         {"group": "OR", "filters": [{"field": "tags", "operator": "eq", "value": "vip"},
                                                     {"field": "tags", "operator": "eq", "value": "hot"}]}])
    assert {g["id"] for g in got["contacts"]} == expect


def test_unknown_field_and_operator(c):
    r = search(c, filters=[{"field": "shoeSize", "operator": "eq", "value": 1}])
    assert r.status_code == 400 and r.json()["message"].startswith("Invalid field")
    r = search(c, filters=[{"field": "email", "operator": "like", "value": "x"}])
    assert r.status_code == 400


def test_sort_asc_and_by_name(c):
    items = ok(c, sort=[{"field": "dateUpdated", "direction": "asc"}])["contacts"]
    keys = [(parse_time_ms(x["dateUpdated"]), x["id"]) for x in items]
    assert keys == sorted(keys)
    assert items[0]["searchAfter"] == [keys[0][0], keys[0][1]]
    items = ok(c, sort=[{"field": "firstNameLowerCase", "direction": "asc"}])["contacts"]
    names = [x.get("firstNameLowerCase", "") for x in items]
    assert names == sorted(names)
    assert search(c, sort=[{"field": "shoeSize", "direction": "asc"}]).status_code == 400


def test_search_after_pages_cover_everything_once(c):
    seen = []
    body = {"pageLimit": 37, "sort": [{"field": "dateUpdated", "direction": "asc"}]}
    while True:
        b = ok(c, **body)
        seen += [x["id"] for x in b["contacts"]]
        if len(b["contacts"]) < 37:
            break
        body["searchAfter"] = b["contacts"][-1]["searchAfter"]
    assert len(seen) == 400 and len(set(seen)) == 400


def test_page_paging_and_caps(c):
    p1 = ok(c, pageLimit=100, page=1)["contacts"]
    p2 = ok(c, pageLimit=100, page=2)["contacts"]
    assert not {x["id"] for x in p1} & {x["id"] for x in p2}
    assert search(c, pageLimit=500, page=20).status_code == 200  # exactly 10,000
    r = search(c, pageLimit=500, page=21)
    assert r.status_code == 400
    r = search(c, pageLimit=10, page=2, searchAfter=p1[-1]["searchAfter"])
    assert r.status_code == 400


def test_compile_errors_are_api_errors():
    with pytest.raises(ApiError) as e:
        compile_search({"locationId": "L", "pageLimit": 10, "filters": [{"field": "x", "operator": "eq"}]})
    assert e.value.status == 400
    with pytest.raises(ApiError) as e:
        compile_search({"locationId": "L"})
    assert e.value.status == 422


def test_custom_field_filter(c):
    all_ = everyone(c)
    x = next(a for a in all_ if a["customFields"] and isinstance(a["customFields"][0]["value"], str))
    cf = x["customFields"][0]
    got = ok(c, filters=[{"field": f"customFields.{cf['id']}", "operator": "eq", "value": cf["value"]}])
    assert x["id"] in {g["id"] for g in got["contacts"]}


def test_query_free_text(c):
    x = next(a for a in everyone(c) if a.get("email"))
    got = ok(c, query=x["email"])
    assert x["id"] in {g["id"] for g in got["contacts"]}
    assert search(c, query="x" * 76).status_code == 422


def test_values_that_cannot_be_stored_or_compared_are_422_not_500():
    base = {"locationId": "L", "pageLimit": 10}
    for bad in ({"filters": [{"field": "customFields.x", "operator": "range", "value": {"gte": {}}}]},
                {"filters": [{"field": "customFields.x", "operator": "range", "value": {"lt": 10 ** 30}}]},
                {"sort": [{"field": ["dateAdded"], "direction": "asc"}]},
                {"sort": [{"field": "dateAdded", "direction": 1}]}):
        with pytest.raises(ApiError) as e:
            compile_search({**base, **bad})
        assert e.value.status == 422, bad
    with pytest.raises(ApiError) as e:  # a date bound beyond year 9999: GHL's invalid-search 400
        compile_search({**base, "filters": [{"field": "dateAdded", "operator": "range", "value": {"gte": 1e300}}]})
    assert e.value.status == 400
