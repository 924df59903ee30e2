"""The GHL routes over real HTTP: shapes (validated against the vendored spec), reads, writes, errors."""
from __future__ import annotations

import requests

from .spec import check

V1 = "2021-07-28"
V_CAL = "2021-04-15"


def url(sb, path):
    return sb.base_url + path


def get(sb, path, token=None, version=V1, **kw):
    return requests.get(url(sb, path), headers=sb.headers(token, version), timeout=10, **kw)


def send(sb, method, path, token=None, version=V1, **kw):
    return requests.request(method, url(sb, path), headers=sb.headers(token, version), timeout=10, **kw)


def a_contact(sb, pred=lambda c: True):
    return next(c for c in sb.dump()["contacts"] if pred(c))


def ro(sb):
    return sb.credentials["private_integration_tokens"]["readonly"]


# -- reads --------------------------------------------------------------------------------------------
def test_get_contact_matches_spec_and_dump(sandbox):
    c = a_contact(sandbox)
    r = get(sandbox, f"/contacts/{c['id']}", ro(sandbox))
    assert r.status_code == 200
    body = check(r, "contacts", "GET", "/contacts/{contactId}")
    assert body["contact"] == c
    assert r.headers["content-type"].startswith("application/json")


def test_unknown_contact_is_400_with_ghl_body(sandbox):
    r = get(sandbox, "/contacts/AAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 400
    assert r.json() == {"error": "Contact with id AAAAAAAAAAAAAAAAAAAA not found", "status": 400}


def test_unknown_route_is_404_empty(sandbox):
    r = get(sandbox, "/contacts/x/y/z/w")
    assert r.status_code == 404 and r.content == b""
    assert "x-ratelimit-remaining" in r.headers


def test_miscased_path_is_401(sandbox):
    r = get(sandbox, "/Contacts/", params={"locationId": sandbox.location_id})
    assert r.status_code == 401
    assert get(sandbox, "/contacts", params={"locationId": sandbox.location_id}).status_code == 404


def test_deprecated_list_paging_and_shape(sandbox):
    seen, params = [], {"locationId": sandbox.location_id, "limit": 25}
    pages = 0
    while True:
        r = get(sandbox, "/contacts/", ro(sandbox), params=params)
        body = check(r, "contacts", "GET", "/contacts/")
        pages += 1
        assert body["meta"]["total"] == 60 and body["meta"]["currentPage"] == pages
        for item in body["contacts"]:
            assert item["startAfter"][1] == item["id"] and isinstance(item["startAfter"][0], int)
            if "firstNameRaw" in item:
                assert item["firstName"] == item["firstNameRaw"].lower()
        seen += body["contacts"]
        if len(body["contacts"]) < 25:
            assert body["meta"]["nextPage"] is None
            break
        params = dict(params, startAfter=body["meta"]["startAfter"], startAfterId=body["meta"]["startAfterId"])
    assert len({c["id"] for c in seen}) == 60
    keys = [tuple(c["startAfter"]) for c in seen]
    assert keys == sorted(keys, reverse=True)
    assert get(sandbox, "/contacts/", params={"locationId": sandbox.location_id, "limit": 101}).status_code == 422


def test_children_lists_match_spec_and_carry_contact_id(sandbox):
    d = sandbox.dump()
    cid = d["notes"][0]["contactId"]
    r = get(sandbox, f"/contacts/{cid}/notes", ro(sandbox))
    notes = check(r, "contacts", "GET", "/contacts/{contactId}/notes")["notes"]
    assert notes and all(n["contactId"] == cid for n in notes)
    assert sorted(n["id"] for n in notes) == sorted(n["id"] for n in d["notes"] if n["contactId"] == cid)
    tid = d["tasks"][0]["contactId"]
    tasks = check(get(sandbox, f"/contacts/{tid}/tasks", ro(sandbox)), "contacts", "GET",
                  "/contacts/{contactId}/tasks")["tasks"]
    assert tasks and all(t["contactId"] == tid for t in tasks)
    aid = d["appointments"][0]["contactId"]
    events = check(get(sandbox, f"/contacts/{aid}/appointments", ro(sandbox)), "contacts", "GET",
                   "/contacts/{contactId}/appointments")["events"]
    assert events and all(e["contactId"] == aid and "dateAdded" in e and "dateUpdated" in e for e in events)
    one = d["tasks"][0]
    body = check(get(sandbox, f"/contacts/{tid}/tasks/{one['id']}"), "contacts", "GET",
                 "/contacts/{contactId}/tasks/{taskId}")
    assert body["task"] == one
    n = d["notes"][0]
    body = check(get(sandbox, f"/contacts/{cid}/notes/{n['id']}"), "contacts", "GET",
                 "/contacts/{contactId}/notes/{id}")
    assert body["note"] == n


def test_contact_without_children_gives_empty_lists(sandbox):
    d = sandbox.dump()
    with_notes = {n["contactId"] for n in d["notes"]}
    cid = next(c["id"] for c in d["contacts"] if c["id"] not in with_notes)
    assert get(sandbox, f"/contacts/{cid}/notes").json()["notes"] == []


def test_calendars_custom_fields_task_search(sandbox):
    loc = sandbox.location_id
    r = get(sandbox, "/calendars/", ro(sandbox), V_CAL, params={"locationId": loc})
    cals = check(r, "calendars", "GET", "/calendars/")["calendars"]
    assert len(cals) == 2 and all(c["teamMembers"] and c["teamMembers"][0]["userId"] for c in cals)
    r = get(sandbox, f"/locations/{loc}/customFields", ro(sandbox), params={"model": "contact"})
    cfs = check(r, "locations", "GET", "/locations/{locationId}/customFields")["customFields"]
    assert cfs and all(f["model"] == "contact" and f["fieldKey"].startswith("contact.") for f in cfs)
    r = send(sandbox, "POST", f"/locations/{loc}/tasks/search", ro(sandbox), json={"limit": 10})
    tasks = check(r, "locations", "POST", "/locations/{locationId}/tasks/search")["tasks"]
    assert len(tasks) == 10
    assert all({"_id", "dateUpdated", "deleted", "contactId", "locationId"} <= set(t) for t in tasks)
    cid = tasks[0]["contactId"]
    r = send(sandbox, "POST", f"/locations/{loc}/tasks/search", ro(sandbox), json={"contactId": [cid]})
    assert {t["contactId"] for t in r.json()["tasks"]} == {cid}
    assert send(sandbox, "POST", f"/locations/{loc}/tasks/search", json={"nope": 1}).status_code == 422


def test_business_and_duplicate_lookup(sandbox):
    c = a_contact(sandbox, lambda c: c.get("businessId") and c.get("email"))
    r = get(sandbox, f"/contacts/business/{c['businessId']}", params={"locationId": sandbox.location_id})
    body = check(r, "contacts", "GET", "/contacts/business/{businessId}")
    assert c["id"] in {x["id"] for x in body["contacts"]}
    r = get(sandbox, "/contacts/search/duplicate", params={"locationId": sandbox.location_id,
                                                          "email": c["email"].upper()})
    assert r.status_code == 200 and r.json()["contact"]["id"] == c["id"]
    r = get(sandbox, "/contacts/search/duplicate", params={"locationId": sandbox.location_id,
                                                          "email": "nobody@nowhere.example"})
    assert r.json()["contact"] is None


# -- writes -------------------------------------------------------------------------------------------
def test_create_contact_201_and_duplicate_400(fresh_sandbox):
    sb = fresh_sandbox
    body = {"locationId": sb.location_id, "firstName": "Rosan", "lastName": "Deo", "email": "Rosan@Deos.com",
            "phone": "+1 888-888-8888", "tags": ["A", "b"], "dateOfBirth": "09/25/1990"}
    r = send(sb, "POST", "/contacts/", json=body)
    assert r.status_code == 201
    c = check(r, "contacts", "POST", "/contacts/")["contact"]
    assert c["email"] == "rosan@deos.com" and c["phone"] == "+18888888888" and c["tags"] == ["a", "b"]
    assert c["dateOfBirth"] == "1990-09-25T00:00:00.000Z"
    assert c["dateAdded"] == c["dateUpdated"]
    assert get(sb, f"/contacts/{c['id']}").json()["contact"]["id"] == c["id"]
    r = send(sb, "POST", "/contacts/", json={"locationId": sb.location_id, "email": "rosan@deos.com"})
    assert r.status_code == 400
    assert r.json() == {"statusCode": 400, "message": "This location does not allow duplicated contacts.",
                        "meta": {"contactId": c["id"], "contactName": "Rosan Deo", "matchingField": "email"}}
    r = send(sb, "POST", "/contacts/", json={"locationId": sb.location_id, "phone": "(888) 888-8888"})
    assert r.status_code == 400 and r.json()["meta"]["matchingField"] == "phone"
    sb.location_settings(allow_duplicates=True)
    assert send(sb, "POST", "/contacts/", json={"locationId": sb.location_id,
                                                "email": "rosan@deos.com"}).status_code == 201


def test_422_for_undeclared_and_invalid_properties(fresh_sandbox):
    sb = fresh_sandbox
    r = send(sb, "POST", "/contacts/", json={"locationId": sb.location_id, "email": "a@b.co",
                                             "additionalEmails": ["x@y.co"]})
    assert r.status_code == 422
    assert r.json() == {"statusCode": 422, "message": ["property additionalEmails should not exist"],
                        "error": "Unprocessable Entity"}
    check(r, "contacts", "POST", "/contacts/")
    r = send(sb, "POST", "/contacts/", json={"locationId": sb.location_id, "email": "not-an-email"})
    assert r.status_code == 422 and r.json()["message"] == ["email must be an email"]
    c = a_contact(sb)
    r = send(sb, "PUT", f"/contacts/{c['id']}", json={"gender": "male"})
    assert r.status_code == 422 and "property gender should not exist" in r.json()["message"]
    r = send(sb, "POST", f"/contacts/{c['id']}/tasks", json={"title": "t", "dueDate": "tomorrow",
                                                             "completed": False})
    assert r.status_code == 422 and "dueDate must be a valid ISO 8601 date string" in r.json()["message"]
    r = send(sb, "POST", f"/contacts/{c['id']}/notes", json={"body": "x", "color2": "#fff"})
    assert r.status_code == 422
    r = send(sb, "POST", "/contacts/", json={"locationId": sb.location_id})
    assert r.status_code == 400 and r.json()["statusCode"] == 422  # only locationId: HTTP 400, body 422


def test_update_replaces_tags_and_bumps_date_updated(fresh_sandbox):
    sb = fresh_sandbox
    c = a_contact(sb, lambda c: len(c["tags"]) >= 2)
    r = send(sb, "PUT", f"/contacts/{c['id']}", json={"tags": ["only"], "city": "Reno", "companyName": "X Co"})
    body = check(r, "contacts", "PUT", "/contacts/{contactId}")
    assert body["succeded"] is True
    assert body["contact"]["tags"] == ["only"] and body["contact"]["city"] == "Reno"
    assert body["contact"]["dateUpdated"] > c["dateUpdated"]
    assert body["contact"]["dateAdded"] == c["dateAdded"]


def test_tags_endpoint_adds_and_removes(fresh_sandbox):
    sb = fresh_sandbox
    c = a_contact(sb, lambda c: c["tags"])
    r = send(sb, "POST", f"/contacts/{c['id']}/tags", json={"tags": ["new-one", c["tags"][0]]})
    assert r.status_code == 201
    tags = check(r, "contacts", "POST", "/contacts/{contactId}/tags")["tags"]
    assert tags == c["tags"] + ["new-one"]
    r = send(sb, "DELETE", f"/contacts/{c['id']}/tags", json={"tags": ["new-one"]})
    assert check(r, "contacts", "DELETE", "/contacts/{contactId}/tags")["tags"] == c["tags"]
    after = get(sb, f"/contacts/{c['id']}").json()["contact"]
    assert after["tags"] == c["tags"] and after["dateUpdated"] > c["dateUpdated"]


def test_custom_fields_written_by_id_or_key_read_as_id_value(fresh_sandbox):
    sb = fresh_sandbox
    cfs = get(sb, f"/locations/{sb.location_id}/customFields", params={"model": "contact"}).json()["customFields"]
    by_key = {f["fieldKey"]: f for f in cfs}
    score, color, ref = by_key["contact.lead_score"], by_key["contact.favorite_color"], by_key["contact.referral_code"]
    body = {"locationId": sb.location_id, "email": "cf@example.com", "customFields": [
        {"id": score["id"], "field_value": 42}, {"key": "favorite_color", "field_value": "Red"},
        {"key": "contact.referral_code", "fieldValue": "REF-1"}]}
    c = send(sb, "POST", "/contacts/", json=body).json()["contact"]
    got = {x["id"]: x["value"] for x in c["customFields"]}
    assert got == {score["id"]: 42, color["id"]: "Red", ref["id"]: "REF-1"}
    r = send(sb, "PUT", f"/contacts/{c['id']}", json={"customFields": [{"id": score["id"], "field_value": 7}]})
    got = {x["id"]: x["value"] for x in r.json()["contact"]["customFields"]}
    assert got[score["id"]] == 7 and got[color["id"]] == "Red"


def test_upsert_matches_and_ignores_conflicting_second_field(fresh_sandbox):
    sb = fresh_sandbox
    d = sb.dump()["contacts"]
    a = next(c for c in d if c.get("email") and c.get("phone"))
    b = next(c for c in d if c.get("phone") and c["id"] != a["id"])
    r = send(sb, "POST", "/contacts/upsert", json={"locationId": sb.location_id, "email": a["email"],
                                                   "city": "Boise"})
    body = check(r, "contacts", "POST", "/contacts/upsert")
    assert r.status_code == 200 and body["new"] is False and body["contact"]["id"] == a["id"]
    assert body["contact"]["city"] == "Boise"
    # email matches a, phone matches b: a is updated, phone silently ignored (#37)
    r = send(sb, "POST", "/contacts/upsert", json={"locationId": sb.location_id, "email": a["email"],
                                                   "phone": b["phone"], "lastName": "Changed"})
    body = r.json()
    assert body["new"] is False and body["contact"]["id"] == a["id"]
    assert body["contact"]["phone"] == a["phone"] and body["contact"]["lastName"] == "Changed"
    r = send(sb, "POST", "/contacts/upsert", json={"locationId": sb.location_id, "email": "brand@new.example"})
    assert r.json()["new"] is True
    # phone first priority
    sb.location_settings(upsert_match="phone_email")
    r = send(sb, "POST", "/contacts/upsert", json={"locationId": sb.location_id, "email": a["email"],
                                                   "phone": b["phone"]})
    assert r.json()["contact"]["id"] == b["id"]
    # duplicates allowed + createNewIfDuplicateAllowed: always create
    sb.location_settings(allow_duplicates=True)
    r = send(sb, "POST", "/contacts/upsert", json={"locationId": sb.location_id, "email": a["email"],
                                                   "createNewIfDuplicateAllowed": True})
    assert r.json()["new"] is True and r.json()["contact"]["id"] != a["id"]


def test_delete_contact(fresh_sandbox):
    sb = fresh_sandbox
    c = a_contact(sb)
    r = send(sb, "DELETE", f"/contacts/{c['id']}")
    assert check(r, "contacts", "DELETE", "/contacts/{contactId}") == {"succeded": True,
                                                                         "traceId": r.json()["traceId"]}
    assert get(sb, f"/contacts/{c['id']}").status_code == 400
    assert c["id"] not in {x["id"] for x in sb.dump()["contacts"]}


def test_task_crud(fresh_sandbox):
    sb = fresh_sandbox
    c = a_contact(sb)
    r = send(sb, "POST", f"/contacts/{c['id']}/tasks", json={"title": "Call", "dueDate": "2026-10-25T11:00:00Z",
                                                             "completed": False, "body": "x"})
    assert r.status_code == 201
    t = check(r, "contacts", "POST", "/contacts/{contactId}/tasks")["task"]
    assert t["dueDate"] == "2026-10-25T11:00:00.000Z" and t["contactId"] == c["id"]
    r = send(sb, "PUT", f"/contacts/{c['id']}/tasks/{t['id']}", json={"title": "Call again"})
    assert check(r, "contacts", "PUT", "/contacts/{contactId}/tasks/{taskId}")["task"]["title"] == "Call again"
    r = send(sb, "PUT", f"/contacts/{c['id']}/tasks/{t['id']}/completed", json={"completed": True})
    assert check(r, "contacts", "PUT", "/contacts/{contactId}/tasks/{taskId}/completed")["task"]["completed"]
    found = send(sb, "POST", f"/locations/{sb.location_id}/tasks/search", json={"contactId": [c["id"]]}).json()
    mine = next(x for x in found["tasks"] if x["_id"] == t["id"])
    assert mine["completed"] is True and mine["dateUpdated"] > mine["dateAdded"]
    r = send(sb, "DELETE", f"/contacts/{c['id']}/tasks/{t['id']}")
    assert check(r, "contacts", "DELETE", "/contacts/{contactId}/tasks/{taskId}")["succeded"] is True
    assert t["id"] not in {x["id"] for x in get(sb, f"/contacts/{c['id']}/tasks").json()["tasks"]}
    found = send(sb, "POST", f"/locations/{sb.location_id}/tasks/search", json={"contactId": [c["id"]]}).json()
    assert next(x for x in found["tasks"] if x["_id"] == t["id"])["deleted"] is True
    # a task write does not touch the contact's dateUpdated
    assert get(sb, f"/contacts/{c['id']}").json()["contact"]["dateUpdated"] == c["dateUpdated"]


def test_note_crud(fresh_sandbox):
    sb = fresh_sandbox
    c = a_contact(sb)
    r = send(sb, "POST", f"/contacts/{c['id']}/notes", json={"body": "hello", "title": "T", "pinned": True})
    assert r.status_code == 201
    n = check(r, "contacts", "POST", "/contacts/{contactId}/notes")["note"]
    assert n["contactId"] == c["id"] and n["pinned"] is True
    r = send(sb, "PUT", f"/contacts/{c['id']}/notes/{n['id']}", json={"body": "edited"})
    assert check(r, "contacts", "PUT", "/contacts/{contactId}/notes/{id}")["note"]["body"] == "edited"
    assert get(sb, f"/contacts/{c['id']}/notes").json()["notes"][0]["id"] == n["id"]
    r = send(sb, "DELETE", f"/contacts/{c['id']}/notes/{n['id']}")
    assert check(r, "contacts", "DELETE", "/contacts/{contactId}/notes/{id}")["succeded"] is True
    assert n["id"] not in {x["id"] for x in get(sb, f"/contacts/{c['id']}/notes").json()["notes"]}
    assert get(sb, f"/contacts/{c['id']}").json()["contact"]["dateUpdated"] == c["dateUpdated"]


def test_create_appointment(fresh_sandbox):
    sb = fresh_sandbox
    cal = get(sb, "/calendars/", version=V_CAL, params={"locationId": sb.location_id}).json()["calendars"][0]
    c = a_contact(sb)
    body = {"calendarId": cal["id"], "locationId": sb.location_id, "contactId": c["id"],
            "startTime": "2026-12-01T10:00:00+05:30", "endTime": "2026-12-01T10:30:00+05:30", "title": "Demo"}
    r = send(sb, "POST", "/calendars/events/appointments", version=V_CAL, json=body)
    assert r.status_code == 422 and "assignedUserId should not be empty" in r.json()["message"]
    body["assignedUserId"] = cal["teamMembers"][0]["userId"]
    assert send(sb, "POST", "/calendars/events/appointments", json=body).status_code == 401  # wrong Version
    r = send(sb, "POST", "/calendars/events/appointments", ro(sb), version=V_CAL, json=body)
    assert r.status_code == 401  # readonly token lacks calendars/events.write
    r = send(sb, "POST", "/calendars/events/appointments", version=V_CAL, json=body)
    assert r.status_code == 200
    a = check(r, "calendars", "POST", "/calendars/events/appointments")
    assert "dateAdded" not in a
    events = get(sb, f"/contacts/{c['id']}/appointments").json()["events"]
    ev = next(e for e in events if e["id"] == a["id"])
    assert ev["startTime"] == "2026-12-01 04:30:00" and ev["dateAdded"]
    body["startTime"] = "2026-12-01T10:00:00"  # no offset
    assert send(sb, "POST", "/calendars/events/appointments", version=V_CAL, json=body).status_code == 422



def _book(sb, token=None, **extra):
    """Create an appointment on the first calendar for a contact of the token's location; returns (body, answer)."""
    loc = extra.pop("locationId", sb.location_id)
    cal = get(sb, "/calendars/", token, version=V_CAL, params={"locationId": loc}).json()["calendars"][0]
    c = next(c for c in sb.dump(loc)["contacts"])
    body = {"calendarId": cal["id"], "locationId": loc, "contactId": c["id"], "title": "Demo",
            "assignedUserId": cal["teamMembers"][0]["userId"], "description": "[rankr:rk_a_1]",
            "startTime": "2026-12-01T10:00:00+05:30", "endTime": "2026-12-01T10:30:00+05:30", **extra}
    r = send(sb, "POST", "/calendars/events/appointments", token, version=V_CAL, json=body)
    assert r.status_code == 200, r.text
    return body, r.json()


def _event(sb, contact_id, event_id):
    return next(e for e in get(sb, f"/contacts/{contact_id}/appointments").json()["events"] if e["id"] == event_id)


def test_update_appointment(fresh_sandbox):
    sb = fresh_sandbox
    body, a = _book(sb)
    path = f"/calendars/events/appointments/{a['id']}"
    before = _event(sb, body["contactId"], a["id"])
    change = {"title": "Moved", "appointmentStatus": "cancelled", "startTime": "2026-12-02T09:00:00-05:00",
              "endTime": "2026-12-02T10:00:00-05:00", "address": "Room 4", "description": "[rankr:rk_a_1] moved"}
    assert send(sb, "PUT", path, json=change).status_code == 401  # wrong Version
    assert send(sb, "PUT", path, ro(sb), version=V_CAL, json=change).status_code == 401  # no events.write
    r = send(sb, "PUT", path, version=V_CAL, json=change)
    assert r.status_code == 200
    out = check(r, "calendars", "PUT", "/calendars/events/appointments/{eventId}")
    assert "dateAdded" not in out and "dateUpdated" not in out  # as on create (#246)
    assert {k: out[k] for k in ("id", "calendarId", "locationId", "contactId", "title", "appointmentStatus",
                                "startTime", "endTime", "address", "assignedUserId")} == {
        "id": a["id"], "calendarId": body["calendarId"], "locationId": sb.location_id, "contactId": body["contactId"],
        "title": "Moved", "appointmentStatus": "cancelled", "startTime": change["startTime"],
        "endTime": change["endTime"], "address": "Room 4", "assignedUserId": body["assignedUserId"]}
    ev = _event(sb, body["contactId"], a["id"])
    assert (ev["startTime"], ev["endTime"], ev["notes"]) == ("2026-12-02 14:00:00", "2026-12-02 15:00:00",
                                                             change["description"])
    assert ev["dateAdded"] == before["dateAdded"] and ev["dateUpdated"] > before["dateUpdated"]
    assert [x for x in sb.dump()["appointments"] if x["id"] == a["id"]] == [ev]

    # partial: what is not sent keeps its value; a lone endTime keeps the start
    r = send(sb, "PUT", path, version=V_CAL, json={"endTime": "2026-12-02T15:30:00Z"})
    out = check(r, "calendars", "PUT", "/calendars/events/appointments/{eventId}")
    assert out["title"] == "Moved" and out["endTime"] == "2026-12-02T15:30:00Z"
    ev2 = _event(sb, body["contactId"], a["id"])
    assert (ev2["startTime"], ev2["endTime"], ev2["address"]) == ("2026-12-02 14:00:00", "2026-12-02 15:30:00",
                                                                  "Room 4")
    assert ev2["dateUpdated"] > ev["dateUpdated"]

    # another calendar and its team member
    cal2 = get(sb, "/calendars/", version=V_CAL, params={"locationId": sb.location_id}).json()["calendars"][1]
    user2 = cal2["teamMembers"][0]["userId"]
    r = send(sb, "PUT", path, version=V_CAL, json={"calendarId": cal2["id"], "assignedUserId": user2})
    assert r.status_code == 200 and r.json()["calendarId"] == cal2["id"]
    ev3 = _event(sb, body["contactId"], a["id"])
    assert ev3["calendarId"] == cal2["id"] and ev3["users"] == [user2] and ev3["groupId"] == cal2.get("groupId", "")


def test_update_appointment_errors(fresh_sandbox, sandbox_factory):
    sb = fresh_sandbox
    body, a = _book(sb)
    path = f"/calendars/events/appointments/{a['id']}"
    before = _event(sb, body["contactId"], a["id"])

    def put(payload, event_path=path):
        return send(sb, "PUT", event_path, version=V_CAL, json=payload)

    r = put({"title": "X"}, "/calendars/events/appointments/AAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 400
    assert check(r, "calendars", "PUT", "/calendars/events/appointments/{eventId}") == {
        "statusCode": 400, "message": "Appointment not found", "error": "Bad Request"}
    r = put({"locationId": sb.location_id, "contactId": body["contactId"]})  # not in AppointmentEditSchema
    assert r.status_code == 422 and r.json()["message"] == ["property locationId should not exist",
                                                           "property contactId should not exist"]
    assert put({"startTime": "2026-12-01T11:00:00"}).status_code == 422  # no offset
    assert put({"appointmentStatus": "booked"}).status_code == 422
    assert put({"assignedUserId": "nobodyNobodyNobody00"}).json()["message"] == [
        "assignedUserId must be a team member of the calendar"]
    assert put({"calendarId": "AAAAAAAAAAAAAAAAAAAA"}).json()["message"] == "Calendar not found"
    r = put({"startTime": "2026-12-01T10:45:00+05:30"})  # after the stored end
    assert r.status_code == 400 and r.json()["message"] == "endTime must be after startTime"
    assert _event(sb, body["contactId"], a["id"]) == before  # nothing refused was applied

    two = sandbox_factory(contacts=5, locations=2)
    loc2 = two.credentials["locations"][1]
    _, other = _book(two, two.credentials["location_tokens"][loc2]["readwrite"], locationId=loc2)
    r = send(two, "PUT", f"/calendars/events/appointments/{other['id']}", version=V_CAL, json={"title": "X"})
    assert r.status_code == 403
    assert r.json() == {"statusCode": 403, "message": "The token does not have access to this location."}

def test_get_and_delete_appointment(fresh_sandbox):
    sb = fresh_sandbox
    body, a = _book(sb)
    path = f"/calendars/events/appointments/{a['id']}"
    assert get(sb, path).status_code == 401  # contacts Version on /calendars reads like an auth failure
    r = get(sb, path, version=V_CAL)
    got = check(r, "calendars", "GET", "/calendars/events/appointments/{eventId}")
    assert got["event"] == _event(sb, body["contactId"], a["id"])  # the stored record, as the list shows it
    r = get(sb, "/calendars/events/appointments/AAAAAAAAAAAAAAAAAAAA", version=V_CAL)
    assert r.status_code == 400 and r.json()["message"] == "Appointment not found"

    assert send(sb, "DELETE", f"/calendars/events/{a['id']}", ro(sb), version=V_CAL).status_code == 401
    r = send(sb, "DELETE", f"/calendars/events/{a['id']}", version=V_CAL, json={})
    assert r.status_code == 201
    assert check(r, "calendars", "DELETE", "/calendars/events/{eventId}")["succeeded"] is True
    assert a["id"] not in [e["id"] for e in get(sb, f"/contacts/{body['contactId']}/appointments").json()["events"]]
    assert get(sb, path, version=V_CAL).status_code == 400
    assert send(sb, "DELETE", f"/calendars/events/{a['id']}", version=V_CAL).status_code == 400


def test_appointment_edit_answers_times_in_the_create_form(fresh_sandbox):
    sb = fresh_sandbox
    body, a = _book(sb)
    assert (a["startTime"], a["endTime"]) == (body["startTime"], body["endTime"])  # +05:30, as sent
    path = f"/calendars/events/appointments/{a['id']}"
    out = send(sb, "PUT", path, version=V_CAL, json={"title": "Renamed"}).json()
    assert (out["startTime"], out["endTime"]) == ("2026-12-01T10:00:00+05:30", "2026-12-01T10:30:00+05:30")
    # a new start in another zone: the kept end is answered in that zone too
    out = send(sb, "PUT", path, version=V_CAL, json={"startTime": "2026-11-30T23:00:00-05:00"}).json()
    assert (out["startTime"], out["endTime"]) == ("2026-11-30T23:00:00-05:00", "2026-12-01T00:00:00-05:00")
    out = send(sb, "PUT", path, version=V_CAL, json={"title": "Again"}).json()
    assert (out["startTime"], out["endTime"]) == ("2026-11-30T23:00:00-05:00", "2026-12-01T00:00:00-05:00")


def test_malformed_but_plausible_requests_are_422_never_500(fresh_sandbox):
    """The requests the spec layer exists for: wrong JSON types and values that would break storage."""
    sb = fresh_sandbox
    c = a_contact(sb)
    body, a = _book(sb)
    cases = [
        ("PUT", f"/contacts/{c['id']}", V1, {"customFields": [{"id": ["x"], "field_value": "v"}]}),
        ("PUT", f"/calendars/events/appointments/{a['id']}", V_CAL, {"assignedUserId": ["u"]}),
        ("PUT", f"/calendars/events/appointments/{a['id']}", V_CAL, {"title": {}}),
        ("PUT", f"/calendars/events/appointments/{a['id']}", V_CAL, {"address": 0}),
        ("PUT", f"/calendars/events/appointments/{a['id']}", V_CAL, {"startTime": "2026-12-01T10:00:00+99:99"}),
        ("PUT", f"/calendars/events/appointments/{a['id']}", V_CAL, {"startTime": "٢٠٢٦-12-01T10:00:00Z"}),
        ("POST", "/contacts/search", V1, {"locationId": sb.location_id, "pageLimit": 10,
                                          "sort": [{"field": ["dateAdded"], "direction": "asc"}]}),
        ("PUT", f"/contacts/{c['id']}", V1, {"dndSettings": {"SMS": {"status": "active", "message": {}}}}),
        ("PUT", f"/contacts/{c['id']}", V1, {"dnd": "true"}),
        ("POST", f"/locations/{sb.location_id}/tasks/search", V1, {"completed": "yes"}),
        ("POST", f"/locations/{sb.location_id}/tasks/search", V1, {"skip": 1e300}),
    ]
    for method, path, version, payload in cases:
        r = send(sb, method, path, version=version, json=payload)
        assert r.status_code == 422, (path, payload, r.status_code, r.text)
        assert r.json()["error"] == "Unprocessable Entity" and isinstance(r.json()["message"], list)
    r = get(sb, "/contacts/", params={"locationId": sb.location_id, "startAfter": "1e300"})
    assert r.status_code == 422
    assert _event(sb, body["contactId"], a["id"])["title"] == "Demo"  # nothing refused was applied


def test_scope_and_location_errors(sandbox, sandbox_factory):
    c = a_contact(sandbox)
    r = send(sandbox, "PUT", f"/contacts/{c['id']}", ro(sandbox), json={"city": "X"})
    assert r.status_code == 401
    assert r.json() == {"statusCode": 401, "message": "The token is not authorized for this scope.",
                        "error": "Unauthorized"}
    r = get(sandbox, f"/contacts/{c['id']}", "pit-00000000-0000-4000-8000-000000000000")
    assert r.status_code == 401 and r.json()["message"] == "Invalid token: access token is invalid"
    r = requests.get(url(sandbox, f"/contacts/{c['id']}"), headers={"Version": V1}, timeout=10)
    assert r.status_code == 401
    r = get(sandbox, "/contacts/", params={"locationId": "ZZZZZZZZZZZZZZZZZZZZ"})
    assert r.status_code == 403
    assert r.json()["message"] == "The token does not have access to this location."
    r = send(sandbox, "POST", "/contacts/", json={"locationId": "ZZZZZZZZZZZZZZZZZZZZ", "email": "a@b.co"})
    assert r.status_code == 403
    r = requests.get(url(sandbox, f"/contacts/{c['id']}"), headers={"Authorization":
                                                                     f"Bearer {ro(sandbox)}"}, timeout=10)
    assert r.status_code == 400  # no Version header
    two = sandbox_factory(contacts=5, locations=2)
    loc2 = two.credentials["locations"][1]
    other = two.dump(loc2)["contacts"][0]["id"]
    assert get(two, f"/contacts/{other}").status_code == 403
    tok = two.credentials["location_tokens"][loc2]["readonly"]
    assert get(two, f"/contacts/{other}", tok).status_code == 200
