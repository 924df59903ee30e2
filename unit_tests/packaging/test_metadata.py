"""Both connectors' metadata.yaml files are valid Airbyte metadata and agree with the Dockerfile and the project."""
from __future__ import annotations

import json
import re
import tomllib
import uuid
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml
from airbyte_cdk.models.connector_metadata import ConnectorLanguage, MetadataFile
from airbyte_cdk.utils.connector_paths import find_connector_root

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "metadata_schema.json").read_text())
METADATA = {
    "source": ROOT / "metadata.yaml",
    "destination": ROOT / "destination_ghl_contacts" / "metadata.yaml",
}
GHL_API_HOST = "services.leadconnectorhq.com"
CDK_TAG = {"source": "cdk:low-code", "destination": "cdk:python"}


def data(kind: str) -> dict:
    return yaml.safe_load(METADATA[kind].read_text())["data"]


def dockerfile_default_base_image() -> str:
    match = re.search(r"^ARG BASE_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert match, "Dockerfile has no `ARG BASE_IMAGE=<default>` line"
    return match.group(1)


@pytest.mark.parametrize("kind", METADATA)
def test_metadata_is_valid_connector_metadata_definition_v0(kind):
    document = yaml.safe_load(METADATA[kind].read_text())
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, f"{METADATA[kind].relative_to(ROOT)} is not valid metadata:\n" + "\n".join(errors)


@pytest.mark.parametrize("kind", METADATA)
def test_identity_and_tags(kind):
    d = data(kind)
    assert d["connectorType"] == kind
    assert d["connectorSubtype"] == "api"
    assert d["dockerRepository"] == f"airbyte/{kind}-ghl-contacts"
    assert d["githubIssueLabel"] == f"{kind}-ghl-contacts"
    assert uuid.UUID(d["definitionId"]).version == 4
    assert {"language:python", CDK_TAG[kind]} <= set(d["tags"])
    assert MetadataFile.from_file(METADATA[kind]).data.language == ConnectorLanguage.PYTHON
    url = urlparse(d["documentationUrl"])
    assert url.scheme == "https" and url.netloc


def test_definition_ids_differ():
    assert data("source")["definitionId"] != data("destination")["definitionId"]


@pytest.mark.parametrize("kind", METADATA)
def test_allowed_hosts_are_ghl_only(kind):
    hosts = data(kind)["allowedHosts"]["hosts"]
    assert GHL_API_HOST in hosts
    local = [h for h in hosts if re.search(r"localhost|sandbox|^127\.|^0\.0\.0\.0|::1|\$\{", h)]
    assert not local, f"production metadata must not allow the local sandbox or a config-driven host: {local}"


@pytest.mark.parametrize("kind", METADATA)
def test_base_image_is_the_dockerfile_default_and_pinned(kind):
    base = data(kind)["connectorBuildOptions"]["baseImage"]
    assert base == dockerfile_default_base_image()
    assert re.fullmatch(r"docker\.io/airbyte/python-connector-base:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", base)


@pytest.mark.parametrize("kind", METADATA)
def test_image_tag_is_the_project_version(kind):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert data(kind)["dockerImageTag"] == version


def test_the_cdk_finds_each_connector_by_its_metadata():
    """The CDK's standard tests take the nearest metadata.yaml above a test as its connector's root."""
    assert find_connector_root([ROOT / "unit_tests"]) == ROOT
    assert find_connector_root([ROOT / "destination_ghl_contacts"]) == ROOT / "destination_ghl_contacts"
