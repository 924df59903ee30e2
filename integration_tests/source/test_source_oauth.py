"""OAuth with single-use refresh tokens across a sync: every new refresh token is persisted by CONTROL."""

import requests

from .harness import catalog, oauth_config, run_source


def _refresh(sandbox, refresh_token):
    oauth = sandbox.credentials["oauth"]
    return requests.post(
        sandbox.base_url + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": oauth["client_id"],
              "client_secret": oauth["client_secret"], "user_type": "Location"},
        timeout=10,
    )


def test_refresh_token_rotation_is_persisted_with_control_messages(sandbox_factory):
    # Access tokens live 5 s, shorter than the refresh margin, so the source refreshes during the sync.
    sandbox = sandbox_factory(seed=4, contacts=60, token_expires_in=5, latency_ms=20)
    config = oauth_config(sandbox, page_size=10)
    original = config["credentials"]["refresh_token"]
    out = run_source("read", config, catalog("contacts", "notes"))
    assert out.returncode == 0, out.raw[-3000:]
    assert len(out.records["contacts"]) == 60

    controls = [m["control"] for m in out.of_type("CONTROL")]
    assert controls, "a rotated refresh token must be persisted"
    newest = controls[-1]["connectorConfig"]["config"]["credentials"]["refresh_token"]
    assert newest != original
    assert _refresh(sandbox, original).status_code in (400, 401)  # single-use: the old one is dead
    assert _refresh(sandbox, newest).status_code == 200  # the persisted one works
    for secret in (original, newest, config["credentials"]["client_secret"]):
        assert secret not in "\n".join(out.logs)


def test_a_used_refresh_token_is_a_config_error_telling_to_reauthenticate(sandbox_factory):
    sandbox = sandbox_factory(seed=4, contacts=5)
    config = oauth_config(sandbox)
    assert _refresh(sandbox, config["credentials"]["refresh_token"]).status_code == 200  # burn it
    out = run_source("read", config, catalog("contacts"))
    errors = out.errors
    assert errors and errors[0]["failure_type"] == "config_error"
    assert "re-authenticate" in out.raw.lower()
    assert config["credentials"]["refresh_token"] not in out.raw
