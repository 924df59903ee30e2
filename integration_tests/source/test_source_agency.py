"""An agency install through `source-ghl-contacts`: every location at once, state per location, shards,
a location that fails alone, and OAuth that never spends a refresh token it does not have to."""

import json
import os
import subprocess
import tempfile
from collections import defaultdict
from typing import Any, Dict, List, Set

import pytest
import requests

from ghl_sandbox import configs
from ghl_sandbox.process import SandboxProcess
from integration_tests.source.harness import SCRIPT, catalog, run_source

CHILDREN = ("tasks", "notes", "appointments")
LOCATIONS = 4
# The same reads in this process's threads and spread over two worker processes (`location_processes`).
PROCESSES = pytest.mark.parametrize("processes", ["1", "2"])


@pytest.fixture(scope="module")
def agency():
    with SandboxProcess(seed=11, contacts=12, locations=LOCATIONS) as sb:
        yield sb


@pytest.fixture
def fresh_agency(agency):
    agency.reset()
    yield agency


def agency_config(sandbox: SandboxProcess, **extra: Any) -> Dict[str, Any]:
    return configs.agency_config(sandbox.credentials, **extra)


def latest_config(config: Dict[str, Any], output: Any) -> Dict[str, Any]:
    """What Airbyte keeps: the config of the last CONTROL message, else the one it had."""
    controls = output.of_type("CONTROL")
    return controls[-1]["control"]["connectorConfig"]["config"] if controls else config


class Connection:
    """Runs of one Airbyte connection: each starts with the config the last CONTROL message left, as the
    platform does (GHL refresh tokens are single-use)."""

    def __init__(self, sandbox: SandboxProcess, **extra: Any):
        self.config = agency_config(sandbox, **extra)

    def run(self, command: str, *args: Any, **kwargs: Any) -> Any:
        out = run_source(command, self.config, *args, **kwargs)
        self.config = latest_config(self.config, out)
        return out


def ids_by_location(records: Dict[str, List[Dict[str, Any]]], stream: str) -> Dict[str, Set[str]]:
    found: Dict[str, Set[str]] = defaultdict(set)
    for record in records.get(stream, []):
        found[record["locationId"]].add(record["id"])
    return dict(found)


def refresh_works(sandbox: SandboxProcess, config: Dict[str, Any]) -> int:
    credentials = config["credentials"]
    return requests.post(sandbox.base_url + "/oauth/token", data={
        "client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
        "grant_type": "refresh_token", "refresh_token": credentials["refresh_token"], "user_type": "Company",
    }, timeout=30).status_code


@PROCESSES
def test_an_agency_read_equals_every_location_of_the_sandbox(fresh_agency, processes):
    out = run_source("read", agency_config(fresh_agency), catalog(), env={"SOURCE_GHL_PROCESSES": processes})
    assert out.returncode == 0, out.raw[-3000:]
    assert not out.stderr.strip(), out.stderr[-2000:]  # every line a worker logs reaches stdout as a message
    assert (f"read by {processes} processes" in out.raw) == (processes != "1")
    locations = fresh_agency.credentials["locations"]
    for stream in ("contacts", *CHILDREN):
        got = ids_by_location(out.records, stream)
        for location_id in locations:
            want = {item["id"] for item in fresh_agency.dump(location_id=location_id)[stream]}
            assert got.get(location_id, set()) == want, (stream, location_id)
    # every state holds each location's own state
    for state in out.final_states():
        assert set(state["stream"]["stream_state"]["locations"]) == set(locations)
    # the progress bar sums every location's search, whichever process read it
    estimates = [m["trace"]["estimate"] for m in out.of_type("TRACE") if m["trace"]["type"] == "ESTIMATE"]
    contacts_total = sum(len(fresh_agency.dump(location_id=loc)["contacts"]) for loc in locations)
    assert [e["row_estimate"] for e in estimates if e["name"] == "contacts"][-1] == contacts_total


