"""An agency install through `destination-ghl-contacts`: each record lands in the location it names."""

import json
import subprocess
from typing import Any, Dict, List

import requests

from ghl_sandbox import configs

from integration_tests.destination.harness import CATALOG, SCRIPT, Result, _files, run

LOCATIONS = 3


def agency_config(sandbox: Any, **extra: Any) -> Dict[str, Any]:
    return configs.agency_config(sandbox.credentials, **{"requests_per_10_seconds": 1000, "request_timeout_seconds": 10,
                                                         **extra})


def record(stream: str, data: Dict[str, Any]) -> str:
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1767225600000}})


def state(position: int) -> str:
    return json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {"shared_state": {"position": position}, "stream_states": []}}})


def export(locations: List[str], per_location: int, start: int = 0) -> List[str]:
    """Contacts with a task and a note each, spread over the locations, a STATE after each location's share
    (`start`: the first contact's number, for an export in parts)."""
    lines = []
    for li, location_id in enumerate(locations):
        for i in range(start, start + per_location):
            rankr_id = f"rk_c_{li}{i:04d}"
            lines.append(record("contacts", {"rankrId": rankr_id, "email": f"agency.{li}.{i}@example.com",
                                             "firstName": f"Loc{li}", "lastName": f"Person{i}", "locationId": location_id}))
            lines.append(record("tasks", {"rankrId": f"rk_t_{li}{i:04d}", "contactRankrId": rankr_id, "title": "Call back",
                                          "dueDate": "2026-12-03T06:00:00+01:00", "status": "open", "locationId": location_id}))
            lines.append(record("notes", {"rankrId": f"rk_n_{li}{i:04d}", "contactRankrId": rankr_id, "body": "Prefers SMS.",
                                          "locationId": location_id}))
        lines.append(state(start * 1000 + len(lines)))
    return lines


def emails(sandbox: Any, location_id: str) -> List[str]:
    return sorted(c.get("email") or "" for c in sandbox.dump(location_id=location_id)["contacts"]
                  if (c.get("email") or "").startswith("agency."))


def test_each_record_lands_in_its_location_and_a_replay_adds_nothing(sandbox_factory):
    sb = sandbox_factory(seed=21, contacts=2, locations=LOCATIONS, rate_limit_burst=2000)
    locations = sb.credentials["locations"]
    lines = export(locations, per_location=4)
    lines.append(record("contacts", {"rankrId": "rk_c_x", "email": "nowhere@example.com", "firstName": "No",
                                     "lastName": "Where", "locationId": "notAnInstalledLocation"}))
    lines.append(record("contacts", {"rankrId": "rk_c_y", "email": "default@example.com", "firstName": "No",
                                     "lastName": "Location"}))
    config = agency_config(sb)
    first = run("write", config, lines)
    assert first.returncode == 0, first.stderr[-2000:]
    for li, location_id in enumerate(locations):
        assert emails(sb, location_id) == sorted(f"agency.{li}.{i}@example.com" for i in range(4))
        dump = sb.dump(location_id=location_id)
        assert sum("[rankr:rk_t_" in (t.get("body") or "") or t.get("title") == "Call back" for t in dump["tasks"]) >= 4
    rejections = " ".join(first.rejections)
    assert "notAnInstalledLocation" in rejections and "not a location where the app is installed" in rejections
    assert "locationId: is missing" in rejections
    assert len(first.of_type("STATE")) == LOCATIONS

    config = first.of_type("CONTROL")[-1]["control"]["connectorConfig"]["config"] if first.of_type("CONTROL") else config
    before = {location_id: sb.dump(location_id=location_id) for location_id in locations}
    again = run("write", config, lines)
    assert again.returncode == 0, again.stderr[-2000:]
    for location_id in locations:
        after = sb.dump(location_id=location_id)
        for kind in ("contacts", "tasks", "notes"):
            assert len(after[kind]) == len(before[location_id][kind]), (location_id, kind)


def test_records_without_a_location_go_to_location_id_and_location_ids_bound_the_rest(sandbox_factory):
    sb = sandbox_factory(seed=22, contacts=2, locations=LOCATIONS, rate_limit_burst=2000)
    first, second, third = sb.credentials["locations"]
    lines = [record("contacts", {"rankrId": "rk_c_1", "email": "agency.default@example.com", "firstName": "A",
                                 "lastName": "B"}),
             record("contacts", {"rankrId": "rk_c_2", "email": "agency.second@example.com", "firstName": "A",
                                 "lastName": "B", "client": second}),
             record("contacts", {"rankrId": "rk_c_3", "email": "agency.third@example.com", "firstName": "A",
                                 "lastName": "B", "client": third})]
    config = agency_config(sb, location_id=first, location_ids=[first, second],
                           field_mappings={"contacts": {"client": "locationId"}})
    out = run("write", config, lines)
    assert out.returncode == 0, out.stderr[-2000:]
    assert emails(sb, first) == ["agency.default@example.com"]
    assert emails(sb, second) == ["agency.second@example.com"]
    assert emails(sb, third) == []
    assert any(third in text and "not in location_ids" in text for text in out.rejections)


