"""OAuth over HTTP: form-encoded token endpoint, single-use refresh tokens, access-token expiry."""
from __future__ import annotations

import time

import requests

from .spec import check


def _form(sb, **kw):
    o = sb.credentials["oauth"]
    return dict({"client_id": o["client_id"], "client_secret": o["client_secret"]}, **kw)


def test_refresh_rotation_and_reuse_rejected(fresh_sandbox):
    sb = fresh_sandbox
    rt0 = sb.credentials["oauth"]["refresh_token"]
    r = requests.post(f"{sb.base_url}/oauth/token", data=_form(sb, grant_type="refresh_token",
                                                               refresh_token=rt0, user_type="Location"))
    assert r.status_code == 200
    body = check(r, "oauth", "POST", "/oauth/token")
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86399
    assert body["locationId"] == sb.location_id and body["refresh_token"] != rt0
    assert set(body["scope"].split()) >= {"contacts.readonly", "contacts.write", "calendars/events.write"}
    # the new access token works
    r2 = requests.get(f"{sb.base_url}/contacts/", params={"locationId": sb.location_id, "limit": 1},
                      headers={"Authorization": f"Bearer {body['access_token']}", "Version": "2021-07-28"})
    assert r2.status_code == 200
    # the used refresh token is dead
    r3 = requests.post(f"{sb.base_url}/oauth/token", data=_form(sb, grant_type="refresh_token", refresh_token=rt0))
    assert r3.status_code in (400, 401) and r3.json()["error"] == "invalid_grant"
    # the new one works once
    r4 = requests.post(f"{sb.base_url}/oauth/token",
                       data=_form(sb, grant_type="refresh_token", refresh_token=body["refresh_token"]))
    assert r4.status_code == 200
    # oauth calls are not rate limited / counted as API traffic against the location budget
    assert "GET /contacts/" in sb.stats()["by_route"]


def test_authorization_code_grant(fresh_sandbox):
    sb = fresh_sandbox
    code = sb.oauth_code()
    r = requests.post(f"{sb.base_url}/oauth/token", data=_form(sb, grant_type="authorization_code", code=code,
                                                               redirect_uri="http://localhost/cb"))
    assert r.status_code == 200 and r.json()["refresh_token"]
    r = requests.post(f"{sb.base_url}/oauth/token", data=_form(sb, grant_type="authorization_code", code=code))
    assert r.status_code == 400


def test_bad_client_and_missing_fields(sandbox):
    r = requests.post(f"{sandbox.base_url}/oauth/token", data={"client_id": "x", "client_secret": "y",
                                                               "grant_type": "refresh_token",
                                                               "refresh_token": "z"})
    assert r.status_code == 401
    r = requests.post(f"{sandbox.base_url}/oauth/token", data={"grant_type": "refresh_token"})
    assert r.status_code == 422 and isinstance(r.json()["message"], list)


def test_access_token_expires(sandbox_factory):
    sb = sandbox_factory(token_expires_in=1, contacts=5)
    r = requests.post(f"{sb.base_url}/oauth/token", data=_form(sb, grant_type="refresh_token",
                                                               refresh_token=sb.credentials["oauth"]["refresh_token"]))
    assert r.json()["expires_in"] == 1
    h = {"Authorization": f"Bearer {r.json()['access_token']}", "Version": "2021-07-28"}
    u = f"{sb.base_url}/contacts/"
    assert requests.get(u, params={"locationId": sb.location_id}, headers=h).status_code == 200
    time.sleep(1.2)
    r = requests.get(u, params={"locationId": sb.location_id}, headers=h)
    assert r.status_code == 401
    assert r.json() == {"statusCode": 401, "message": "Invalid token: access token is invalid",
                        "error": "Unauthorized"}
    # PITs never expire
    assert requests.get(u, params={"locationId": sb.location_id}, headers=sb.headers()).status_code == 200
