"""Which GHL locations a sync serves, each as its own config: the one tenancy seam of both connectors.

A Private Integration token or a location OAuth token serves the one `location_id` of its config. An agency
install serves every location it is installed on, or the `location_ids` named, narrowed to this connection's
`location_shard`. Each location becomes a copy of the config whose `location_id` is that location; below this
module nothing asks which location it serves or how its token is made: `build_authenticator` of such a config
returns that location's token authenticator, and every client built from it gets its own budget.
"""

import copy
import hashlib
import logging
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, MutableMapping, Optional, Sequence

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase

from ghl_http import messages
from ghl_http.auth import is_agency

_authenticators: Dict[str, AuthBase] = {}
_lock = threading.Lock()


@dataclass
class Agency:
    """The agency install of one run, and the per-location configs made from it."""

    company: Any  # ghl_http.agency.Company
    location_ids: List[str]

    def location_config(self, config: Mapping[str, Any], location_id: str) -> Dict[str, Any]:
        from ghl_http.agency import LocationTokenAuthenticator

        with _lock:
            if location_id not in _authenticators or _authenticators[location_id].company is not self.company:
                _authenticators[location_id] = LocationTokenAuthenticator(self.company, location_id)
        return narrowed(config, location_id)


def narrowed(config: Mapping[str, Any], location_id: str) -> Dict[str, Any]:
    """The config of one location. Its credentials stay the agency's (a copy: the company token is refreshed
    only on the run's own config, which CONTROL messages carry)."""
    location_config = {key: value for key, value in config.items() if key not in ("location_ids", "location_shard")}
    location_config["credentials"] = copy.deepcopy(dict(config["credentials"]))
    location_config["location_id"] = location_id
    return location_config


def location_authenticator(config: Mapping[str, Any]) -> AuthBase:
    """The token authenticator of one agency location's config (made by `Agency.location_config`)."""
    with _lock:
        found = _authenticators.get(str(config.get("location_id")))
    if found is None:
        raise AirbyteTracedException(
            message="Internal error: an agency location was used before its token was set up.",
            internal_message=f"no location authenticator for {config.get('location_id')!r}",
            failure_type=FailureType.system_error,
        )
    return found


def in_shard(location_id: str, shard: Optional[Mapping[str, int]]) -> bool:
    """Stable across runs, hosts and Python versions (not `hash()`, which is salted per process)."""
    if not shard:
        return True
    digest = hashlib.sha256(location_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % int(shard["count"]) == int(shard["index"])


def select(candidates: Sequence[str], config: Mapping[str, Any]) -> List[str]:
    """The candidates this connection serves, in order and without repeats."""
    seen: Dict[str, None] = {}
    for location_id in candidates:
        if in_shard(location_id, config.get("location_shard")):
            seen.setdefault(location_id)
    return list(seen)


def open_agency(config: MutableMapping[str, Any], logger: logging.Logger) -> Agency:
    """Refresh the company token if needed (CONTROL first), list the installs, select this connection's share."""
    from ghl_http.agency import Company

    company = Company(config, logger)
    named = list(config.get("location_ids") or [])
    candidates = named or company.installed_location_ids()
    chosen = select(candidates, config)
    if not chosen:
        why = ("the app is installed on no location of the agency" if not candidates else
               f"none of the {len(candidates)} locations falls in location_shard {dict(config['location_shard'])}")
        raise AirbyteTracedException(message=messages.NO_LOCATIONS.format(why=why),
                                     failure_type=FailureType.config_error)
    logger.info(f"Agency sync: {len(chosen)} location(s) of {len(candidates)} "
                f"{'named in location_ids' if named else 'where the app is installed'}.")
    return Agency(company, chosen)


def location_configs(config: MutableMapping[str, Any], logger: logging.Logger) -> List[Dict[str, Any]]:
    """One config per location this run serves (the config itself for a single-location token)."""
    if not is_agency(config):
        return [dict(config)]
    agency = open_agency(config, logger)
    return [agency.location_config(config, location_id) for location_id in agency.location_ids]