def test_a_long_write_rotates_the_company_token_and_every_stored_config_works(sandbox_factory):
    # tokens living 2 s past the 60 s refresh margin: company and location tokens expire during the write
    sb = sandbox_factory(seed=23, contacts=2, locations=2, rate_limit_burst=2000, token_expires_in=62)
    locations = sb.credentials["locations"]
    config = agency_config(sb, requests_per_10_seconds=15)
    out = run("write", config, export(locations, per_location=6), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    controls = out.of_type("CONTROL")
    rotated = [c["control"]["connectorConfig"]["config"]["credentials"]["refresh_token"] for c in controls]
    assert len(rotated) >= 2 and len(set(rotated)) == len(rotated)
    for control in controls:  # the platform stores the whole config: it must stay a valid one
        stored = control["control"]["connectorConfig"]["config"]
        assert stored["credentials"]["auth_type"] == "agency_oauth2.0" and "location_id" not in stored
    token = requests.post(sb.base_url + "/oauth/token", data={
        "client_id": config["credentials"]["client_id"], "client_secret": config["credentials"]["client_secret"],
        "grant_type": "refresh_token", "refresh_token": rotated[-1], "user_type": "Company"}, timeout=30)
    assert token.status_code == 200, "the last persisted refresh token must work"
    for li, location_id in enumerate(locations):
        assert emails(sb, location_id) == sorted(f"agency.{li}.{i}@example.com" for i in range(6))


def test_a_location_uninstalled_mid_write_leaves_the_sync_and_the_others_finish(sandbox_factory):
    sb = sandbox_factory(seed=24, contacts=2, locations=2, rate_limit_burst=2000)
    kept, gone = sb.credentials["locations"]
    first_half, second_half = export([kept, gone], per_location=3), export([kept, gone], per_location=3, start=3)
    folder = _files(agency_config(sb))
    proc = subprocess.Popen([SCRIPT, "write", "--config", str(folder / "config.json"), "--catalog", str(CATALOG)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    proc.stdin.write("".join(line + "\n" for line in first_half))  # type: ignore[union-attr]
    proc.stdin.flush()  # type: ignore[union-attr]
    seen: List[Dict[str, Any]] = []
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("{"):
            seen.append(json.loads(line))
            if sum(m["type"] == "STATE" for m in seen) == 2:  # both locations' first share is written
                break
    sb.set_installed(gone, False)
    proc.stdin.write("".join(line + "\n" for line in second_half))  # type: ignore[union-attr]
    proc.stdin.close()  # type: ignore[union-attr]
    seen += [json.loads(line) for line in proc.stdout if line.startswith("{")]  # type: ignore[union-attr]
    assert proc.wait(timeout=240) == 0
    out = Result(seen, 0, "")
    # the kept location got everything; the one uninstalled kept what it had before
    assert emails(sb, kept) == sorted([f"agency.0.{i}@example.com" for i in range(3)] +
                                      [f"agency.0.{i}@example.com" for i in range(3, 6)])
    sb.set_installed(gone, True)
    assert emails(sb, gone) == sorted(f"agency.1.{i}@example.com" for i in range(3))
    refused = [text for text in out.rejections if f"location '{gone}' left the sync" in text]
    later_gone = [line for line in second_half if f'"locationId": "{gone}"' in line]
    assert len(refused) == len(later_gone) and all("not installed" in text for text in refused)
    assert not any(kept in text for text in out.rejections)
    assert any(f"Location '{gone}' left the sync" in text for text in out.logs("WARN"))
    states = out.of_type("STATE")
    assert [s["state"]["global"]["shared_state"]["position"] for s in states] == [
        json.loads(line)["state"]["global"]["shared_state"]["position"] for line in first_half + second_half
        if '"STATE"' in line]


def test_an_agency_discover_maps_every_locations_custom_fields(sandbox_factory):
    """The contacts schema the UI maps onto holds the custom fields of every location, not only the first's; a
    key typed differently across locations takes both types; a value still lands in its location's field."""
    sb = sandbox_factory(seed=22, contacts=1, locations=LOCATIONS)
    first, second, third = sb.credentials["locations"]
    sb.create_custom_field("Tier", "NUMERICAL", location_id=first)
    sb.create_custom_field("Tier", "TEXT", location_id=second)
    sb.create_custom_field("Only Third", "DATE", location_id=third)
    config = agency_config(sb)
    discovered = run("discover", config)
    assert discovered.returncode == 0, discovered.stderr[-2000:]
    [message] = discovered.of_type("DESTINATION_CATALOG")
    contacts = next(op for op in message["destination_catalog"]["operations"] if op["object_name"] == "contacts")
    properties = contacts["json_schema"]["properties"]
    assert properties["customFields.tier"]["type"] == ["number", "string", "null"]
    assert "NUMERICAL" in properties["customFields.tier"]["description"]
    assert "TEXT" in properties["customFields.tier"]["description"]
    assert properties["customFields.only_third"]["type"] == ["string", "null"]

    lines = [record("contacts", {"rankrId": "rk_c_tier", "email": "tier.third@example.com", "firstName": "Only",
                                 "lastName": "Third", "locationId": third, "customFields.only_third": "2026-12-01"}),
             state(1)]
    # the discover spent the single-use refresh token: the write runs on the config Airbyte stored from it
    [control] = discovered.of_type("CONTROL")
    written = run("write", control["control"]["connectorConfig"]["config"], lines)
    assert written.returncode == 0, written.stderr[-2000:]
    contact = next(c for c in sb.dump(location_id=third)["contacts"] if c.get("email") == "tier.third@example.com")
    assert [v.get("value") for v in contact.get("customFields") or []] == ["2026-12-01"]
