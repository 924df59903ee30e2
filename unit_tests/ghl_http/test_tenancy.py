"""Which locations a config serves: shards are stable, disjoint and complete; single-location configs pass."""

import logging

import pytest
import requests_mock

from ghl_http import tenancy
from ghl_http.agency import app_id

BASE = "http://127.0.0.1:1"
IDS = [f"loc{i:03d}AbCdEfGhIjKlMn" for i in range(200)]


def agency_config(**extra):
    return {"credentials": {"auth_type": "agency_oauth2.0", "client_id": "appid123-suffix", "client_secret": "s",
                            "refresh_token": "r0", "company_id": "comp1"},
            "api_base_url": BASE, "requests_per_10_seconds": 100, "request_timeout_seconds": 5, **extra}


@pytest.mark.parametrize("count", [1, 2, 3, 7, 20])
def test_shards_split_the_locations_with_no_overlap_and_no_gap(count):
    shares = [tenancy.select(IDS, {"location_shard": {"index": i, "count": count}}) for i in range(count)]
    assert sorted(sum(shares, [])) == sorted(IDS)
    if count > 1:  # a roughly even split: no shard holds more than twice its share
        assert max(len(share) for share in shares) <= 2 * len(IDS) / count


def test_a_location_stays_in_its_shard_whatever_else_is_installed():
    alone = tenancy.select(IDS[:10], {"location_shard": {"index": 1, "count": 3}})
    among_all = tenancy.select(IDS, {"location_shard": {"index": 1, "count": 3}})
    assert set(alone) <= set(among_all)


def test_the_shard_hash_is_fixed():
    # sha256 of the id, not Python's salted hash(): the same split on every host, run and Python version.
    # These values must never change, or connections of a sharded agency would swap locations.
    shards = [tenancy.select(IDS[:6], {"location_shard": {"index": i, "count": 3}}) for i in range(3)]
    assert shards == [IDS[2:6], IDS[1:2], IDS[0:1]]


def test_a_single_location_config_is_its_own_location():
    config = {"credentials": {"auth_type": "private_integration_token", "token": "pit-x"}, "location_id": "L1"}
    assert tenancy.location_configs(config, logging.getLogger("test")) == [config]


def test_an_agency_lists_its_installs_page_by_page_and_narrows_each_config():
    pages = [{"locations": [{"_id": i, "isInstalled": True} for i in IDS[:100]], "count": 150},
             {"locations": [{"_id": i, "isInstalled": True} for i in IDS[100:150]], "count": 150}]
    with requests_mock.Mocker() as mock:
        mock.post(BASE + "/oauth/token", json={"access_token": "company", "expires_in": 86399, "refresh_token": "r1",
                                               "companyId": "comp1", "userType": "Company"})
        listing = mock.get(BASE + "/oauth/installedLocations", [{"json": page} for page in pages])
        config = agency_config()
        configs = tenancy.location_configs(config, logging.getLogger("test"))
    assert [c["location_id"] for c in configs] == IDS[:150]
    assert [q.qs["skip"] for q in listing.request_history] == [["0"], ["100"]]
    assert listing.request_history[0].qs["appid"] == ["appid123"] and listing.request_history[0].qs["companyid"] == ["comp1"]
    assert all("location_ids" not in c and "location_shard" not in c for c in configs)
    assert config["credentials"]["refresh_token"] == "r1", "the rotated company refresh token is the run's own"


def test_named_locations_are_not_listed_and_an_empty_shard_is_a_config_error():
    with requests_mock.Mocker() as mock:
        mock.post(BASE + "/oauth/token", json={"access_token": "company", "expires_in": 86399, "refresh_token": "r1"})
        configs = tenancy.location_configs(agency_config(location_ids=IDS[:3]), logging.getLogger("test"))
        assert [c["location_id"] for c in configs] == IDS[:3] and not mock.request_history[1:]
        empty_shard = next(i for i in range(2) if not tenancy.select(IDS[:1], {"location_shard": {"index": i, "count": 2}}))
        with pytest.raises(Exception, match="No location to sync"):
            tenancy.location_configs(agency_config(location_ids=IDS[:1], location_shard={"index": empty_shard, "count": 2}),
                                     logging.getLogger("test"))


def test_app_id_is_the_client_id_before_its_suffix():
    assert app_id("6579a9e1b2c3-lq8xyz") == "6579a9e1b2c3"


def test_the_company_is_read_from_a_valid_company_token_without_a_refresh():
    import base64
    import json

    claims = base64.urlsafe_b64encode(json.dumps({"authClass": "Company", "authClassId": "compX"}).encode()).decode().rstrip("=")
    config = agency_config(location_ids=IDS[:2])
    config["credentials"].pop("company_id")
    config["credentials"].update(access_token=f"h.{claims}.s", token_expiry_date="2099-01-01T00:00:00+00:00")
    with requests_mock.Mocker() as mock:  # no /oauth/token answer: a refresh would fail the test
        mock.post(BASE + "/oauth/locationToken", json={"access_token": "loc", "expires_in": 86399})
        configs = tenancy.location_configs(config, logging.getLogger("test"))
        from ghl_http.auth import build_authenticator

        assert build_authenticator(configs[0]).get_auth_header() == {"Authorization": "Bearer loc"}
        assert mock.request_history[0].text == f"companyId=compX&locationId={IDS[0]}"
    assert config["credentials"]["refresh_token"] == "r0"


def test_a_check_of_several_locations_names_each_failure_and_of_one_says_its_cause_alone():
    from airbyte_cdk.models import Status

    from ghl_http.check import check_each, checked_locations

    configs = [{"location_id": i} for i in IDS[:3]]
    assert checked_locations({}, configs) == configs[:1]
    assert checked_locations({"location_ids": IDS[:3]}, configs) == configs
    status = check_each(configs, lambda c: None if c["location_id"] == IDS[0] else "not installed")
    assert status.status == Status.FAILED
    assert status.message.startswith("2 of 3 locations failed the check.")
    assert f"Location '{IDS[1]}': not installed" in status.message and IDS[0] not in status.message
    assert check_each(configs[:1], lambda c: "bad token").message == "bad token"
    assert check_each(configs, lambda c: None).status == Status.SUCCEEDED
