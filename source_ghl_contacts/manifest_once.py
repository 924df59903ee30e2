"""The manifest, parsed and validated once per process.

An agency read builds one declarative source per location (each with its own config, token and budget). For
each one the CDK parses our manifest, parses its own component schema (a YAML file of some 4,000 lines, with
the pure-Python YAML loader) and validates the manifest against it: about 0.2 s of CPU per location, all of it
at the start of the sync, when every location starts at once and the CPU is what paces them. The manifest is
a file of this package, the same for every location, so one parse and one validation serve the process.
"""

import copy
import functools
import threading
from typing import Any, Callable, Dict

from airbyte_cdk.sources.declarative import concurrent_declarative_source
from airbyte_cdk.utils.yaml_loader import safe_load_yaml

_validated: Dict[str, bool] = {}
_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _parsed(path: str) -> Dict[str, Any]:
    with open(path, "r") as f:
        return safe_load_yaml(f)  # type: ignore[no-any-return]


def parsed_manifest(path: str) -> Dict[str, Any]:
    """A fresh copy of the parsed manifest: the CDK resolves references in the dict it is given."""
    return copy.deepcopy(_parsed(path))


def validate_once(path: str, validate: Callable[[], None]) -> None:
    """Run the CDK's manifest validation for the first source of the process only; a manifest that fails it
    fails it the same way every time, so the first source raises and no read starts."""
    with _lock:
        if _validated.get(path):
            return
        validate()
        _validated[path] = True


def share_component_schema() -> None:
    """The CDK's component schema is read-only data of the installed CDK: parse it once per process. The CDK
    looks the function up in its module at each source's construction, so the cached one takes its place."""
    loader = concurrent_declarative_source.get_declarative_component_schema
    if not isinstance(loader, functools._lru_cache_wrapper):
        concurrent_declarative_source.get_declarative_component_schema = functools.lru_cache(maxsize=1)(loader)


share_component_schema()
