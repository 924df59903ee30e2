"""The CDK's standard image tests (`DockerConnectorTestSuite`) against the built images.

They call `docker`; the package fixture in conftest.py puts packaging/bin/docker (podman, host network) first
on PATH. Their scenarios are a valid and an invalid config of a sandbox that this module starts, written to
build/image-tests/ before the tests run (the standard suite reads config files by path).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.standard_tests.docker_base import DockerConnectorTestSuite
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests as cdk_generate_tests

from integration_tests.images.containers import ROOT, entry_point_missing

pytestmark = pytest.mark.image_tests

CDK_HOOKS = "airbyte_cdk.test.standard_tests.pytest_hooks"
CONFIG_DIR = ROOT / "build" / "image-tests" / "cdk-suite"
BAD_TOKEN = "pit-00000000-0000-4000-8000-000000000000"


def pytest_generate_tests(metafunc):
    """Parametrize `scenario` as the CDK's plugin does, unless the plugin is loaded and does it itself."""
    if not metafunc.config.pluginmanager.hasplugin(CDK_HOOKS):
        cdk_generate_tests(metafunc)


def config_path(kind: str, name: str) -> Path:
    return CONFIG_DIR / kind / f"{name}.json"


@pytest.fixture(scope="module", autouse=True)
def sandbox_configs(sandbox):
    tokens = sandbox.credentials["private_integration_tokens"]
    for kind, token in (("source", tokens["readonly"]), ("destination", tokens["readwrite"])):
        for name, value in (("valid_config", token), ("invalid_config", BAD_TOKEN)):
            path = config_path(kind, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({
                "credentials": {"auth_type": "private_integration_token", "token": value},
                "location_id": sandbox.location_id, "api_base_url": sandbox.base_url,
                "requests_per_10_seconds": 100}))


class ImageSuite(DockerConnectorTestSuite):
    kind: str
    root: Path  # the folder of the connector's metadata.yaml
    sections: tuple[str, ...]

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return cls.root

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return [
            ConnectorTestScenario.model_validate(
                {"config_path": config_path(cls.kind, "valid_config"), "sections": cls.sections, "status": "succeed"}),
            ConnectorTestScenario.model_validate(
                {"config_path": config_path(cls.kind, "invalid_config"), "sections": ("connection",),
                 "status": "failed"}),
        ]

    @pytest.fixture(autouse=True)
    def ready(self, built_images):
        reason = entry_point_missing(self.kind)
        if reason:
            pytest.skip(reason)

    @pytest.fixture
    def connector_image_override(self, built_images) -> str:
        return built_images[self.kind]

    @pytest.fixture
    def connector_base_image_override(self) -> None:
        return None

    @pytest.fixture
    def read_from_streams(self) -> str:
        return "all"

    @pytest.fixture
    def read_scenarios(self) -> str:
        return "default"

    def test_docker_image_spec_backward_compatibility(self):
        pytest.skip("compares with the spec published in Airbyte's connector registry, where these connectors "
                    "are not published")


class TestSourceImage(ImageSuite):
    kind = "source"
    root = ROOT
    sections = ("spec", "connection", "discovery", "basic_read")


class TestDestinationImage(ImageSuite):
    kind = "destination"
    root = ROOT / "destination_ghl_contacts"
    sections = ("spec", "connection")
