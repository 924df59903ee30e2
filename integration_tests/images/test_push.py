"""`make push` to a real registry on 127.0.0.1, then a pull back: the names and tags a user gets are the ones
documented (the namespace `ghl-contacts-connectors`, each connector's `dockerImageTag` and `dev`).

The registry is Debian's `docker-registry` (the CNCF distribution registry that Docker Hub runs), started here
on a free loopback port with its storage in a temporary folder; `packaging/images.sh install` installs it.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from integration_tests.images.containers import ROOT, image_names, podman

pytestmark = pytest.mark.image_tests

REGISTRY_BINARY = "docker-registry"
PUSH_TIMEOUT_S = 900


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def registry_get(address: str, path: str) -> dict:
    with urllib.request.urlopen(f"http://{address}{path}", timeout=10) as answer:
        return json.load(answer)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    binary = shutil.which(REGISTRY_BINARY) or (f"/usr/bin/{REGISTRY_BINARY}"
                                                if os.path.exists(f"/usr/bin/{REGISTRY_BINARY}") else None)
    if binary is None:
        pytest.skip(f"`{REGISTRY_BINARY}` is not installed (run: packaging/images.sh install)")
    folder = tmp_path_factory.mktemp("registry")
    address = f"127.0.0.1:{free_port()}"
    config = folder / "config.yml"
    config.write_text(f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {folder / 'data'}\n"
                      f"http:\n  addr: {address}\n")
    log = (folder / "registry.log").open("w")
    server = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                registry_get(address, "/v2/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the registry did not start:\n{(folder / 'registry.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def make_push(registry_path: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "push", f"REGISTRY={registry_path}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=PUSH_TIMEOUT_S, env={**os.environ, **env})


def image_id(reference: str) -> str:
    inspected = podman("image", "inspect", "--format", "{{.Id}}", reference)
    assert inspected.returncode == 0, inspected.stderr
    return inspected.stdout.strip()


def test_make_push_then_pull_back(registry, built_images):
    pushed = make_push(registry)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    names = image_names()
    receiver = "ghl-contacts-connectors/ghl-webhooks"  # the webhook receiver's image goes along (no metadata)
    assert sorted(registry_get(registry, "/v2/_catalog")["repositories"]) == sorted(
        [r for r, _ in names.values()] + [receiver])
    assert sorted(registry_get(registry, f"/v2/{receiver}/tags/list")["tags"]) == sorted(names["source"][1])
    for kind, (repository, tags) in names.items():
        assert repository == f"ghl-contacts-connectors/{kind}-ghl-contacts"
        assert sorted(registry_get(registry, f"/v2/{repository}/tags/list")["tags"]) == sorted(tags)
        for tag in tags:
            remote = f"{registry}/{repository}:{tag}"
            pulled = podman("pull", "--tls-verify=false", remote)
            assert pulled.returncode == 0, pulled.stderr
            try:
                assert image_id(remote) == image_id(f"{repository}:{tag}")
                spec = podman("run", "--rm", "--network=none", remote, "spec")
                assert spec.returncode == 0, spec.stderr
                assert json.loads(spec.stdout.splitlines()[-1])["type"] == "SPEC"
            finally:
                podman("rmi", remote)


def test_make_push_with_the_docker_command(registry, built_images):
    """Where podman is missing, `make push` uses docker: here the podman-backed `docker` on PATH stands in."""
    pushed = make_push(f"{registry}/via-docker", GHL_ENGINE="docker")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    for repository, tags in image_names().values():
        listed = registry_get(registry, f"/v2/via-docker/{repository}/tags/list")
        assert sorted(listed["tags"]) == sorted(tags)


def test_make_push_without_registry_says_how():
    refused = subprocess.run(["make", "--no-print-directory", "push"], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode != 0
    assert "REGISTRY=" in refused.stderr
