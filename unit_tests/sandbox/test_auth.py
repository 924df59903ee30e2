"""Tokens, scopes, locations and OAuth rotation, through the in-process ASGI app."""
import time

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
