"""Tokens, scopes, locations and OAuth rotation, through the in-process ASGI app."""
import time

import pytest

from ghl_sandbox.auth import READONLY_SCOPES, READWRITE_SCOPES, Auth

from .conftest import make_client


def test_pit_scopes():
    a = Auth(1, ["L1"], "C1", 86399)
    ro = a.lookup(a.location_pits["L1"]["readonly"])
    rw = a.lookup(a.location_pits["L1"]["readwrite"])
    assert ro.scopes == frozenset(READONLY_SCOPES)
    assert rw.scopes == frozenset(READWRITE_SCOPES)
    assert "contacts.write" not in ro.scopes and "calendars/events.write" in rw.scopes
    assert ro.location_id == "L1" and ro.expires_at is None
    assert a.location_pits["L1"]["readonly"].startswith("pit-")


def test_same_seed_same_credentials():
    a, b = Auth(4, ["L"], "C", 1), Auth(4, ["L"], "C", 1)
    assert a.location_pits == b.location_pits
    assert a.oauth.client_id == b.oauth.client_id and a.oauth.initial_refresh_token == b.oauth.initial_refresh_token


def test_refresh_token_is_single_use():
    a = Auth(1, ["L1"], "C1", 86399)
    form = {"client_id": a.oauth.client_id, "client_secret": a.oauth.client_secret,
            "grant_type": "refresh_token", "refresh_token": a.oauth.initial_refresh_token}
    st, body = a.token_grant(form)
    assert st == 200
    assert body["refresh_token"] != a.oauth.initial_refresh_token
    assert body["locationId"] == "L1" and body["userType"] == "Location" and body["expires_in"] == 86399
    assert a.lookup(body["access_token"]).location_id == "L1"
    st2, err = a.token_grant(form)
    assert st2 in (400, 401) and err["error"] == "invalid_grant"
    st3, body3 = a.token_grant(dict(form, refresh_token=body["refresh_token"]))
    assert st3 == 200
    a.reset()
    assert a.token_grant(form)[0] == 200


def test_wrong_client_secret_and_unknown_grant():
    a = Auth(1, ["L1"], "C1", 86399)
    form = {"client_id": a.oauth.client_id, "client_secret": "x", "grant_type": "refresh_token",
            "refresh_token": a.oauth.initial_refresh_token}
    assert a.token_grant(form)[0] == 401
    assert a.token_grant({"client_id": a.oauth.client_id})[0] == 422


def test_authorization_code_grant_single_use():
    a = Auth(1, ["L1"], "C1", 60)
    code = a.new_code("L1")
    form = {"client_id": a.oauth.client_id, "client_secret": a.oauth.client_secret,
            "grant_type": "authorization_code", "code": code}
    st, body = a.token_grant(form)
    assert st == 200 and body["expires_in"] == 60
    assert a.token_grant(form)[0] == 400


def test_access_token_expiry():
    a = Auth(1, ["L1"], "C1", 1)
    form = {"client_id": a.oauth.client_id, "client_secret": a.oauth.client_secret,
            "grant_type": "refresh_token", "refresh_token": a.oauth.initial_refresh_token}
    tok = a.token_grant(form)[1]["access_token"]
    assert a.lookup(tok) is not None
    a.tokens[tok].expires_at = time.time() - 1
    assert a.lookup(tok) is None


def test_http_auth_rules(client):
    cid = client.sb.store.all_contacts(client.loc)[0]["id"]
    # missing / invalid token
    for h in ({"Version": "2021-07-28"}, {"Authorization": "Bearer nope", "Version": "2021-07-28"}):
        r = client.get(f"/contacts/{cid}", headers=h)
        assert r.status_code == 401
        assert r.json() == {"statusCode": 401, "message": "Invalid token: access token is invalid",
                            "error": "Unauthorized"}
        assert "x-ratelimit-remaining" in r.headers
    # readonly token on a write
    r = client.post("/contacts/", headers=client.h(client.token("readonly")),
                    json={"locationId": client.loc, "email": "x@example.com"})
    assert r.status_code == 401 and r.json()["message"] == "The token is not authorized for this scope."
    # readonly token may read
    assert client.get(f"/contacts/{cid}", headers=client.h(client.token("readonly"))).status_code == 200
    # token without contacts.readonly
    tok = client.sb.auth.mint_pit(["calendars.readonly"], client.loc)
    assert client.get(f"/contacts/{cid}", headers=client.h(tok)).status_code == 401


def test_http_other_location_is_403():
    c = make_client(contacts=10, locations=2)
    loc1, loc2 = c.sb.locations
    other = c.sb.store.all_contacts(loc2)[0]["id"]
    r = c.get(f"/contacts/{other}", headers=c.h())
    assert r.status_code == 403
    assert r.json()["message"] == "The token does not have access to this location."
    r = c.get("/contacts/", headers=c.h(), params={"locationId": loc2})
    assert r.status_code == 403
    r = c.get("/contacts/", headers=c.h())  # no locationId at all
    assert r.status_code == 403
    r = c.post("/contacts/search", headers=c.h(), json={"locationId": loc2, "pageLimit": 10})
    assert r.status_code == 403
    tok2 = c.sb.auth.location_pits[loc2]["readonly"]
    assert c.get(f"/contacts/{other}", headers=c.h(tok2)).status_code == 200


