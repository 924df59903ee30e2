"""Both connectors' metadata.yaml files are valid Airbyte metadata and agree with the Dockerfile and the project."""
from __future__ import annotations

import json
import os
import re
import subprocess
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


def bundled_schema(node, root=True):
    """The vendored schema with the `$id` of each embedded sub-schema dropped. Its generator writes every
    `$ref` as a pointer into the whole bundle (`#/properties/data/...`), but a nested `$id` makes a JSON Schema
    validator resolve `#` against that sub-schema instead, so e.g. `resourceRequirements` cannot be checked."""
    if isinstance(node, dict):
        return {k: bundled_schema(v, False) for k, v in node.items() if root or k != "$id"}
    if isinstance(node, list):
        return [bundled_schema(v, False) for v in node]
    return node


SCHEMA = bundled_schema(json.loads((Path(__file__).parent / "metadata_schema.json").read_text()))
METADATA = {
    "source": ROOT / "metadata.yaml",
    "destination": ROOT / "destination_ghl_contacts" / "metadata.yaml",
}
GHL_API_HOST = "services.leadconnectorhq.com"
CDK_TAG = {"source": "cdk:low-code", "destination": "cdk:python"}
IMAGE_NAMESPACE = "ghl-contacts-connectors"
SPEC_COMMON = ROOT / "ghl_http" / "spec_common.json"
# Where each test suite Airbyte's CI knows lives in this project.
SUITE_HOMES = {"unitTests": ROOT / "unit_tests", "integrationTests": ROOT / "integration_tests",
               "acceptanceTests": ROOT / "acceptance-test-config.yml"}


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
    assert d["dockerRepository"] == f"{IMAGE_NAMESPACE}/{kind}-ghl-contacts"
    assert d["githubIssueLabel"] == f"{kind}-ghl-contacts"
    assert uuid.UUID(d["definitionId"]).version == 4
    assert {"language:python", CDK_TAG[kind]} <= set(d["tags"])
    assert MetadataFile.from_file(METADATA[kind]).data.language == ConnectorLanguage.PYTHON
    url = urlparse(d["documentationUrl"])
    assert url.scheme == "https" and url.netloc


def test_definition_ids_differ():
    assert data("source")["definitionId"] != data("destination")["definitionId"]


@pytest.mark.parametrize("kind", METADATA)
def test_allowed_hosts_are_ghl_and_the_configured_base_url(kind):
    """Airbyte's egress rules let through GHL's host and the host of the config's `api_base_url` (Airbyte fills
    `${api_base_url}` from the config and keeps only its host name); nothing else, never a fixed local host."""
    hosts = data(kind)["allowedHosts"]["hosts"]
    assert hosts == [GHL_API_HOST, "${api_base_url}"]
    fields = set(re.findall(r"\$\{([^}]+)\}", " ".join(hosts)))
    assert fields <= set(json.loads(SPEC_COMMON.read_text())["properties"]), "a placeholder names no config field"


def test_images_are_named_as_the_metadata_says():
    listed = subprocess.run([str(ROOT / "packaging" / "images.sh"), "names"], capture_output=True, text=True,
                            check=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if k != "GHL_IMAGE_NAMESPACE"})
    names = {kind: (repository, tags) for kind, repository, *tags in map(str.split, listed.stdout.splitlines())}
    for kind in METADATA:
        assert names[kind] == (data(kind)["dockerRepository"], [data(kind)["dockerImageTag"], "dev"])


def mebibytes(quantity: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi)", quantity)
    assert match, f"memory quantity {quantity!r} is not in Mi or Gi"
    return float(match.group(1)) * (1024 if match.group(2) == "Gi" else 1)


@pytest.mark.parametrize("kind", METADATA)
def test_resource_requirements_per_job_type(kind):
    requirements = data(kind)["resourceRequirements"]
    jobs = {entry["jobType"]: entry["resourceRequirements"] for entry in requirements["jobSpecific"]}
    assert "sync" in jobs and "check_connection" in jobs
    for job, resources in [("default", requirements["default"]), *jobs.items()]:
        assert mebibytes(resources["memory_request"]) <= mebibytes(resources["memory_limit"]), job
        assert float(resources["cpu_request"]) <= float(resources["cpu_limit"]), job


@pytest.mark.parametrize("kind", METADATA)
def test_external_documentation(kind):
    links = data(kind)["externalDocumentationUrls"]
    types = {link.get("type") for link in links}
    assert {"api_reference", "rate_limits", "authentication_guide", "code_repository"} <= types
    assert all(urlparse(link["url"]).scheme == "https" for link in links)


@pytest.mark.parametrize("kind", METADATA)
def test_declared_test_suites_exist(kind):
    suites = [option["suite"] for option in data(kind)["connectorTestSuitesOptions"]]
    assert {"unitTests", "integrationTests"} <= set(suites)
    for suite in suites:
        assert SUITE_HOMES[suite].exists(), f"{suite} is declared but {SUITE_HOMES[suite]} is missing"


def test_refreshes_only_where_they_hold():
    """A refresh clears a stream's state and reads it again: the source reads from scratch without state. The
    destination writes to GHL, not to tables: it cannot drop an older generation's rows, so it says no."""
    assert data("source")["supportsRefreshes"] is True
    assert data("destination")["supportsRefreshes"] is False


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
