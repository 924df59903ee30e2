"""Location-wide reads of tasks and appointments (source_ghl_contacts/location_wide.py) against the sandbox,
through the `source-ghl-contacts` entry point: the same records as the per-contact reads, with a fraction of
the requests, also while GHL is written to during the sync.

What "the same" means while GHL changes (docs/source-ghl-contacts.md, "Location-wide reads"): with B the
records a quiet per-contact read gives before the writes and A those it gives after them, a full sync run
during the writes emits each task and appointment at most once, and

- every child that exists before and after (updated or not, an appointment moved to another calendar, a task
  edited) is emitted, as its version in B or in A;
- a child created during the sync is emitted as in A or not at all; one deleted during it as in B or not at all;
- nothing else.

The per-contact read is held to the same rules under the same kind of writes, so the location-wide read loses
nothing the per-contact read keeps; it also duplicates nothing, where the per-contact read emits the children
of a contact updated mid-sync twice (the contact comes again in the contacts search).
"""

import random
import threading
import time
from typing import Any, Dict, List, Mapping, Set

import pytest
import requests

from ghl_sandbox import configs
from ghl_sandbox.process import SandboxProcess
from integration_tests.source.harness import catalog, pit_config, run_source

CHILDREN = ("tasks", "appointments")
PER_CONTACT_SCOPES = ["contacts.readonly", "locations/customFields.readonly"]
CONTACTS_VERSION = "2021-07-28"
CALENDARS_VERSION = "2021-04-15"


def records(output: Any, stream: str) -> List[Dict[str, Any]]:
    return [m["record"]["data"] for m in output.of_type("RECORD") if m["record"]["stream"] == stream]


