"""The receiver starts the Airbyte connection's sync through Airbyte's public API after events go quiet."""
from __future__ import annotations

import time

import pytest

from ghl_sandbox.process import SandboxProcess

from .airbyte_api import AirbyteApi

CONN = "9f3c1c2e-5b7a-4a55-8d0e-2f7e1a6b9c01"
OTHER = "0d7e9f10-1111-4c2d-9e3a-5a6b7c8d9e0f"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(seed=7, contacts=20, locations=2) as sb:
        yield sb


def wait(predicate, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def settle(sb):
    assert wait(lambda: sb.webhooks()["pending"] == 0)


def test_a_burst_starts_one_sync_after_the_quiet_period_and_at_most_one_per_interval(sandbox, receiver_factory,
                                                                                    tmp_path):
    api = AirbyteApi({CONN, OTHER})
    loc, other_loc = sandbox.health()["locations"]
    secret = tmp_path / "secret"
    secret.write_text(api.client_secret)
    rcv = receiver_factory(sandbox, locations=[loc, other_loc], extra=[
        "--airbyte-api-url", api.url, "--airbyte-connection", f"{loc}={CONN}",
        "--airbyte-connection", f"{other_loc}={OTHER}", "--airbyte-client-id", api.client_id,
        "--airbyte-client-secret-file", str(secret), "--trigger-quiet-seconds", "0.5",
        "--trigger-min-interval-minutes", "0.05"])  # 3 s
    reg = sandbox.register_webhook(rcv.url)
    try:
        t0 = time.time()
        for _ in range(5):  # a burst of events, closer together than the quiet period
            sandbox.mutate(loc, update=2)
            time.sleep(0.1)
        settle(sandbox)
        assert wait(lambda: len(api.jobs) == 1)
        first = api.jobs[0]
        assert first["connectionId"] == CONN and first["jobType"] == "sync"
        assert first["at"] - t0 >= 0.5  # not before the quiet period
        time.sleep(1.0)
        assert len(api.jobs) == 1  # one burst, one sync; the other location's connection untouched
        sandbox.mutate(loc, update=1)  # within the minimum interval: waits for it
        settle(sandbox)
        assert wait(lambda: len(api.jobs) == 2, timeout=10)
        assert api.jobs[1]["at"] - first["at"] >= 3.0
        assert rcv.stats()["stored"] == sandbox.webhooks()["delivered"]
    finally:
        sandbox.unregister_webhook(reg["id"])
        api.close()


def test_a_failed_start_is_retried_and_never_blocks_receiving(sandbox, receiver_factory, tmp_path, monkeypatch):
    api = AirbyteApi({CONN}, api_key="airbyte-api-key-0123")
    api.fail_next = 1
    key_file = tmp_path / "key"
    key_file.write_text(api.api_key)
    loc = sandbox.health()["locations"][0]
    rcv = receiver_factory(sandbox, locations=[loc], extra=[
        "--airbyte-api-url", api.url, "--airbyte-connection", CONN, "--airbyte-api-key-file", str(key_file),
        "--trigger-quiet-seconds", "0.2", "--trigger-min-interval-minutes", "0", "--log-level", "info"])
    reg = sandbox.register_webhook(rcv.url)
    try:
        sandbox.mutate(loc, update=3)
        settle(sandbox)
        w = sandbox.webhooks()
        assert w["dropped"] == 0  # receiving went on while Airbyte failed
        assert wait(lambda: len(api.jobs) == 1, timeout=20)  # the 500 was retried (after 5 s)
        log = rcv.log_tail(100_000)
        assert "could not start the Airbyte sync" in log and "retrying" in log
        assert api.api_key not in log
    finally:
        sandbox.unregister_webhook(reg["id"])
        api.close()
