"""Agency (Company) installs over HTTP: the company token, installed locations, location tokens,
uninstall/reinstall, token-class refusals and per-location rate limits and stats."""
from __future__ import annotations

import pytest
import requests

from ghl_sandbox.process import SandboxError, SandboxProcess

from .spec import check

V = "2021-07-28"


@pytest.fixture(scope="module")
def agency():
    with SandboxProcess(seed=11, contacts=6, locations=3) as sb:
        yield sb


@pytest.fixture
def sb(agency):
    agency.reset()
    yield agency
    agency.reset()


def _token(sb, **form) -> requests.Response:
    a = sb.credentials["agency"]
    return requests.post(f"{sb.base_url}/oauth/token",
                         data=dict({"client_id": a["client_id"], "client_secret": a["client_secret"]}, **form))


def _company_token(sb) -> str:
    r = _token(sb, grant_type="refresh_token", refresh_token=sb.credentials["agency"]["refresh_token"],
               user_type="Company")
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def _h(tok: str, version: str | None = V) -> dict:
    h = {"Authorization": f"Bearer {tok}"}
    if version:
        h["Version"] = version
    return h


def _app_id(sb) -> str:
    return sb.credentials["agency"]["client_id"].split("-")[0]


def _installed(sb, tok: str, **params) -> requests.Response:
    q = {"companyId": sb.credentials["company_id"], "appId": _app_id(sb)}
    q.update(params)
    return requests.get(f"{sb.base_url}/oauth/installedLocations", params=q, headers=_h(tok))


def _location_token(sb, tok: str, location_id: str, company_id: str | None = None) -> requests.Response:
    return requests.post(f"{sb.base_url}/oauth/locationToken", headers=_h(tok),
                         data={"companyId": company_id or sb.credentials["company_id"], "locationId": location_id})


def _search(sb, tok: str, location_id: str) -> requests.Response:
    return requests.post(f"{sb.base_url}/contacts/search", headers=_h(tok),
                         json={"locationId": location_id, "pageLimit": 100})


def test_credentials_file_has_the_agency_install(agency):
    c = agency.credentials
    a = c["agency"]
    assert a["client_id"] == c["oauth"]["client_id"] and a["client_secret"] == c["oauth"]["client_secret"]
    assert a["company_id"] == c["company_id"]
    assert a["refresh_token"] and a["refresh_token"] != c["oauth"]["refresh_token"]
    assert len(c["locations"]) == 3
    assert agency.installs() == {loc: True for loc in c["locations"]}


def test_company_code_exchange(sb):
    code = sb.oauth_code(user_type="Company")
    r = _token(sb, grant_type="authorization_code", code=code, user_type="Company")
    assert r.status_code == 200, r.text
    body = check(r, "oauth", "POST", "/oauth/token")
    assert body["userType"] == "Company" and body["companyId"] == sb.credentials["company_id"]
    assert "locationId" not in body
    assert body["refresh_token"] and body["token_type"] == "Bearer" and body["expires_in"] == 86399
    assert set(body["scope"].split()) >= {"oauth.readonly", "oauth.write", "contacts.readonly"}
    assert body["approvedLocations"] == sb.credentials["locations"]
    # the code is single-use
    assert _token(sb, grant_type="authorization_code", code=code, user_type="Company").status_code == 400


def test_company_refresh_rotation_and_reuse(sb):
    rt0 = sb.credentials["agency"]["refresh_token"]
    # asking for the other token class is refused and does not spend the refresh token
    r = _token(sb, grant_type="refresh_token", refresh_token=rt0, user_type="Location")
    assert r.status_code == 400
    r = _token(sb, grant_type="refresh_token", refresh_token=rt0, user_type="Company")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["userType"] == "Company" and "locationId" not in body and body["refresh_token"] != rt0
    r = _token(sb, grant_type="refresh_token", refresh_token=rt0, user_type="Company")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r2 = _token(sb, grant_type="refresh_token", refresh_token=body["refresh_token"], user_type="Company")
    assert r2.status_code == 200
    sb.reset()
    assert _token(sb, grant_type="refresh_token", refresh_token=rt0, user_type="Company").status_code == 200


