"""A refused credential is explained once, in our words: no CDK ERROR line or header dump before it."""

import requests

from integration_tests.destination.harness import run as run_destination
from integration_tests.source.harness import run_source


def _bad_pit(sandbox):
    return {"credentials": {"auth_type": "private_integration_token", "token": "pit-00000000-0000-4000-8000-000000000000"},
            "location_id": sandbox.location_id, "api_base_url": sandbox.base_url}


def _spent_oauth(sandbox):
    sandbox.reset()
    oauth = sandbox.credentials["oauth"]
    requests.post(sandbox.base_url + "/oauth/token", data={
        "client_id": oauth["client_id"], "client_secret": oauth["client_secret"], "grant_type": "refresh_token",
        "refresh_token": oauth["refresh_token"]}, timeout=30).raise_for_status()  # someone else spent it
    return {"credentials": {"auth_type": "oauth2.0", **{k: oauth[k] for k in ("client_id", "client_secret", "refresh_token")}},
            "location_id": sandbox.location_id, "api_base_url": sandbox.base_url}


def _assert_quiet(out, expected: str) -> None:
    status = out.connection_status
    assert status["status"] == "FAILED" and expected in status["message"], status
    loud = [m["log"]["message"] for m in out.of_type("LOG") if m["log"]["level"] in ("ERROR", "WARN", "FATAL")]
    assert loud == [], loud
    raw = "\n".join(str(m) for m in out.messages)
    for noise in ("Response (headers)", "Rate limit exceeded", "Check failed", "this source"):
        assert noise not in raw, noise


def test_a_refused_token_is_explained_once_by_both_connectors(sandbox):
    for run in (lambda cfg: run_source("check", cfg), lambda cfg: run_destination("check", cfg)):
        _assert_quiet(run(_bad_pit(sandbox)), "Private Integration token as invalid")
        _assert_quiet(run(_spent_oauth(sandbox)), "invalid_grant")
