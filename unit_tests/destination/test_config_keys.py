import pytest
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts.config_keys import check_known_keys
from destination_ghl_contacts.spec import connection_spec
from unit_tests.destination.conftest import make_config


def _message(config):
    with pytest.raises(AirbyteTracedException) as caught:
        check_known_keys(config, connection_spec())
    return caught.value.message


def test_known_keys_pass_including_field_mapping_tables_and_both_credential_kinds():
    check_known_keys(make_config(field_mappings={"contacts": {"anything": "phone"}}, streams={"tags": ""}),
                     connection_spec())
    oauth = {"auth_type": "oauth2.0", "client_id": "a", "client_secret": "b", "refresh_token": "c"}
    check_known_keys(make_config(credentials=oauth), connection_spec())


def test_an_unknown_key_names_itself_and_the_closest_known_one():
    message = _message(make_config(contact_writemode="upsert"))
    assert "'contact_writemode'" in message and "Did you mean 'contact_write_mode'" in message
    assert "'field_mappings.contact'" in _message(make_config(field_mappings={"contact": {}}))
    assert "Known settings:" in _message(make_config(zzz=1))
    assert "pit-secret" not in _message(make_config(zzz="pit-secret"))  # values are never shown
