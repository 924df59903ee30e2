"""The input contract: the brief's required fields only, the key order (Rankr id, primary key, content key),
the markers built from it, and the intake claims that keep two records off one GHL contact."""

from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

from destination_ghl_contacts import identity
from destination_ghl_contacts.identity import CONTENT, PRIMARY_KEY, RANKR, Identity, RecordKey, attach, key_of
from destination_ghl_contacts.mapping import note_body, task_body
from destination_ghl_contacts.validation import problem

CONTACT = {"email": "a@b.co", "firstName": "A", "lastName": "B"}
TASK = {"contactId": "c1", "title": "Call", "dueDate": "2026-12-03T10:00:00+01:00", "status": "open"}


def test_the_briefs_required_fields_are_enough():
    assert problem("contacts", CONTACT) is None
    assert problem("tasks", TASK) is None
    assert problem("notes", {"contactId": "c1", "body": "hi"}) is None
    assert problem("tags", {"contactEmail": "a@b.co", "tags": ["x"]}) is None
    assert problem("appointments", {"contactId": "c1", "title": "Demo", "status": "new",
                                    "startTime": "2026-12-03T10:00:00Z", "endTime": "2026-12-03T11:00:00Z"}) is None


def test_ids_of_any_string_or_integer_form_are_accepted():
    for rankr_id in ("rk_c_1", "lead-42", "42", 42, "a b/c"):
        assert problem("contacts", dict(CONTACT, rankrId=rankr_id)) is None
    assert problem("tasks", dict(TASK, contactId=None, contactRankrId=7)) is not None  # contactId null: no reference
    assert problem("notes", {"contactRankrId": 7, "body": "hi"}) is None
    assert problem("contacts", dict(CONTACT, rankrId="")) == "rankrId: is empty"
    assert "rankrId: must be of type" in problem("contacts", dict(CONTACT, rankrId=1.5))


def test_an_email_failing_format_and_pattern_is_one_reason():
    assert problem("contacts", dict(CONTACT, email="plainaddress")) == "email: 'plainaddress' is not a valid email"


def test_the_key_is_the_rankr_id_else_the_primary_key_else_the_content():
    assert key_of("tasks", dict(TASK, rankrId=5, id=9), {}, [["id"]]) == RecordKey(RANKR, "5")
    assert key_of("tasks", dict(TASK, id=9), dict(TASK, id=9), [["id"]]) == RecordKey(PRIMARY_KEY, "9")
    raw = {"org": "acme", "meta": {"n": 3}}
    assert key_of("tasks", TASK, raw, [["org"], ["meta", "n"]]) == RecordKey(PRIMARY_KEY, "acme/3")
    content = key_of("tasks", TASK, TASK, [["id"]])  # the declared key is absent: content
    assert content.kind == CONTENT and content.value.startswith("c-") and not content.stable
    same_instant = dict(TASK, dueDate="2026-12-03T09:00:00Z", status="completed")
    assert key_of("tasks", same_instant, {}, None) == content  # status and time zone are not the task's identity
    assert key_of("tasks", dict(TASK, title="Other"), {}, None) != content
    assert key_of("contacts", dict(CONTACT, email=" A@B.co"), {}, None) == RecordKey(CONTENT, "a@b.co")


def test_markers_keep_the_rankr_form_and_quote_other_keys():
    rankr = attach(dict(TASK), RecordKey(RANKR, "rk_t_1"))
    assert task_body(rankr)["body"] == "[rankr:rk_t_1]"
    odd = attach({"contactId": "c1", "body": "hi"}, RecordKey(PRIMARY_KEY, "a b]c/1"))
    assert note_body(odd)["body"] == "hi\n\n[key:a%20b%5Dc/1]"


def test_primary_keys_come_from_the_configured_catalog():
    catalog = ConfiguredAirbyteCatalogSerializer.load({"streams": [
        {"stream": {"name": "leads", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
         "sync_mode": "full_refresh", "destination_sync_mode": "append_dedup", "primary_key": [["id"]]},
        {"stream": {"name": "todos", "json_schema": {}, "supported_sync_modes": ["full_refresh"],
                    "source_defined_primary_key": [["uid"]]},
         "sync_mode": "full_refresh", "destination_sync_mode": "append"},
        {"stream": {"name": "notes", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
         "sync_mode": "full_refresh", "destination_sync_mode": "append"}]})
    assert identity.primary_keys(catalog) == {"leads": [["id"]], "todos": [["uid"]]}


def test_the_first_record_claims_its_email_and_phone_the_later_is_rejected(tmp_path):
    claims = Identity(directory=str(tmp_path))
    first, second, third = (RecordKey(PRIMARY_KEY, n) for n in ("1", "2", "3"))
    assert claims.claim("contacts", first, dict(CONTACT, phone="+1 555 010 0001")) is None
    assert claims.claim("contacts", first, dict(CONTACT, firstName="Changed")) is None  # a later version: same key
    reason = claims.claim("contacts", second, dict(CONTACT, email="A@b.co"))
    assert "identity conflict" in reason and "email a@b.co" in reason and "primary key 1" in reason
    reason = claims.claim("contacts", third, {"email": "c@d.co", "phone": "(1) 555-010-0001"})
    assert "phone 15550100001" in reason and "primary key 1" in reason
    assert claims.claim("contacts", third, {"email": "c@d.co"}) is None  # a conflicting record claimed nothing
    assert claims.claim("tasks", second, TASK) is None
    assert claims.own("loc", "ghl1", first) is None and "primary key 1" in claims.own("loc", "ghl1", second)
    claims.close()
