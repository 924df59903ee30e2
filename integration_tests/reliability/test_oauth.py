"""OAuth with GHL's single-use refresh tokens in the destination (the source's rotation has its own tests):
access tokens expire mid-write, the write goes on, every rotated refresh token is handed to the platform in a
CONTROL message, every older one is dead at GHL's `/oauth/token`; a used refresh token is a config error
that says to re-authenticate, in `write` and in `check` of both connectors."""

from __future__ import annotations

import pytest

from ghl_sandbox.process import SandboxProcess

from . import rankr
from .figures import FIGURES
from .harness import calendar_id, oauth_config, refresh, run_destination, run_source

LINES = rankr.export(contacts=16, state_every=5)


@pytest.fixture
def sandbox():
    # Access tokens live 61 s; the connectors refresh 60 s before expiry, so each one serves ~1 s of the write.
    with SandboxProcess(seed=41, contacts=10, rate_limit_burst=2000, token_expires_in=61, latency_ms=80) as sb:
        yield sb


def _refresh_tokens(result):
    return [c["connectorConfig"]["config"]["credentials"]["refresh_token"] for c in result.controls]


def test_destination_rotates_refresh_tokens_mid_write_and_persists_each(sandbox):
    config = oauth_config(sandbox, requests_per_10_seconds=1000, request_timeout_seconds=5,
                          default_calendar_id=calendar_id(sandbox))
    original = config["credentials"]["refresh_token"]
    result = run_destination("write", config, LINES)
    assert result.returncode == 0 and not result.errors and not result.rejections, result.tail()
    dump = sandbox.dump()
    assert not rankr.landed(dump, LINES)
    assert rankr.duplicates(dump) == {"contacts": {}, "tasks": {}, "notes": {}, "appointments": {}}

    rotated = _refresh_tokens(result)
    assert len(rotated) >= 2, "the access token expired during the write: it must have been refreshed again"
    assert len(set(rotated)) == len(rotated) and original not in rotated
    for control in result.controls:  # the platform stores the whole config: it must stay a valid one
        stored = control["connectorConfig"]["config"]
        assert stored["credentials"]["client_secret"] == config["credentials"]["client_secret"]
        assert stored["location_id"] == config["location_id"]
    for old in [original, *rotated[:-1]]:
        assert refresh(sandbox, old).status_code in (400, 401), "a used refresh token must be dead"
    assert refresh(sandbox, rotated[-1]).status_code == 200, "the last persisted refresh token must work"
    FIGURES.add("oauth_refresh_tokens_rotated", len(rotated))
    FIGURES.add("records_verified", len(rankr.records_of(LINES)))


def _assert_reauthenticate(message: str) -> None:
    assert "invalid_grant" in message and "re-authenticate" in message.lower(), message


def test_a_used_refresh_token_stops_the_destination_as_a_config_error(sandbox):
    config = oauth_config(sandbox, requests_per_10_seconds=1000, default_calendar_id=calendar_id(sandbox))
    assert refresh(sandbox, config["credentials"]["refresh_token"]).status_code == 200  # someone else used it
    before = sandbox.dump()

    result = run_destination("write", config, LINES)
    assert result.returncode != 0
    assert result.errors and result.errors[-1]["failure_type"] == "config_error", result.tail()
    _assert_reauthenticate(result.errors[-1]["message"])
    assert "Traceback" not in result.stderr
    assert sandbox.dump() == before, "nothing may be written without a token"

    status = run_destination("check", config).connection_status
    assert status["status"] == "FAILED"
    _assert_reauthenticate(status["message"])
    FIGURES.add("invalid_grant_runs", 2)


def test_a_used_refresh_token_fails_the_source_check_with_the_fix(sandbox):
    config = oauth_config(sandbox)
    assert refresh(sandbox, config["credentials"]["refresh_token"]).status_code == 200
    status = run_source("check", config).connection_status
    assert status["status"] == "FAILED"
    _assert_reauthenticate(status["message"])
    FIGURES.add("invalid_grant_runs", 1)
