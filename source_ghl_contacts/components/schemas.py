"""Stream schemas from the shared `schemas/ghl/` package data (installed with the package)."""

from dataclasses import InitVar, dataclass
from typing import Any, Mapping

from airbyte_cdk.sources.declarative.schema.schema_loader import SchemaLoader

from schemas import GHL, load_schema


@dataclass
class PackagedSchemaLoader(SchemaLoader):
    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        params = parameters or {}
        self._name = str(params.get("schema_name") or params["name"])

    def get_json_schema(self) -> Mapping[str, Any]:
        return load_schema(GHL, self._name)
