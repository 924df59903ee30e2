"""custom_fields: the location's contact custom-field definitions, offered only with their scope."""

from .builders import RATE_HEADERS, Requests, config, error, template
from .harness import run_discover, run_read


def test_custom_field_definitions_are_read(http):
    http.get(Requests.custom_fields, json=template("custom_fields"), headers=RATE_HEADERS)
    out = run_read(config(), ["custom_fields"])
    assert [m.record.data["fieldKey"] for m in out.records] == ["contact.tier"]


def test_discover_leaves_custom_fields_out_without_their_scope(http):
    http.get(Requests.custom_fields, status_code=401, json=error("missing_scope"))
    names = {stream.name for stream in run_discover(config()).catalog.catalog.streams}
    assert names == {"contacts", "tasks", "notes", "appointments"}
