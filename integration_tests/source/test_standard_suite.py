"""The CDK's standard source tests, driven by acceptance-test-config.yml, against a local sandbox."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401  (parametrizes scenarios)

from ghl_sandbox.process import SandboxProcess
from source_ghl_contacts import SourceGhlContacts

from .harness import pit_config

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ROOT / "secrets" / "config.json"
SAMPLE = ROOT / "integration_tests" / "sample_config.json"


def _container_engine_works() -> bool:
    docker = shutil.which("docker")
    return bool(docker) and subprocess.run([docker, "info"], capture_output=True).returncode == 0


@pytest.fixture(scope="module", autouse=True)
def sandbox_config():
    """secrets/config.json: the sample config, pointed at a sandbox started for these tests."""
    with SandboxProcess(seed=7, contacts=40, rate_limit_burst=1000) as sandbox:
        config = {**json.loads(SAMPLE.read_text()), **pit_config(sandbox), "requests_per_10_seconds": 1000}
        SECRETS.parent.mkdir(exist_ok=True)
        SECRETS.write_text(json.dumps(config))
        SECRETS.with_name("spec_config.json").write_text(json.dumps(config))
        yield config


@pytest.fixture
def connector_image_override():
    return None


class TestSourceGhlContacts(SourceTestSuiteBase):
    @classmethod
    def create_connector(cls, scenario):
        config = scenario.get_config_dict(connector_root=cls.get_connector_root_dir(), empty_if_missing=True) if scenario else {}
        return SourceGhlContacts(config=config)


if not _container_engine_works():
    for _name in dir(TestSourceGhlContacts):
        if _name.startswith("test_docker_image"):
            setattr(
                TestSourceGhlContacts,
                _name,
                pytest.mark.skip(reason="no working container engine; the image tests run in the packaging job")(
                    getattr(TestSourceGhlContacts, _name)
                ),
            )
