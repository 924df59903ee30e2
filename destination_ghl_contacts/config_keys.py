"""Unknown config keys are a config error: a typo (`contact_writemode`) would otherwise be ignored silently and
the sync would run with the default it meant to change.

The known keys are read from the connector's own spec (every `properties`, every branch of a `oneOf`), so a
field added to the spec is known here at once. An object whose spec declares no properties (a field-mapping
table: incoming name -> target) takes any key.
"""

import difflib
from typing import Any, Dict, List, Mapping, Optional, Set

from ghl_http.config import config_error


def _known(schema: Mapping[str, Any]) -> Optional[Dict[str, Mapping[str, Any]]]:
    """name -> sub-schema of the keys an object schema declares; None when it declares none (any key goes)."""
    branches = [schema] + list(schema.get("oneOf") or []) + list(schema.get("anyOf") or [])
    known: Dict[str, Mapping[str, Any]] = {}
    declared = False
    for branch in branches:
        if "properties" in branch:
            declared = True
            for name, sub in branch["properties"].items():
                known.setdefault(name, sub)
    return known if declared else None


def _unknown(config: Mapping[str, Any], schema: Mapping[str, Any], path: List[str]) -> Optional[Exception]:
    known = _known(schema)
    if known is None:
        return None
    for name, value in config.items():
        if name not in known:
            return _error(path + [name], name, set(known))
        if isinstance(value, Mapping) and isinstance(known[name], Mapping):
            found = _unknown(value, known[name], path + [name])
            if found:
                return found
    return None


def _error(path: List[str], name: str, known: Set[str]) -> Exception:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    where = ".".join(path[:-1])
    fix = (f"Did you mean '{close[0]}'? Rename it" if close else
           f"Known {'keys of ' + repr(where) if where else 'settings'}: {', '.join(sorted(known))}. Remove it")
    return config_error(".".join(path), "is not a setting of this connector", f"{fix} and retry.")


def check_known_keys(config: Mapping[str, Any], connection_spec: Mapping[str, Any]) -> None:
    """Raise a config error naming the first unknown key and the closest known one."""
    if isinstance(config, Mapping):
        error = _unknown(config, connection_spec, [])
        if error:
            raise error
