"""The manifest's shared pieces equal ghl_http's, the spec is complete, and schemas ship in the wheel."""

import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

from ghl_http import rate_limit
from ghl_http.constants import HEADER_REMAINING, SCOPE_CONTACTS_READ, SCOPE_CUSTOM_FIELDS_READ
from source_ghl_contacts.source import MANIFEST
from source_ghl_contacts.spec import connector_specification

from .builders import config

ROOT = Path(__file__).resolve().parents[2]


def test_the_budget_is_ghl_http_budget_not_one_from_the_manifest():
    from source_ghl_contacts import SourceGhlContacts

    assert "api_budget" not in yaml.safe_load(Path(MANIFEST).read_text())
    source = SourceGhlContacts(config=config())
    source.streams(source._config)
    budget = source._constructor._api_budget.budget
    assert budget._ratelimit_remaining_header == HEADER_REMAINING
    (policy,) = budget._policies
    assert isinstance(policy, rate_limit.GHLWindowPolicy)


def test_the_built_source_paces_with_the_configured_rate():
    from source_ghl_contacts import SourceGhlContacts

    source = SourceGhlContacts(config=config(requests_per_10_seconds=37))
    source.streams(source._config)
    budget = source._constructor._api_budget.budget
    (policy,) = budget._policies
    (rate,) = policy._bucket.rates if hasattr(policy, "_bucket") else policy._limiter._bucket_factory.rates  # noqa: SLF001
    assert rate.limit == 37
    assert rate.interval == int(rate_limit.burst_window().total_seconds() * 1000)


def test_spec_has_the_shared_fields_the_source_fields_and_oauth_scopes():
    spec = connector_specification()
    properties = spec.connectionSpecification["properties"]
    for name in ("credentials", "location_id", "api_base_url", "requests_per_10_seconds", "start_date",
                 "lookback_window_minutes", "page_size", "business_id", "children_mode"):
        assert name in properties
    assert properties["page_size"]["default"] == 500 and properties["page_size"]["maximum"] == 500
    assert properties["children_mode"]["default"] == "changed_contacts"
    scope = spec.advanced_auth.oauth_config_specification.oauth_connector_input_specification.scope
    assert scope.split() == [SCOPE_CONTACTS_READ, SCOPE_CUSTOM_FIELDS_READ, "oauth.readonly", "oauth.write"]
    for branch in properties["credentials"]["oneOf"]:
        for field, definition in branch["properties"].items():
            if field in ("token", "client_secret", "refresh_token", "access_token"):
                assert definition.get("airbyte_secret") is True


def test_a_wheel_ships_the_manifest_and_the_record_schemas(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for stream in ("contacts", "tasks", "notes", "appointments", "custom_fields"):
        assert f"schemas/ghl/{stream}.json" in names
    assert "source_ghl_contacts/manifest.yaml" in names