def test_installed_locations_paging_and_filter(sb):
    tok = _company_token(sb)
    locs = sb.credentials["locations"]
    r = _installed(sb, tok)
    body = check(r, "oauth", "GET", "/oauth/installedLocations")
    assert r.status_code == 200 and body["count"] == 3
    assert [x["_id"] for x in body["locations"]] == locs
    assert all(x["isInstalled"] and x["name"] and x["address"] for x in body["locations"])
    p1 = _installed(sb, tok, limit=2).json()
    p2 = _installed(sb, tok, limit=2, skip=2).json()
    assert [x["_id"] for x in p1["locations"] + p2["locations"]] == locs
    assert p1["count"] == p2["count"] == 3 and len(p1["locations"]) == 2
    sb.set_installed(locs[1], False)
    only = _installed(sb, tok, isInstalled="true").json()
    assert [x["_id"] for x in only["locations"]] == [locs[0], locs[2]] and only["count"] == 2
    everything = _installed(sb, tok).json()
    assert [x["isInstalled"] for x in everything["locations"]] == [True, False, True]
    # errors: a missing required query is a 422, a wrong company or app a 400, no Version a 400
    assert _installed(sb, tok, appId="").status_code == 422
    assert _installed(sb, tok, limit="-1").status_code == 422
    assert _installed(sb, tok, appId="0" * 24).status_code == 400
    assert _installed(sb, tok, companyId="x" * 20).status_code == 400
    r = requests.get(f"{sb.base_url}/oauth/installedLocations", headers=_h(tok, None),
                     params={"companyId": sb.credentials["company_id"], "appId": _app_id(sb)})
    assert r.status_code == 400


def test_location_token_reads_its_location_only(sb):
    tok = _company_token(sb)
    locs = sb.credentials["locations"]
    first = None
    for loc in locs:
        r = _location_token(sb, tok, loc)
        assert r.status_code == 200, r.text
        body = check(r, "oauth", "POST", "/oauth/locationToken")
        assert body["locationId"] == loc and body["token_type"] == "Bearer" and body["expires_in"] == 86399
        assert set(body["scope"].split()) >= {"contacts.readonly", "contacts.write"}
        lt = body["access_token"]
        found = _search(sb, lt, loc)
        assert found.status_code == 200
        assert sorted(c["id"] for c in found.json()["contacts"]) == sorted(c["id"] for c in sb.dump(loc)["contacts"])
        other = locs[(locs.index(loc) + 1) % len(locs)]
        r = _search(sb, lt, other)
        assert r.status_code == 403 and r.json()["message"] == "The token does not have access to this location."
        first = first or lt
    # every call mints a new token; earlier ones keep working
    again = _location_token(sb, tok, locs[0]).json()["access_token"]
    assert again != first
    assert _search(sb, first, locs[0]).status_code == 200 and _search(sb, again, locs[0]).status_code == 200
    # errors
    assert _location_token(sb, tok, locs[0], company_id="x" * 20).status_code == 400
    assert _location_token(sb, tok, "y" * 20).status_code == 400
    r = requests.post(f"{sb.base_url}/oauth/locationToken", headers=_h(tok), data={"locationId": locs[0]})
    assert r.status_code == 422
    r = requests.post(f"{sb.base_url}/oauth/locationToken", headers=_h(tok, None),
                      data={"companyId": sb.credentials["company_id"], "locationId": locs[0]})
    assert r.status_code == 400


def test_location_tokens_and_pits_refused_on_agency_routes(sb):
    tok = _company_token(sb)
    loc = sb.credentials["locations"][0]
    lt = _location_token(sb, tok, loc).json()["access_token"]
    pit = sb.credentials["location_tokens"][loc]["readwrite"]
    for t in (lt, pit):
        for r in (_installed(sb, t), _location_token(sb, t, loc)):
            assert r.status_code == 403
            assert r.json() == {"statusCode": 403, "message": "Forbidden resource", "error": "Forbidden"}
    assert _installed(sb, "nope").status_code == 401


def test_uninstall_revokes_and_reinstall_restores(sb):
    tok = _company_token(sb)
    locs = sb.credentials["locations"]
    lt = _location_token(sb, tok, locs[1]).json()["access_token"]
    kept = _location_token(sb, tok, locs[2]).json()["access_token"]
    assert _search(sb, lt, locs[1]).status_code == 200
    assert sb.set_installed(locs[1], False) == {"locationId": locs[1], "installed": False}
    r = _search(sb, lt, locs[1])
    assert r.status_code == 401
    assert r.json() == {"statusCode": 401, "message": "Invalid token: access token is invalid", "error": "Unauthorized"}
    r = _location_token(sb, tok, locs[1])
    assert r.status_code == 400 and r.json()["message"] == "The app is not installed on this location"
    assert _search(sb, kept, locs[2]).status_code == 200  # other locations are untouched
    assert sb.installs()[locs[1]] is False
    with pytest.raises(SandboxError, match="404"):
        sb.set_installed("z" * 20, False)
    sb.set_installed(locs[1], True)
    fresh = _location_token(sb, tok, locs[1])
    assert fresh.status_code == 200
    assert _search(sb, fresh.json()["access_token"], locs[1]).status_code == 200
    assert _search(sb, lt, locs[1]).status_code == 401  # a revoked token stays revoked
    row = next(x for x in _installed(sb, tok).json()["locations"] if x["_id"] == locs[1])
    assert row["isInstalled"] and row["installedAt"] > "2026-06-01"


