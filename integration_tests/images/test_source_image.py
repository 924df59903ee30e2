"""source-ghl-contacts in its image, against the sandbox on loopback: spec, check, discover and a read that
returns exactly the sandbox's records. Every stdout line must be an Airbyte protocol message."""
from __future__ import annotations

import pytest
from airbyte_cdk.models import Status, Type

from integration_tests.images.containers import entry_point_missing, run_connector, write_inputs

pytestmark = pytest.mark.image_tests

SANDBOX_STREAMS = ("contacts", "tasks", "notes", "appointments")  # what /_sandbox/dump returns


@pytest.fixture(scope="module", autouse=True)
def ready(built_images):
    reason = entry_point_missing("source")
    if reason:
        pytest.skip(reason)


def source_config(sandbox, token: str) -> dict:
    return {"credentials": {"auth_type": "private_integration_token", "token": token},
            "location_id": sandbox.location_id, "api_base_url": sandbox.base_url, "requests_per_10_seconds": 100}


@pytest.fixture(scope="module")
def inputs(sandbox, tmp_path_factory):
    readonly = sandbox.credentials["private_integration_tokens"]["readonly"]
    return write_inputs(tmp_path_factory.mktemp("source-image") / "secrets",
                        config=source_config(sandbox, readonly),
                        bad_config=source_config(sandbox, "pit-00000000-0000-4000-8000-000000000000"))


@pytest.fixture(scope="module")
def catalog(inputs):
    out = run_connector("source", "discover", "--config", "/secrets/config.json", inputs=inputs)
    assert out.returncode == 0, out.describe()
    [message] = out.of_type(Type.CATALOG)
    return message.catalog


def test_spec():
    out = run_connector("source", "spec")
    assert out.returncode == 0, out.describe()
    [message] = out.of_type(Type.SPEC)
    properties = message.spec.connectionSpecification["properties"]
    assert {"credentials", "location_id"} <= set(properties)


def test_check_succeeds_with_a_valid_token(inputs):
    out = run_connector("source", "check", "--config", "/secrets/config.json", inputs=inputs)
    assert out.returncode == 0, out.describe()
    [message] = out.of_type(Type.CONNECTION_STATUS)
    assert message.connectionStatus.status == Status.SUCCEEDED, message.connectionStatus.message


def test_check_fails_cleanly_with_a_bad_token(inputs):
    out = run_connector("source", "check", "--config", "/secrets/bad_config.json", inputs=inputs)
    statuses = out.of_type(Type.CONNECTION_STATUS)
    errors = [m for m in out.of_type(Type.TRACE) if m.trace.error]
    assert statuses or errors, out.describe()
    assert all(m.connectionStatus.status == Status.FAILED for m in statuses)
    assert "pit-00000000-0000-4000-8000-000000000000" not in out.stdout + out.stderr


def test_discover_lists_the_sandbox_streams(catalog):
    assert set(SANDBOX_STREAMS) <= {stream.name for stream in catalog.streams}


def test_read_returns_the_sandbox_records(sandbox, inputs, catalog):
    configured = {"streams": [{"stream": {"name": s.name, "json_schema": s.json_schema,
                                          "supported_sync_modes": ["full_refresh"]},
                               "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
                              for s in catalog.streams]}
    write_inputs(inputs, catalog=configured)
    out = run_connector("source", "read", "--config", "/secrets/config.json", "--catalog", "/secrets/catalog.json",
                        inputs=inputs)
    assert out.returncode == 0, out.describe()
    assert not [m for m in out.of_type(Type.TRACE) if m.trace.error], out.describe()
    read: dict[str, set] = {}
    for message in out.of_type(Type.RECORD):
        read.setdefault(message.record.stream, set()).add(message.record.data["id"])
    dump = sandbox.dump(sandbox.location_id)
    for stream in SANDBOX_STREAMS:
        expected = {record["id"] for record in dump[stream]}
        assert read.get(stream, set()) == expected, (
            f"{stream}: {len(read.get(stream, set()))} read, {len(expected)} in the sandbox; "
            f"missing {sorted(expected - read.get(stream, set()))[:5]}, extra {sorted(read.get(stream, set()) - expected)[:5]}")
