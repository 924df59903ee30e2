"""destination-ghl-contacts in its image, against the sandbox on loopback: spec, check, and a write of records
on stdin that lands in the sandbox. Every stdout line must be an Airbyte protocol message."""
from __future__ import annotations

import time

import orjson
import pytest
from airbyte_cdk.models import Status, Type

from integration_tests.images.containers import entry_point_missing, run_connector, write_inputs
from schemas import RANKR, load_schema

pytestmark = pytest.mark.image_tests

CONTACTS = [
    {"rankrId": f"rk_c_img{i:03d}", "email": f"image.test.{i}@example.com", "firstName": "Image",
     "lastName": f"Test{i}", "source": "Rankr", "tags": ["rankr", "image-test"]}
    for i in range(1, 4)
]


@pytest.fixture(scope="module", autouse=True)
def ready(built_images):
    reason = entry_point_missing("destination")
    if reason:
        pytest.skip(reason)


def destination_config(sandbox, token: str) -> dict:
    return {"credentials": {"auth_type": "private_integration_token", "token": token},
            "location_id": sandbox.location_id, "api_base_url": sandbox.base_url, "requests_per_10_seconds": 100}


@pytest.fixture(scope="module")
def inputs(sandbox, tmp_path_factory):
    readwrite = sandbox.credentials["private_integration_tokens"]["readwrite"]
    catalog = {"streams": [{"stream": {"name": "contacts", "json_schema": load_schema(RANKR, "contact"),
                                       "supported_sync_modes": ["full_refresh", "incremental"]},
                            "sync_mode": "full_refresh", "destination_sync_mode": "append_dedup",
                            "primary_key": [["rankrId"]]}]}
    return write_inputs(tmp_path_factory.mktemp("destination-image") / "secrets",
                        config=destination_config(sandbox, readwrite),
                        bad_config=destination_config(sandbox, "pit-00000000-0000-4000-8000-000000000000"),
                        catalog=catalog)


def test_spec():
    out = run_connector("destination", "spec")
    assert out.returncode == 0, out.describe()
    [message] = out.of_type(Type.SPEC)
    assert {"credentials", "location_id"} <= set(message.spec.connectionSpecification["properties"])


def test_check_succeeds_with_a_valid_token(inputs):
    out = run_connector("destination", "check", "--config", "/secrets/config.json", inputs=inputs)
    assert out.returncode == 0, out.describe()
    [message] = out.of_type(Type.CONNECTION_STATUS)
    assert message.connectionStatus.status == Status.SUCCEEDED, message.connectionStatus.message


def test_check_fails_cleanly_with_a_bad_token(inputs):
    out = run_connector("destination", "check", "--config", "/secrets/bad_config.json", inputs=inputs)
    statuses = out.of_type(Type.CONNECTION_STATUS)
    errors = [m for m in out.of_type(Type.TRACE) if m.trace.error]
    assert statuses or errors, out.describe()
    assert all(m.connectionStatus.status == Status.FAILED for m in statuses)
    assert "pit-00000000-0000-4000-8000-000000000000" not in out.stdout + out.stderr


def stdin_messages() -> str:
    now = int(time.time() * 1000)
    lines = [{"type": "RECORD", "record": {"stream": "contacts", "data": c, "emitted_at": now}} for c in CONTACTS]
    lines.append({"type": "STATE", "state": {"type": "STREAM", "stream": {
        "stream_descriptor": {"name": "contacts"}, "stream_state": {"updatedAt": "2026-11-20T09:00:00+00:00"}}}})
    return "".join(orjson.dumps(line).decode() + "\n" for line in lines)


def test_write_lands_records_in_the_sandbox(sandbox, inputs):
    out = run_connector("destination", "write", "--config", "/secrets/config.json",
                        "--catalog", "/secrets/catalog.json", inputs=inputs, stdin=stdin_messages())
    assert out.returncode == 0, out.describe()
    assert not [m for m in out.of_type(Type.TRACE) if m.trace.error], out.describe()
    assert out.of_type(Type.STATE), "the destination must emit the input STATE once its records are written"
    emails = {c.get("email") for c in sandbox.dump(sandbox.location_id)["contacts"]}
    assert {c["email"] for c in CONTACTS} <= emails
