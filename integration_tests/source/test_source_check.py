"""`check` and `discover` against the sandbox: each failure names its cause and fix, and leaks no secret."""

from .harness import catalog, pit_config, run_source


def _check(config):
    out = run_source("check", config)
    return out.connection_status, out.raw


def test_check_succeeds_with_a_read_only_token(sandbox):
    status, _ = _check(pit_config(sandbox))
    assert status["status"] == "SUCCEEDED"


def test_check_names_a_missing_scope(sandbox):
    token = sandbox.mint_token(["locations/customFields.readonly"])
    status, raw = _check(pit_config(sandbox, token=token))
    assert status["status"] == "FAILED"
    assert "contacts.readonly" in status["message"]
    assert token not in raw


def test_check_names_a_wrong_location(sandbox_factory):
    sandbox = sandbox_factory(seed=2, contacts=3, locations=2)
    other_location = sandbox.credentials["locations"][1]
    status, raw = _check(dict(pit_config(sandbox), location_id=other_location))
    assert status["status"] == "FAILED"
    assert "does not have access to location" in status["message"]
    assert other_location in status["message"]


def test_check_names_an_invalid_token(sandbox):
    status, raw = _check(pit_config(sandbox, token="pit-not-a-real-token-123"))
    assert status["status"] == "FAILED"
    assert "invalid or expired" in status["message"]
    assert "pit-not-a-real-token-123" not in raw


def test_check_names_an_unreachable_host(sandbox):
    config = dict(pit_config(sandbox), api_base_url="http://127.0.0.1:9")
    status, _ = _check(config)
    assert status["status"] == "FAILED"
    assert "Could not reach GHL at http://127.0.0.1:9" in status["message"]


def test_check_explains_a_bad_config_field(sandbox):
    status, _ = _check(dict(pit_config(sandbox), page_size=5000))
    assert status["status"] == "FAILED"
    assert "Config field 'page_size' is out of range (maximum 500)" in status["message"]
    assert "5000" not in status["message"]  # names the field and the bound, never the value


def test_discover_offers_custom_fields_only_with_their_scope(sandbox):
    streams = {s["name"] for s in run_source("discover", pit_config(sandbox)).of_type("CATALOG")[0]["catalog"]["streams"]}
    assert streams == {"contacts", "tasks", "notes", "appointments", "custom_fields"}
    token = sandbox.mint_token(["contacts.readonly"])
    catalog = run_source("discover", pit_config(sandbox, token=token)).of_type("CATALOG")[0]["catalog"]
    assert {s["name"] for s in catalog["streams"]} == {"contacts", "tasks", "notes", "appointments"}
    contacts = next(s for s in catalog["streams"] if s["name"] == "contacts")
    assert contacts["source_defined_primary_key"] == [["id"]]
    assert contacts["default_cursor_field"] == ["dateUpdated"]


def test_check_discover_then_read_back_to_back_see_no_429(sandbox_factory):
    # PyAirbyte runs check (or discover) right before read: GHL still counts those requests when the read's
    # process starts with a fresh budget, which must take them from GHL's x-ratelimit-remaining.
    sandbox = sandbox_factory(seed=4, contacts=10, rate_limit_burst=20, rate_limit_window_seconds=10)
    config = pit_config(sandbox, requests_per_10_seconds=20)
    assert run_source("check", config).connection_status["status"] == "SUCCEEDED"
    discovered = run_source("discover", config)
    assert discovered.returncode == 0, discovered.raw[-3000:]
    out = run_source("read", config, catalog(incremental=False))
    assert out.returncode == 0, out.raw[-3000:]
    assert len(out.records["contacts"]) == 10
    stats = sandbox.stats()
    assert stats["rate_limited"] == 0, stats
