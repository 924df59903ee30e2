"""A bad config is an Airbyte config error that names the field and never echoes a secret."""

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http.config import read_config_file, validate_config
from ghl_http.spec_common import advanced_auth, connection_specification

SPEC = connection_specification("test", {"page_size": {"type": "integer", "default": 500}})
PIT = {"auth_type": "private_integration_token", "token": "pit-secret-value"}


def error_for(config):
    with pytest.raises(AirbyteTracedException) as caught:
        validate_config(config, SPEC)
    assert caught.value.failure_type == FailureType.config_error
    assert "pit-secret-value" not in caught.value.message
    return caught.value.message


@pytest.mark.parametrize(
    "config, field",
    [
        ({"credentials": PIT}, "'location_id' is missing"),
        ({"credentials": PIT, "location_id": 5}, "'location_id' must be of type string"),
        ({"credentials": PIT, "location_id": ""}, "'location_id' is empty"),
        ({"location_id": "loc"}, "'credentials' is missing"),
        ({"credentials": "pit-secret-value", "location_id": "loc"}, "'credentials' must be an object"),
        ({"credentials": {"token": "pit-secret-value"}, "location_id": "loc"}, "'credentials.auth_type' is missing"),
        ({"credentials": {"auth_type": "basic"}, "location_id": "loc"}, "'credentials.auth_type' must be"),
        ({"credentials": {**PIT, "token": ""}, "location_id": "loc"}, "'credentials.token' is empty"),
        ({"credentials": {"auth_type": "oauth2.0", "client_id": "a", "client_secret": "b"}, "location_id": "loc"},
         "'credentials.refresh_token' is missing"),
        ({"credentials": PIT, "location_id": "loc", "requests_per_10_seconds": 0}, "'requests_per_10_seconds' is out of range"),
        ({"credentials": PIT, "location_id": "loc", "api_base_url": "ftp://x"}, "'api_base_url' is not an http(s) URL"),
        ({"credentials": PIT, "location_id": "loc", "api_base_url": "http://ghl.example.com"}, "'api_base_url' uses plain http"),
    ],
)
def test_bad_config_names_the_field(config, field):
    assert field in error_for(config)


def test_valid_config_gets_defaults_and_a_clean_base_url():
    resolved = validate_config({"credentials": PIT, "location_id": "loc", "api_base_url": "http://127.0.0.1:8080/"}, SPEC)
    assert resolved["api_base_url"] == "http://127.0.0.1:8080"
    assert resolved["requests_per_10_seconds"] == 100
    assert resolved["page_size"] == 500


def test_default_base_url_is_ghl():
    assert validate_config({"credentials": PIT, "location_id": "loc"}, SPEC)["api_base_url"] == (
        "https://services.leadconnectorhq.com"
    )


def test_every_secret_is_marked_airbyte_secret():
    branches = SPEC["properties"]["credentials"]["oneOf"]
    secrets = {name for branch in branches for name, prop in branch["properties"].items() if prop.get("airbyte_secret")}
    assert secrets == {"token", "client_id", "client_secret", "refresh_token", "access_token"}


def test_advanced_auth_points_at_ghl_and_the_credentials_fields():
    block = advanced_auth(["contacts.readonly"])
    spec = block["oauth_config_specification"]
    assert spec["oauth_connector_input_specification"]["consent_url"].startswith(
        "https://marketplace.gohighlevel.com/v2/oauth/chooselocation"
    )
    assert spec["complete_oauth_output_specification"]["properties"]["refresh_token"]["path_in_connector_config"] == [
        "credentials",
        "refresh_token",
    ]
    # the one OAuth flow Airbyte allows per spec is the agency install's: a Company token naming its company
    assert block["predicate_key"] == ["credentials", "auth_type"] and block["predicate_value"] == "agency_oauth2.0"
    inputs = spec["oauth_connector_input_specification"]
    assert inputs["access_token_params"]["user_type"] == "Company"
    assert inputs["scope"].split() == ["contacts.readonly", "oauth.readonly", "oauth.write"]
    company = spec["complete_oauth_output_specification"]["properties"]["companyId"]
    assert company["path_in_connector_config"] == ["credentials", "company_id"] and "companyId" in inputs["extract_output"]
    agency_branch = next(b for b in SPEC["properties"]["credentials"]["oneOf"]
                         if b["properties"]["auth_type"].get("const") == "agency_oauth2.0")
    for output in spec["complete_oauth_output_specification"]["properties"].values():
        assert output["path_in_connector_config"][1] in agency_branch["properties"]


@pytest.mark.parametrize("content, says", [
    ('{"location_id": "abc", "credentials": {"token": "pit-secret-in-a-broken-file"', "could not be read"),
    ('[{"location_id": "abc"}]', "Config field '(root)' is not a JSON object"),
    (None, "No such file"),
], ids=["not-json", "a-list", "missing"])
def test_a_config_file_that_is_no_json_object_is_a_config_error_without_its_content(tmp_path, content, says):
    path = tmp_path / "config.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(AirbyteTracedException) as raised:
        read_config_file(str(path))
    assert raised.value.failure_type == FailureType.config_error
    assert says in raised.value.message
    assert "pit-secret" not in raised.value.message + (raised.value.internal_message or "")


def test_a_config_file_holding_an_object_is_read_as_it_is(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"location_id": "abc", "page_size": "not checked here"}')
    assert read_config_file(str(path)) == {"location_id": "abc", "page_size": "not checked here"}