def by_id(rows: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    return {row["id"]: row for row in rows}


def per_contact_token(sandbox: Any) -> str:
    return sandbox.mint_token(PER_CONTACT_SCOPES)


def routes(sandbox: Any) -> Dict[str, int]:
    return {route: sum(codes.values()) for route, codes in sandbox.stats()["by_route"].items()}


@pytest.fixture(scope="module")
def busy_sandbox():
    # Every request takes 60 ms, so the location-wide paging lasts long enough for writes to land in it; no
    # 429s and a burst that never runs low (the read paces itself on `x-ratelimit-remaining`), so the read never
    # waits out a window while the writers add contacts to page through.
    with SandboxProcess(seed=21, contacts=40, latency_ms=60, no_rate_limit=True, rate_limit_burst=1_000_000) as sb:
        yield sb


def test_location_wide_full_sync_equals_per_contact_with_far_fewer_requests(fresh_sandbox):
    """Quiet GHL: record for record the same tasks and appointments, the same states; no per-contact task or
    appointment request; without the scopes, one LOG line per stream names the missing scope."""
    for extra in ({}, {"children_mode": "all_contacts"}):
        fresh_sandbox.reset_stats()
        wide = run_source("read", pit_config(fresh_sandbox, **extra), catalog(incremental=not extra))
        wide_routes = routes(fresh_sandbox)
        fresh_sandbox.reset_stats()
        narrow = run_source("read", pit_config(fresh_sandbox, token=per_contact_token(fresh_sandbox), **extra),
                            catalog(incremental=not extra))
        assert wide.returncode == 0 and narrow.returncode == 0, wide.stderr + narrow.stderr
        for stream in CHILDREN + ("notes", "contacts"):
            assert sorted(map(repr, records(wide, stream))) == sorted(map(repr, records(narrow, stream))), stream
        assert records(wide, "tasks") and records(wide, "appointments")
        for stream in CHILDREN:
            states = [[m["state"]["stream"]["stream_state"] for m in out.of_type("STATE")
                       if m["state"]["stream"]["stream_descriptor"]["name"] == stream][-1] for out in (wide, narrow)]
            for state in states:
                state.pop("lookback_window", None)  # the seconds the stream's read took
            assert states[0] == states[1], (stream, states)
        assert "GET /contacts/{contactId}/tasks" not in wide_routes
        assert "GET /contacts/{contactId}/appointments" not in wide_routes
        assert wide_routes["POST /locations/{locationId}/tasks/search"] >= 1
        assert wide_routes["GET /calendars/events"] >= 2  # every calendar, at least twice
        assert sum(wide_routes.values()) < sum(routes(fresh_sandbox).values()) / 2
        lines = narrow.logs
        assert any("tasks are read per contact" in line and "'locations/tasks.readonly'" in line for line in lines)
        assert any("appointments are read per contact" in line and "'calendars.readonly'" in line for line in lines)
        assert not any("are read per contact" in line for line in wide.logs)


def test_incremental_sync_after_a_location_wide_first_sync_reads_changed_contacts_only(fresh_sandbox):
    """The state a location-wide first sync saves is the per-contact streams' own: the next sync reads the
    children of the changed contacts, per contact."""
    config = pit_config(fresh_sandbox)
    first = run_source("read", config, catalog())
    state = [m["state"] for m in first.of_type("STATE")]
    fresh_sandbox.mutate(update=3, seed=5)
    fresh_sandbox.reset_stats()
    second = run_source("read", config, catalog(), state=state)
    assert second.returncode == 0, second.stderr
    seen = routes(fresh_sandbox)
    assert "POST /locations/{locationId}/tasks/search" not in seen
    assert 3 <= seen["GET /contacts/{contactId}/tasks"] <= 3 + 5  # the changed ones plus the lookback window
    assert seen["GET /contacts/{contactId}/tasks"] == seen["GET /contacts/{contactId}/appointments"]


class Writer:
    """Threads writing tasks, appointments and contacts through GHL's API while a sync runs, each child
    touched at most once, recording what they did."""

    def __init__(self, sandbox: Any, before: Mapping[str, Mapping[str, Dict[str, Any]]], start_route: str,
                 seed: int) -> None:
        self.sandbox = sandbox
        self.token = sandbox.credentials["private_integration_tokens"]["readwrite"]
        self.location = sandbox.location_id
        self.base = sandbox.base_url
        self.start_route = start_route
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.started = threading.Event()
        contacts = sorted({row["contactId"] for rows in before.values() for row in rows.values()})
        # Contacts whose own record changes (their children's contactDateUpdated with it) keep their children
        # untouched, so every child has exactly two versions: before and after.
        self.updated_contacts = contacts[:4]
        self.to_update = list(self.updated_contacts)
        self.contacts = contacts[4:]
        self.free = {stream: [row for row in rows.values() if row["contactId"] in self.contacts]
                     for stream, rows in before.items()}
        for rows in self.free.values():
            self.rng.shuffle(rows)
        self.created: Dict[str, Set[str]] = {stream: set() for stream in before}
        self.deleted: Dict[str, Set[str]] = {stream: set() for stream in before}
        self.changed: Dict[str, Set[str]] = {stream: set() for stream in before}
        self.writes = 0
        self.search_pages_at_first_write = None
        self.calendars = self._get("/calendars/", CALENDARS_VERSION, locationId=self.location)["calendars"]

    def _headers(self, version: str) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Version": version, "Accept": "application/json"}

    def _get(self, path: str, version: str, **params: str) -> Dict[str, Any]:
        answer = requests.get(self.base + path, headers=self._headers(version), params=params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def _send(self, method: str, path: str, version: str, body: Any = None) -> Dict[str, Any]:
        answer = requests.request(method, self.base + path, headers=self._headers(version), json=body, timeout=30)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return answer.json()

    def _take(self, stream: str):
        with self.lock:
            return self.free[stream].pop() if self.free[stream] else None

    def _due(self) -> str:
        return f"2027-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}T10:00:00Z"

    def create_task(self) -> None:
        contact = self.rng.choice(self.contacts)
        task = self._send("POST", f"/contacts/{contact}/tasks", CONTACTS_VERSION,
                          {"title": "Written during the sync", "dueDate": self._due(), "completed": False})["task"]
        self.created["tasks"].add(task["id"])

    def update_task(self) -> None:
        task = self._take("tasks")
        if task:
            self._send("PUT", f"/contacts/{task['contactId']}/tasks/{task['id']}", CONTACTS_VERSION,
                       {"title": task["title"] + " (edited)", "completed": not task["completed"]})
            self.changed["tasks"].add(task["id"])

    def delete_task(self) -> None:
        task = self._take("tasks")
        if task:
            self._send("DELETE", f"/contacts/{task['contactId']}/tasks/{task['id']}", CONTACTS_VERSION)
            self.deleted["tasks"].add(task["id"])

    def create_contact_with_task(self) -> None:
        n = self.rng.randint(0, 10**9)
        contact = self._send("POST", "/contacts/", CONTACTS_VERSION,
                             {"locationId": self.location, "firstName": "Mid", "lastName": f"Sync{n}",
                              "email": f"mid.sync.{n}@example.com"})["contact"]
        task = self._send("POST", f"/contacts/{contact['id']}/tasks", CONTACTS_VERSION,
                          {"title": "Task of a contact created during the sync", "dueDate": self._due(),
                           "completed": False})["task"]
        self.created["tasks"].add(task["id"])

    def update_contact(self) -> None:
        with self.lock:  # once each: a child then has exactly two versions of its contactDateUpdated
            contact = self.to_update.pop() if self.to_update else None
        if contact:
            self._send("PUT", f"/contacts/{contact}", CONTACTS_VERSION, {"city": f"City {self.rng.randint(0, 999)}"})

    def move_appointment(self) -> None:
        event = self._take("appointments")
        if event:
            target = next(c for c in self.calendars if c["id"] != event["calendarId"])
            user = target["teamMembers"][0]["userId"]
            self._send("PUT", f"/calendars/events/appointments/{event['id']}", CALENDARS_VERSION,
                       {"calendarId": target["id"], "assignedUserId": user, "title": "Moved during the sync"})
            self.changed["appointments"].add(event["id"])

    def delete_appointment(self) -> None:
        event = self._take("appointments")
        if event:
            self._send("DELETE", f"/calendars/events/{event['id']}", CALENDARS_VERSION)
            self.deleted["appointments"].add(event["id"])

    def create_appointment(self) -> None:
        calendar = self.rng.choice(self.calendars)
        start = f"2027-03-{self.rng.randint(10, 28)}T{self.rng.randint(10, 16)}:00:00+02:00"
        event = self._send("POST", "/calendars/events/appointments", CALENDARS_VERSION,
                           {"calendarId": calendar["id"], "locationId": self.location,
                            "contactId": self.rng.choice(self.contacts), "startTime": start,
                            "assignedUserId": calendar["teamMembers"][0]["userId"], "title": "Booked mid-sync"})
        self.created["appointments"].add(event["id"])

    def _loop(self) -> None:
        actions = [self.create_task, self.create_task, self.update_task, self.delete_task,
                   self.create_contact_with_task, self.update_contact, self.move_appointment,
                   self.delete_appointment, self.create_appointment]
        while not self.stop.is_set():
            if not self.started.is_set():
                if self.sandbox.stats()["by_route"].get(self.start_route):
                    with self.lock:
                        if self.search_pages_at_first_write is None:
                            self.search_pages_at_first_write = self._pages()
                    self.started.set()
                else:
                    time.sleep(0.01)
                    continue
            with self.lock:
                action = self.rng.choice(actions)
            action()
            with self.lock:
                self.writes += 1

    def _pages(self) -> int:
        return sum(self.sandbox.stats()["by_route"].get(self.start_route, {}).values())

    def __enter__(self) -> "Writer":
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(3)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def assert_consistent(emitted: List[Dict[str, Any]], before: Dict[str, Dict[str, Any]],
                      after: Dict[str, Dict[str, Any]], writer: Writer, stream: str, per_contact: bool) -> None:
    ids = [row["id"] for row in emitted]
    twice = {row["contactId"] for row in emitted if ids.count(row["id"]) > 1}
    if per_contact:
        # Known per-contact behaviour: a contact updated mid-sync comes again in the contacts search (it moved
        # to the end of the dateUpdated order), so its children are read twice; an append+dedup destination
        # keeps one. Location-wide reads have no such duplicates.
        assert twice <= set(writer.updated_contacts), f"{stream}: duplicated records of unchanged contacts"
        for row in emitted:
            assert row in (before.get(row["id"]), after.get(row["id"])), f"{stream}: {row['id']} is neither version"
    else:
        assert not twice, f"{stream}: duplicated records"
    got = by_id(emitted)
    throughout = set(before) & set(after)
    missing = throughout - set(got)
    assert not missing, f"{stream}: lost {len(missing)} records that existed all along"
    for child_id, row in got.items():
        if child_id in throughout:
            assert row in (before[child_id], after[child_id]), f"{stream}: {child_id} is neither version"
        elif child_id in writer.created[stream]:
            assert row == after.get(child_id), f"{stream}: created {child_id} differs from GHL's"
        elif child_id in writer.deleted[stream]:
            assert row == before[child_id], f"{stream}: deleted {child_id} differs from GHL's"
        else:
            pytest.fail(f"{stream}: {child_id} is in no version of GHL's data")
    untouched = throughout - writer.changed[stream]
    assert all(got[i] == before[i] == after[i] for i in untouched
               if before[i]["contactId"] not in writer.updated_contacts), f"{stream}: an untouched record differs"


@pytest.mark.parametrize("route", ["location-wide", "per-contact"])
def test_full_sync_during_writes_loses_and_duplicates_nothing(busy_sandbox, route):
    """A full sync while three writers create, edit and delete tasks, book, move and cancel appointments and
    create and update contacts: held to the rules of the module docstring."""
    sandbox = busy_sandbox
    sandbox.reset()
    narrow = per_contact_token(sandbox)
    settings = {"page_size": 5, "requests_per_10_seconds": 1000, "children_mode": "all_contacts"}
    quiet = pit_config(sandbox, token=narrow, **settings)
    chosen = catalog(*CHILDREN, incremental=False)
    reference = run_source("read", quiet, chosen)
    before = {stream: by_id(records(reference, stream)) for stream in CHILDREN}
    assert all(before.values())
    start_route = ("POST /locations/{locationId}/tasks/search" if route == "location-wide"
                   else "GET /contacts/{contactId}/tasks")
    sandbox.reset_stats()
    token = None if route == "location-wide" else narrow
    with Writer(sandbox, before, start_route, seed=3) as writer:
        during = run_source("read", pit_config(sandbox, token=token, **settings), chosen)
        writes_during = writer.writes
        pages_after = writer._pages()
    assert during.returncode == 0, during.stderr
    after_read = run_source("read", quiet, chosen)
    after = {stream: by_id(records(after_read, stream)) for stream in CHILDREN}
    # The writes landed while the children were being paged, not before or after.
    assert writes_during >= 10, writes_during
    assert writer.search_pages_at_first_write is not None and writer.search_pages_at_first_write < pages_after
    assert writer.created["tasks"] and writer.deleted["tasks"] and writer.changed["tasks"]
    for stream in CHILDREN:
        assert_consistent(records(during, stream), before[stream], after[stream], writer, stream,
                          per_contact=route == "per-contact")


def test_an_agency_read_reads_each_location_wide_on_its_own(sandbox_factory):
    """Agency credentials: every location's tasks and appointments through its own location-wide requests,
    with that location's records only, and no per-contact task or appointment request."""
    sandbox = sandbox_factory(seed=11, contacts=12, locations=3)
    out = run_source("read", configs.agency_config(sandbox.credentials), catalog(*CHILDREN))
    assert out.returncode == 0, out.raw[-3000:]
    seen = routes(sandbox)
    assert "GET /contacts/{contactId}/tasks" not in seen and "GET /contacts/{contactId}/appointments" not in seen
    assert seen["POST /locations/{locationId}/tasks/search"] >= 3 and seen["GET /calendars/"] == 3
    for location_id in sandbox.credentials["locations"]:
        truth = sandbox.dump(location_id=location_id)
        for stream in CHILDREN:
            got = {row["id"] for row in records(out, stream) if row["locationId"] == location_id}
            assert got == {row["id"] for row in truth[stream]}, (stream, location_id)