def test_uninstall_revokes_location_oauth_too(sb):
    loc = sb.location_id
    r = requests.post(f"{sb.base_url}/oauth/token", data={
        "client_id": sb.credentials["oauth"]["client_id"], "client_secret": sb.credentials["oauth"]["client_secret"],
        "grant_type": "refresh_token", "refresh_token": sb.credentials["oauth"]["refresh_token"],
        "user_type": "Location"})
    assert r.status_code == 200
    body = r.json()
    sb.set_installed(loc, False)
    assert _search(sb, body["access_token"], loc).status_code == 401
    r = _token(sb, grant_type="refresh_token", refresh_token=body["refresh_token"], user_type="Location")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # PITs are not the app's: they keep working
    assert _search(sb, sb.credentials["location_tokens"][loc]["readonly"], loc).status_code == 200
    sb.reset()
    assert sb.installs()[loc] is True


def test_company_token_refused_on_location_routes(sb):
    tok = _company_token(sb)
    loc = sb.location_id
    cid = sb.dump(loc)["contacts"][0]["id"]
    calls = [
        _search(sb, tok, loc),
        requests.get(f"{sb.base_url}/contacts/", params={"locationId": loc}, headers=_h(tok)),
        requests.get(f"{sb.base_url}/contacts/{cid}", headers=_h(tok)),
        requests.get(f"{sb.base_url}/contacts/{cid}/notes", headers=_h(tok)),
        requests.post(f"{sb.base_url}/locations/{loc}/tasks/search", headers=_h(tok), json={}),
        requests.get(f"{sb.base_url}/locations/{loc}/customFields", headers=_h(tok)),
        requests.get(f"{sb.base_url}/calendars/", params={"locationId": loc}, headers=_h(tok, "2021-04-15")),
        requests.post(f"{sb.base_url}/contacts/upsert", headers=_h(tok), json={"locationId": loc, "email": "a@b.co"}),
    ]
    for r in calls:
        assert r.status_code == 401, r.url
        assert r.json() == {"statusCode": 401, "message": "This authClass type is not allowed to access this scope",
                            "error": "Unauthorized"}


def test_budgets_and_stats_per_location(sb):
    sb.set_faults(rate_limit_burst=4, rate_limit_window_seconds=30)
    tok = _company_token(sb)
    a, b, c = sb.credentials["locations"]
    lt_a = _location_token(sb, tok, a).json()["access_token"]
    lt_b = _location_token(sb, tok, b).json()["access_token"]
    sb.reset_stats()
    # location A: the location token and a location-OAuth token of the same app share A's budget
    r = requests.post(f"{sb.base_url}/oauth/token", data={
        "client_id": sb.credentials["oauth"]["client_id"], "client_secret": sb.credentials["oauth"]["client_secret"],
        "grant_type": "refresh_token", "refresh_token": sb.credentials["oauth"]["refresh_token"],
        "user_type": "Location"})
    oauth_a = r.json()["access_token"]
    assert r.json()["locationId"] == a
    codes_a = [_search(sb, t, a).status_code for t in (lt_a, oauth_a, lt_a, oauth_a, lt_a, oauth_a)]
    assert codes_a == [200, 200, 200, 200, 429, 429]
    # location B has its own budget; company calls count against the company, not a location
    assert [_search(sb, lt_b, b).status_code for _ in range(2)] == [200, 200]
    assert _installed(sb, tok).status_code == 200
    st = sb.stats()
    counts = ("requests", "429", "peak_window", "peak_window_attempts")
    assert {k: st["locations"][a][k] for k in counts} == {"requests": 4, "429": 2, "peak_window": 4,
                                                          "peak_window_attempts": 6}
    assert {k: st["locations"][b][k] for k in counts} == {"requests": 2, "429": 0, "peak_window": 2,
                                                          "peak_window_attempts": 2}
    assert st["locations"][a]["first_at"] <= st["locations"][a]["last_at"] < st["locations"][b]["first_at"]
    assert c not in st["locations"]
    assert st["companies"][sb.credentials["company_id"]]["requests"] == 1
    assert st["window_seconds"] == 30 and st["rate_limited"] == 2 and st["requests_total"] == 10  # with the /oauth/token call
    sb.reset_stats()
    assert sb.stats()["locations"] == {}