def test_company_token_refused_on_location_routes(client):
    a = client.sb.auth
    code = a.new_code(client.loc, "Company")
    st, body = a.token_grant({"client_id": a.oauth.client_id, "client_secret": a.oauth.client_secret,
                              "grant_type": "authorization_code", "code": code, "user_type": "Company"})
    assert st == 200 and body["userType"] == "Company" and "locationId" not in body
    r = client.get("/contacts/", headers=client.h(body["access_token"]), params={"locationId": client.loc})
    assert r.status_code == 401
    assert "authClass" in r.json()["message"]


def test_version_header(client):
    cid = client.sb.store.all_contacts(client.loc)[0]["id"]
    tok = client.token()
    assert client.get(f"/contacts/{cid}", headers={"Authorization": f"Bearer {tok}"}).status_code == 400
    assert client.get(f"/contacts/{cid}", headers=client.h(version="2021-04-15")).status_code == 400
    r = client.get("/calendars/", headers=client.h(), params={"locationId": client.loc})
    assert r.status_code == 401  # a wrong Version on /calendars reads like an auth failure
    r = client.get("/calendars/", headers=client.h(version="2021-04-15"), params={"locationId": client.loc})
    assert r.status_code == 200 and len(r.json()["calendars"]) == 2


# -- agency installs ------------------------------------------------------------------------------------

def _agency(locations=("L1", "L2", "L3"), expires=86399) -> Auth:
    return Auth(3, list(locations), "C1", expires)


def _grant(a: Auth, **form):
    return a.token_grant(dict({"client_id": a.oauth.client_id, "client_secret": a.oauth.client_secret}, **form))


def _company(a: Auth):
    st, body = _grant(a, grant_type="refresh_token", refresh_token=a.oauth.initial_company_refresh_token,
                      user_type="Company")
    assert st == 200
    return a.lookup(body["access_token"]), body


def test_agency_credentials_are_deterministic():
    a, b = _agency(), _agency()
    assert a.oauth.initial_company_refresh_token == b.oauth.initial_company_refresh_token
    assert a.oauth.initial_company_refresh_token != a.oauth.initial_refresh_token
    assert a.addresses == b.addresses and all(a.addresses.values())
    assert a.oauth.app_id == a.oauth.client_id.split("-")[0] and len(a.oauth.app_id) == 24


