"""The one definition of each record shape, shipped inside the installed package.

- `ghl/<stream>.json`: records as the source emits them (GHL's shapes): contacts, tasks, notes,
  appointments, custom_fields.
- `rankr/<object>.json`: records the destination accepts from a Rankr export: contact, task, note,
  appointment, tag.
"""

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, List

GHL = "ghl"
RANKR = "rankr"


@lru_cache(maxsize=None)
def _read(group: str, name: str) -> str:
    return resources.files(__name__).joinpath(group, f"{name}.json").read_text()


def load_schema(group: str, name: str) -> Dict[str, Any]:
    """A fresh copy of a schema (callers may change it)."""
    return json.loads(_read(group, name))


def schema_names(group: str) -> List[str]:
    folder = resources.files(__name__).joinpath(group)
    return sorted(entry.name[: -len(".json")] for entry in folder.iterdir() if entry.name.endswith(".json"))
