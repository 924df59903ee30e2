"""A WriteContext against a mocked GHL (requests-mock), and helpers to build buffered items."""

import logging

import pytest
import requests_mock

from destination_ghl_contacts.buffer import Buffer, Item
from destination_ghl_contacts.context import WriteContext
from destination_ghl_contacts.ghl import GHL
from destination_ghl_contacts.report import Report
from destination_ghl_contacts.spec import Settings

BASE = "https://services.leadconnectorhq.com"
LOC = "loc1"


def make_config(**extra):
    return {"credentials": {"auth_type": "private_integration_token", "token": "pit-secret"}, "location_id": LOC,
            "api_base_url": BASE, "requests_per_10_seconds": 1000, "request_timeout_seconds": 5, **extra}


# The location's contact custom fields, unless a test registers its own answer.
CUSTOM_FIELDS = {"customFields": [{"id": "f1", "fieldKey": "contact.lead_score", "dataType": "NUMERICAL"}]}


@pytest.fixture
def mock():
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/locations/{LOC}/customFields", json=CUSTOM_FIELDS)
        yield m


@pytest.fixture
def make_ctx(tmp_path):
    made = []

    def build(**extra):
        config = make_config(**extra)
        settings = Settings(config)
        buffer = Buffer(str(tmp_path))
        made.append(buffer)
        return WriteContext(GHL(config, logging.getLogger("test")), settings, Report(settings.dry_run), buffer)

    yield build
    for buffer in made:
        buffer.close()


def item(obj, data, seq=1):
    return Item(seq, obj, obj, data.get("rankrId", "?"), data)