def test_company_refresh_rotates_and_user_type_must_match():
    a = _agency()
    rt0 = a.oauth.initial_company_refresh_token
    st, err = _grant(a, grant_type="refresh_token", refresh_token=rt0, user_type="Location")
    assert st == 400 and err["error"] == "invalid_request"
    tok, body = _company(a)  # the mismatch above did not spend it
    assert tok.user_type == "Company" and tok.location_id is None and tok.company_id == "C1"
    assert body["userType"] == "Company" and "locationId" not in body and body["approvedLocations"] == ["L1", "L2", "L3"]
    st, err = _grant(a, grant_type="refresh_token", refresh_token=rt0, user_type="Company")
    assert st == 400 and err["error"] == "invalid_grant"
    st, body2 = _grant(a, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert st == 200 and body2["userType"] == "Company"
    assert _grant(a, grant_type="refresh_token", refresh_token=rt0, user_type="Typo")[0] == 422
    a.reset()
    assert _company(a)[0] is not None


def test_company_code():
    a = _agency()
    code = a.new_code("L2", "Company")
    st, body = _grant(a, grant_type="authorization_code", code=code, user_type="Company")
    assert st == 200 and body["userType"] == "Company" and "locationId" not in body


def test_location_token_minting():
    a = _agency(expires=120)
    company, _ = _company(a)
    st, body = a.location_token(company, {"companyId": "C1", "locationId": "L2"})
    assert st == 200 and body["locationId"] == "L2" and body["expires_in"] == 120 and body["userId"] == a.user_id
    lt = a.lookup(body["access_token"])
    assert lt.user_type == "Location" and lt.location_id == "L2" and lt.kind == "oauth"
    assert lt.expires_at - time.time() == pytest.approx(120, abs=5)
    # the same app as the location OAuth tokens: one budget per (app, location)
    st, loc_body = _grant(a, grant_type="refresh_token", refresh_token=a.oauth.initial_refresh_token)
    assert a.lookup(loc_body["access_token"]).app_id == lt.app_id
    st2, body2 = a.location_token(company, {"companyId": "C1", "locationId": "L2"})
    assert body2["access_token"] != body["access_token"] and a.lookup(body["access_token"]) is not None
    assert a.location_token(company, {"companyId": "C1"})[0] == 422
    assert a.location_token(company, {"companyId": "C2", "locationId": "L2"})[0] == 400
    assert a.location_token(company, {"companyId": "C1", "locationId": "nope"})[0] == 400


def test_uninstall_revokes_only_that_locations_app_tokens():
    a = _agency()
    company, _ = _company(a)
    lt2 = a.location_token(company, {"companyId": "C1", "locationId": "L2"})[1]["access_token"]
    lt3 = a.location_token(company, {"companyId": "C1", "locationId": "L3"})[1]["access_token"]
    code = a.new_code("L2")
    _, l2_oauth = _grant(a, grant_type="authorization_code", code=code)
    pit = a.location_pits["L2"]["readonly"]
    a.set_installed("L2", False)
    assert a.lookup(lt2) is None and a.lookup(l2_oauth["access_token"]) is None
    assert _grant(a, grant_type="refresh_token", refresh_token=l2_oauth["refresh_token"])[1]["error"] == "invalid_grant"
    assert a.lookup(lt3) is not None and a.lookup(pit) is not None and a.lookup(company.token) is not None
    st, err = a.location_token(company, {"companyId": "C1", "locationId": "L2"})
    assert st == 400 and "not installed" in err["message"]
    a.set_installed("L2", True)
    assert a.location_token(company, {"companyId": "C1", "locationId": "L2"})[0] == 200
    assert a.lookup(lt2) is None  # revoked for good
    a.set_installed("L3", False)
    a.reset()
    assert all(a.is_installed(loc) for loc in ("L1", "L2", "L3"))


def test_location_consent_installs_the_app():
    a = _agency()
    a.set_installed("L3", False)
    st, body = _grant(a, grant_type="authorization_code", code=a.new_code("L3"))
    assert st == 200 and body["locationId"] == "L3" and a.is_installed("L3")


def test_installed_locations_paging_filters_and_errors():
    a = _agency()
    company, _ = _company(a)
    names = {"L1": "Alpha Dental", "L2": "Beta Roofing", "L3": "Gamma Dental"}
    q = {"companyId": "C1", "appId": a.oauth.app_id}
    st, body = a.installed_locations(company, q, names)
    assert st == 200 and body["count"] == 3 and [x["_id"] for x in body["locations"]] == ["L1", "L2", "L3"]
    assert body["locations"][0] == {"_id": "L1", "name": "Alpha Dental", "address": a.addresses["L1"],
                                    "isInstalled": True, "installedAt": "2026-06-01T00:00:00.000Z"}
    assert [x["_id"] for x in a.installed_locations(company, dict(q, skip="1", limit="1"), names)[1]["locations"]] == ["L2"]
    a.set_installed("L1", False)
    got = a.installed_locations(company, dict(q, isInstalled="true"), names)[1]
    assert [x["_id"] for x in got["locations"]] == ["L2", "L3"] and got["count"] == 2
    got = a.installed_locations(company, dict(q, isInstalled="false"), names)[1]
    assert [x["_id"] for x in got["locations"]] == ["L1"] and "installedAt" not in got["locations"][0]
    got = a.installed_locations(company, dict(q, query="dental"), names)[1]
    assert [x["_id"] for x in got["locations"]] == ["L1", "L3"]
    assert a.installed_locations(company, dict(q, locationId="L2"), names)[1]["count"] == 1
    assert a.installed_locations(company, {"companyId": "C1"}, names)[0] == 422
    assert a.installed_locations(company, dict(q, isInstalled="yes"), names)[0] == 422
    assert a.installed_locations(company, dict(q, limit="ten"), names)[0] == 422
    assert a.installed_locations(company, dict(q, appId="other"), names)[0] == 400
    assert a.installed_locations(company, dict(q, companyId="C2"), names)[0] == 400


def test_http_token_class_rules():
    c = make_client(contacts=4, locations=2)
    a = c.sb.auth
    company, _ = _company(a)
    q = {"companyId": a.company_id, "appId": a.oauth.app_id}
    r = c.get("/oauth/installedLocations", headers=c.h(company.token), params=q)
    assert r.status_code == 200 and r.json()["count"] == 2 and r.json()["locations"][0]["name"]
    assert "x-ratelimit-remaining" in r.headers
    # no Version: 400, as the other 2021-07-28 routes
    r = c.get("/oauth/installedLocations", headers={"Authorization": f"Bearer {company.token}"}, params=q)
    assert r.status_code == 400
    # a location PIT on an agency route: 403 Forbidden resource (BEHAVIOUR 6)
    r = c.get("/oauth/installedLocations", headers=c.h(), params=q)
    assert r.status_code == 403 and r.json()["message"] == "Forbidden resource"
    r = c.post("/oauth/locationToken", headers=c.h(company.token), data={"companyId": a.company_id,
                                                                         "locationId": c.sb.locations[1]})
    assert r.status_code == 200
    lt = r.json()["access_token"]
    r = c.post("/oauth/locationToken", headers=c.h(lt), data={"companyId": a.company_id, "locationId": c.loc})
    assert r.status_code == 403
    r = c.get("/contacts/", headers=c.h(lt), params={"locationId": c.sb.locations[1]})
    assert r.status_code == 200