def test_shards_cover_every_location_exactly_once(fresh_agency):
    locations = set(fresh_agency.credentials["locations"])
    connection = Connection(fresh_agency)
    for count in (2, 3):
        seen: List[str] = []
        for index in range(count):
            connection.config["location_shard"] = {"index": index, "count": count}
            out = connection.run("read", catalog("contacts"))
            if out.returncode != 0:  # a shard may hold no location: that is said, as a config error
                assert "No location to sync" in out.raw, out.raw[-2000:]
                continue
            seen += sorted({record["locationId"] for record in out.records["contacts"]})
        assert sorted(seen) == sorted(locations), count


def test_location_ids_narrow_the_sync(fresh_agency):
    chosen = fresh_agency.credentials["locations"][1:3]
    out = run_source("read", agency_config(fresh_agency, location_ids=chosen), catalog("contacts"))
    assert out.returncode == 0, out.raw[-2000:]
    assert {record["locationId"] for record in out.records["contacts"]} == set(chosen)


def _read_until_records(config: Dict[str, Any], streams: tuple, processes: str) -> subprocess.Popen:
    folder = tempfile.mkdtemp(prefix="agency-")
    for name, content in (("config", config), ("catalog", catalog(*streams))):
        with open(os.path.join(folder, name + ".json"), "w") as handle:
            json.dump(content, handle)
    return subprocess.Popen([SCRIPT, "read", "--config", os.path.join(folder, "config.json"),
                             "--catalog", os.path.join(folder, "catalog.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, SOURCE_GHL_PROCESSES=processes))


@PROCESSES
def test_a_location_uninstalled_mid_sync_fails_alone_and_resumes_after_reinstall(sandbox_factory, processes):
    # a slow sandbox (3 requests per 10 s per location), so the uninstall lands mid-read
    sb = sandbox_factory(seed=12, contacts=8, locations=3, rate_limit_burst=3)
    victim, *others = sb.credentials["locations"]
    config = agency_config(sb, requests_per_10_seconds=3)
    proc = _read_until_records(config, ("contacts", "notes"), processes)
    messages: List[Dict[str, Any]] = []
    uninstalled = False
    for line in proc.stdout:  # type: ignore[union-attr]
        if not line.startswith("{"):
            continue
        messages.append(json.loads(line))
        record = messages[-1].get("record") or {}
        if not uninstalled and record.get("stream") == "notes" and record["data"].get("locationId") == victim:
            sb.set_installed(victim, False)
            uninstalled = True
    proc.wait(timeout=300)
    assert uninstalled and proc.returncode != 0
    error = [m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"][-1]["trace"]["error"]
    assert victim in error["message"] and "not installed" in error["message"], error["message"]
    assert not any(location in error["message"] for location in others)
    notes = defaultdict(set)
    for m in messages:
        if m["type"] == "RECORD" and m["record"]["stream"] == "notes":
            notes[m["record"]["data"]["locationId"]].add(m["record"]["data"]["id"])
    for location_id in others:  # the others finished
        assert notes[location_id] == {n["id"] for n in sb.dump(location_id=location_id)["notes"]}
    states = [m["state"] for m in messages if m["type"] == "STATE"]
    last = {s["stream"]["stream_descriptor"]["name"]: s for s in states}

    sb.set_installed(victim, True)
    config = next((m["control"]["connectorConfig"]["config"] for m in reversed(messages) if m["type"] == "CONTROL"), config)
    again = run_source("read", config, catalog("contacts", "notes"), state=list(last.values()), timeout=300)
    assert again.returncode == 0, again.raw[-3000:]
    resumed = ids_by_location(again.records, "notes")
    assert resumed.get(victim, set()) | notes[victim] == {n["id"] for n in sb.dump(location_id=victim)["notes"]}
    # the others stay incremental: nothing changed there, so nothing new is read beyond the lookback
    for location_id in others:
        assert len(ids_by_location(again.records, "contacts").get(location_id, set())) < 8


def test_check_and_discover_leave_the_refresh_token_usable(fresh_agency):
    config = agency_config(fresh_agency)
    checked = run_source("check", config)
    assert checked.connection_status["status"] == "SUCCEEDED", checked.raw[-2000:]
    assert len(checked.of_type("CONTROL")) == 1  # no access token yet: one refresh, saved at once
    config = latest_config(config, checked)
    discovered = run_source("discover", config)
    assert discovered.of_type("CATALOG") and not discovered.of_type("CONTROL")
    checked = run_source("check", config)
    assert checked.connection_status["status"] == "SUCCEEDED" and not checked.of_type("CONTROL")
    read = run_source("read", config, catalog("contacts"))
    assert read.returncode == 0 and not read.of_type("CONTROL")
    assert refresh_works(fresh_agency, config) == 200, "the stored refresh token must still be unspent"


def test_a_refresh_token_spent_elsewhere_gets_our_message(fresh_agency):
    config = agency_config(fresh_agency)
    assert refresh_works(fresh_agency, config) == 200  # another connector used it
    out = run_source("check", config)
    message = out.connection_status["message"]
    assert out.connection_status["status"] == "FAILED"
    assert "invalid_grant" in message and "another connector" in message and "re-authenticate" in message.lower()
    assert "this source" not in message
    assert "Rate limit" not in out.raw and "Authorization" not in out.raw


@PROCESSES
def test_a_read_rotates_the_company_token_and_emits_it_first(sandbox_factory, processes):
    # company and location tokens living 2 s past the 60 s refresh margin: they expire during the read; with
    # worker processes, the parent alone mints and refreshes
    sb = sandbox_factory(seed=13, contacts=10, locations=2, token_expires_in=62)
    config = agency_config(sb)
    out = run_source("read", config, catalog("contacts", "notes"), timeout=300,
                     env={"SOURCE_GHL_PROCESSES": processes})
    assert out.returncode == 0, out.raw[-2000:]
    assert out.messages[0]["type"] in ("CONTROL", "LOG"), "the rotated refresh token comes before any record"
    first_record = next(i for i, m in enumerate(out.messages) if m["type"] == "RECORD")
    assert any(m["type"] == "CONTROL" for m in out.messages[:first_record])
    stored = latest_config(config, out)
    assert refresh_works(sb, stored) == 200
    assert refresh_works(sb, config) in (400, 401), "the original refresh token was spent"


def _set_value(sb: SandboxProcess, location_id: str, field_id: str, value: Any) -> str:
    contact_id = sb.dump(location_id=location_id)["contacts"][0]["id"]
    token = sb.mint_token(["contacts.write"], location_id=location_id)
    answer = requests.put(f"{sb.base_url}/contacts/{contact_id}", json={"customFields": [{"id": field_id, "value": value}]},
                          headers=sb.headers(token), timeout=30)
    assert answer.status_code == 200, answer.text
    return contact_id


def test_an_agency_catalog_holds_every_locations_custom_fields_and_each_read_fills_its_own(sandbox_factory):
    sb = sandbox_factory(seed=14, contacts=3, locations=2)
    first, second = sb.credentials["locations"]
    # one key, two types in two locations; and a field only the second location has
    tier_number = sb.create_custom_field("Tier", "NUMERICAL", location_id=first)["id"]
    tier_text = sb.create_custom_field("Tier", "TEXT", location_id=second)["id"]
    only_second = sb.create_custom_field("Only Second", "DATE", location_id=second)["id"]
    numbered = _set_value(sb, first, tier_number, 3)
    worded = _set_value(sb, second, tier_text, "gold")
    _set_value(sb, second, only_second, "2026-11-30")

    connection = Connection(sb)
    discovered = connection.run("discover")
    properties = next(s for s in discovered.of_type("CATALOG")[0]["catalog"]["streams"]
                      if s["name"] == "contacts")["json_schema"]["properties"]
    assert properties["tier"]["type"] == ["null", "number"] and properties["tier__text"]["type"] == ["null", "string"]
    assert properties["only_second"]["format"] == "date"

    configured = catalog("contacts")
    configured["streams"][0]["stream"]["json_schema"] = {"type": "object", "properties": properties}
    out = connection.run("read", configured)
    assert out.returncode == 0, out.raw[-3000:]
    by_id = {record["id"]: record for record in out.records["contacts"]}
    assert by_id[numbered]["tier"] == 3 and "tier__text" not in by_id[numbered]
    assert by_id[worded]["tier__text"] == "gold" and "tier" not in by_id[worded]
    assert by_id[worded]["only_second"] == "2026-11-30"
