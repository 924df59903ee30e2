"""Drive HighLevel's official Python SDK (`gohighlevel-api-client`, as shipped: API v3) against a sandbox.

Run by integration_tests/sandbox/test_sandbox_sdk.py inside the SDK's own virtualenv (this file imports
nothing from the project). Argument: a JSON object with base_url, pit, location_id, client_id,
client_secret, refresh_token. Prints one JSON object of what the SDK got back.
"""
import asyncio
import json
import sys

from highlevel import HighLevel


async def main(cfg: dict) -> dict:
    HighLevel.BASE_URL = cfg["base_url"]  # the only change: where the SDK sends its requests
    ghl = HighLevel(private_integration_token=cfg["pit"])
    out: dict = {}
    loc = cfg["location_id"]
    created = await ghl.contacts.create_contact({"locationId": loc, "firstName": "Sdk", "lastName": "Person",
                                                  "email": "sdk.person@example.com", "tags": ["sdk"]})
    cid = created["contact"]["id"]
    out["created"] = created
    out["updated"] = await ghl.contacts.update_contact(cid, {"city": "Oslo"})
    out["got"] = await ghl.contacts.get_contact(cid)
    task = await ghl.contacts.create_task(cid, {"title": "Call", "dueDate": "2026-12-01T10:00:00Z",
                                                "completed": False})
    out["task"] = task
    out["task_updated"] = await ghl.contacts.update_task(cid, task["task"]["id"], {"completed": True})
    out["tasks"] = await ghl.contacts.get_all_tasks(cid)
    note = await ghl.contacts.create_note(cid, {"body": "from the SDK"})
    out["note"] = note
    out["notes"] = await ghl.contacts.get_all_notes(cid)
    cal = (await ghl.calendars.get_calendars(loc))["calendars"][0]
    appt = await ghl.calendars.create_appointment({
        "calendarId": cal["id"], "locationId": loc, "contactId": cid,
        "assignedUserId": cal["teamMembers"][0]["userId"], "startTime": "2026-12-01T10:00:00+01:00",
        "endTime": "2026-12-01T10:30:00+01:00", "title": "SDK meeting"})
    out["appointment"] = appt
    out["appointment_edited"] = await ghl.calendars.edit_appointment(appt["id"], {"title": "SDK meeting 2"})
    out["appointment_got"] = await ghl.calendars.get_appointment(appt["id"])
    out["appointments"] = await ghl.contacts.get_appointments_for_contact(cid)
    out["appointment_deleted"] = await ghl.calendars.delete_event(appt["id"], {})
    first = await ghl.oauth.refresh_token(cfg["refresh_token"], cfg["client_id"], cfg["client_secret"],
                                          "refresh_token", "Location")
    out["refreshed"] = first
    out["refreshed_again"] = await ghl.oauth.refresh_token(first["refreshToken"], cfg["client_id"],
                                                           cfg["client_secret"], "refresh_token", "Location")
    out["deleted"] = await ghl.contacts.delete_contact(cid)
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))))
