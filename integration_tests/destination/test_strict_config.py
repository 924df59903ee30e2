"""Strict config through the console script: an unknown key fails check and write naming the key and the
closest known one; check proves, with reads only, that the GHL things the settings name exist; and no CDK
line reads as a swallowed error."""

from __future__ import annotations

import json

import pytest
import requests

from . import harness
from .harness import config, run


@pytest.fixture(scope="module")
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=12, **harness.FAST) as sb:
        yield sb


def _status(result):
    return next(m["connectionStatus"] for m in result.messages if m["type"] == "CONNECTION_STATUS")


def _calendar(sandbox):
    creds = sandbox.credentials
    return requests.get(creds["base_url"] + "/calendars/", params={"locationId": creds["location_id"]},
                        headers=sandbox.headers(version="2021-04-15"), timeout=30).json()["calendars"][0]


@pytest.mark.parametrize("extra, field, fix", [
    ({"contact_writemode": "update_only"}, "'contact_writemode'", "Did you mean 'contact_write_mode'"),
    ({"page_sise": 100}, "'page_sise'", "Known settings:"),
    ({"streams": {"contact": "leads"}}, "'streams.contact'", "Did you mean 'contacts'"),
])
def test_an_unknown_key_fails_check_and_write_naming_it(sandbox, extra, field, fix):
    checked = run("check", config(sandbox, **extra))
    status = _status(checked)
    assert status["status"] == "FAILED" and field in status["message"] and fix in status["message"], status
    written = run("write", config(sandbox, **extra), [])
    assert written.returncode != 0
    errors = [m["trace"]["error"] for m in written.of_type("TRACE")]
    assert errors and field in errors[0]["message"] and errors[0]["failure_type"] == "config_error"


def test_a_nested_unknown_key_names_its_path(sandbox):
    cfg = config(sandbox)
    cfg["credentials"]["tokn"] = "x"
    status = _status(run("check", cfg))
    assert status["status"] == "FAILED" and "'credentials.tokn'" in status["message"]
    assert "Did you mean 'token'" in status["message"]


def test_check_proves_the_named_ghl_things_exist_read_only(sandbox):
    sandbox.reset()
    before = sandbox.dump()
    calendar = _calendar(sandbox)
    member = calendar["teamMembers"][0]["userId"]
    good = dict(default_calendar_id=calendar["id"], default_assigned_user_id=member,
                rankr_id_custom_field="referral_code",
                field_mappings={"contacts": {"score": "customFields.lead_score"}})
    ok = run("check", config(sandbox, **good))
    assert _status(ok)["status"] == "SUCCEEDED", _status(ok)
    assert not [text for text in ok.logs() if "Ignoring response" in text]

    cases = [
        (dict(default_calendar_id="noSuchCalendar00000"), "'default_calendar_id'", "Copy a calendar id"),
        (dict(default_assigned_user_id="noSuchUser000000000"), "'default_assigned_user_id'", "team member"),
        (dict(rankr_id_custom_field="no_such_field"), "'rankr_id_custom_field'", "Create the field in GHL"),
        (dict(field_mappings={"contacts": {"score": "customFields.id:noSuchFieldId"}}),
         "'field_mappings.contacts.score'", "Create the field in GHL"),
    ]
    for extra, field, fix in cases:
        status = _status(run("check", config(sandbox, **{**good, **extra})))
        assert status["status"] == "FAILED" and field in status["message"] and fix in status["message"], status
    assert sandbox.dump() == before  # nothing was created or changed


def test_a_write_reports_a_ghl_refusal_in_its_own_words_only(sandbox):
    """GHL's 400 for an unknown contact id is handed to the writer (a rejection), not logged as ignored."""
    sandbox.reset()
    record = {"ghlId": "noSuchContact0000000", "email": "nobody.1@example.com", "firstName": "No", "lastName": "Body"}
    lines = [json.dumps({"type": "RECORD", "record": {"stream": "contacts", "data": record, "emitted_at": 1}})]
    result = run("write", config(sandbox), lines)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.rejections) == 1 and "ghlId: no GHL contact has the id" in result.rejections[0]
    assert not [text for text in result.logs() if "Ignoring response" in text]


def test_a_custom_field_value_of_the_wrong_type_is_a_rejected_record_not_text(sandbox):
    sandbox.reset()
    lead = {"email": "typed.fields@example.com", "firstName": "Typed", "lastName": "Fields"}
    lines = [json.dumps({"type": "RECORD", "record": {"stream": "contacts", "emitted_at": 1, "data": dict(
                 lead, rankrId="rk_c_bad", customFields={"lead_score": "very high"})}}),
             json.dumps({"type": "RECORD", "record": {"stream": "contacts", "emitted_at": 1, "data": dict(
                 lead, rankrId="rk_c_bad2", email="typed.fields2@example.com", score="purple")}}),
             json.dumps({"type": "RECORD", "record": {"stream": "contacts", "emitted_at": 1, "data": dict(
                 lead, rankrId="rk_c_ok", email="typed.ok@example.com", customFields={"lead_score": "42"})}})]
    cfg = config(sandbox, field_mappings={"contacts": {"score": "customFields.favorite_color"}})
    result = run("write", cfg, lines)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.rejections) == 2, result.rejections
    assert "key=rk_c_bad " in result.rejections[0] and "customFields.lead_score: 'very high' does not fit the GHL " \
        "NUMERICAL field" in result.rejections[0]
    assert "key=rk_c_bad2 " in result.rejections[1] and "customFields.favorite_color" in result.rejections[1]
    emails = {c.get("email") for c in sandbox.dump()["contacts"]}
    assert "typed.ok@example.com" in emails and not {"typed.fields@example.com", "typed.fields2@example.com"} & emails
