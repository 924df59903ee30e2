"""Image tests: both connector images are built once per session, then run with podman against the sandbox.

Every test here is skipped, with the reason, when podman cannot run containers on this machine (install it with
`packaging/images.sh install`). Tests that run a connector are also skipped while its console script is not
declared in pyproject.toml. While these tests run, `docker` on PATH is packaging/bin/docker (podman behind it),
which is what the CDK's standard image tests call.
"""
from __future__ import annotations

import os
import subprocess

import pytest

from integration_tests.images.containers import IMAGES, IMAGES_SH, SHIM_DIR, podman_unavailable_reason

BUILD_TIMEOUT_S = 1500


@pytest.fixture(scope="session")
def built_images() -> dict[str, str]:
    reason = podman_unavailable_reason()
    if reason:
        pytest.skip(reason)
    build = subprocess.run([str(IMAGES_SH), "build", "all"], capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert build.returncode == 0, f"building the images failed:\n{build.stderr[-5000:]}"
    return dict(IMAGES)


@pytest.fixture(scope="package", autouse=True)
def docker_shim(built_images):
    """Put the podman-backed `docker` first on PATH for the tests of this folder, and take it off after."""
    saved = os.environ["PATH"]
    os.environ["PATH"] = f"{SHIM_DIR}{os.pathsep}{saved}"
    yield SHIM_DIR / "docker"
    os.environ["PATH"] = saved
