"""An agency read spread over worker processes: the parent mints every token, workers' output reaches the
parent as messages, a dead worker fails only its own unfinished locations."""

import os
import time
from collections import defaultdict
from typing import Any, Dict, List

import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteRecordMessage, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http import tenancy
from source_ghl_contacts import location_processes
from source_ghl_contacts.location_processes import process_count, read_in_processes
from source_ghl_contacts.location_threads import DONE


class FakeCompany:
    """Counts the mints it answers: only the parent's copy is ever asked."""

    def __init__(self) -> None:
        self.minted: List[str] = []
        self.refuse = set()

    def mint_location_token(self, location_id: str):
        if location_id in self.refuse:
            raise AirbyteTracedException(message=f"The app is not installed on location '{location_id}'.")
        self.minted.append(location_id)
        return f"token-{location_id}-{len(self.minted)}", time.time() + 3600


def jobs_for(company: FakeCompany, locations: List[str]) -> List[Any]:
    agency = tenancy.Agency(company=company, location_ids=locations)
    config = {"credentials": {"auth_type": "agency_oauth2.0"}, "location_ids": locations}
    return [(agency.location_config(config, location), []) for location in locations]


def read_one(config: Dict[str, Any], state: List[Any]):
    location = config["location_id"]
    token = tenancy.location_authenticator(config).get_access_token()
    print(f"worker for {location} says hello")  # a stray print must not reach stdout raw
    yield AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(
        stream="contacts", data={"id": f"{location}-1", "token": token, "pid": os.getpid()}, emitted_at=0))
    if location == "dies":
        time.sleep(0.3)  # "slow", in the same worker, has sent its record by now
        os._exit(3)  # killed mid-read: no DONE, no goodbye
    if location == "slow":
        time.sleep(5)


def collect(jobs, processes=2):
    items = defaultdict(list)
    logs = []
    for location_id, item in read_in_processes(jobs, read_one, processes):
        if location_id == "":
            logs.append(item.log.message)
        else:
            items[location_id].append(item)
    return items, logs


def test_workers_read_every_location_with_tokens_the_parent_minted():
    company = FakeCompany()
    locations = ["a", "b", "c", "d"]
    items, logs = collect(jobs_for(company, locations))
    assert sorted(company.minted) == locations  # one mint each, all in this (the parent) process
    pids = set()
    for location in locations:
        record, done = items[location]
        assert done == DONE
        assert record.record.data["token"].startswith(f"token-{location}-")
        pids.add(record.record.data["pid"])
    assert len(pids) == 2 and os.getpid() not in pids
    assert sorted(logs) == [f"worker for {location} says hello" for location in locations]


def test_a_dead_worker_fails_its_unfinished_locations_only():
    company = FakeCompany()
    # shares are dealt round robin: "dies" and "slow" share a worker, "b" and "d" the other
    items, _ = collect(jobs_for(company, ["dies", "b", "slow", "d"]))
    for location in ("b", "d"):
        assert [i.type for i in items[location][:1]] == [Type.RECORD] and items[location][-1] == DONE
    errors = {location: [i for i in items[location] if isinstance(i, AirbyteTracedException)]
              for location in ("dies", "slow")}
    for location, found in errors.items():
        assert len(found) == 1 and "stopped before it finished (exit code 3)" in found[0].message, location
        assert items[location][0].type == Type.RECORD and items[location][-1] == DONE


def test_a_refused_mint_fails_that_location_with_the_parents_reason():
    company = FakeCompany()
    company.refuse.add("b")
    items, _ = collect(jobs_for(company, ["a", "b"]))
    assert items["a"][0].type == Type.RECORD
    error = items["b"][0]
    assert isinstance(error, AirbyteTracedException) and "not installed on location 'b'" in error.message


def test_process_count_follows_cores_locations_and_the_override(monkeypatch):
    monkeypatch.delenv(location_processes.PROCESSES_ENV, raising=False)
    monkeypatch.setattr(location_processes, "usable_cpus", lambda: 2)
    assert process_count(1) == 1
    assert process_count(location_processes.LOCATIONS_PER_PROCESS) == 1
    assert process_count(location_processes.LOCATIONS_PER_PROCESS + 1) == 2
    assert process_count(200) == 2
    monkeypatch.setenv(location_processes.PROCESSES_ENV, "3")
    assert process_count(2) == 2 and process_count(20) == 3


@pytest.mark.parametrize("files, expected", [
    ({"cpu.max": "max 100000\n"}, 8),  # cgroup v2, no limit
    ({"cpu.max": "150000 100000\n"}, 2),  # 1.5 CPUs: two processes share them
    ({"cpu.max": "50000 100000\n"}, 1),
    ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2),  # cgroup v1
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, 8),
    ({}, 8),  # no cgroup files at all
])
def test_usable_cpus_honours_the_containers_quota(monkeypatch, tmp_path, files, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert location_processes.usable_cpus(str(tmp_path)) == expected
