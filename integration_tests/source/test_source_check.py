"""`check` and `discover` against the sandbox: each failure names its cause and fix, and leaks no secret."""

from .harness import pit_config, run_source


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
    assert "greater than the maximum of 500" in status["message"]


def test_discover_offers_custom_fields_only_with_their_scope(sandbox):
    streams = {s["name"] for s in run_source("discover", pit_config(sandbox)).of_type("CATALOG")[0]["catalog"]["streams"]}
    assert streams == {"contacts", "tasks", "notes", "appointments", "custom_fields"}
    token = sandbox.mint_token(["contacts.readonly"])
    catalog = run_source("discover", pit_config(sandbox, token=token)).of_type("CATALOG")[0]["catalog"]
    assert {s["name"] for s in catalog["streams"]} == {"contacts", "tasks", "notes", "appointments"}
    contacts = next(s for s in catalog["streams"] if s["name"] == "contacts")
    assert contacts["source_defined_primary_key"] == [["id"]]
    assert contacts["default_cursor_field"] == ["dateUpdated"]
