"""What the built images hold: the installed project with its package data, Airbyte's entrypoint convention,
a non-root user, and nothing of the build (compilers, caches, wheels) or of the work tree (secrets, .git)."""
from __future__ import annotations

import json

import pytest

from integration_tests.images.containers import IMAGES, ROOT, podman

pytestmark = pytest.mark.image_tests

# Printed as JSON from inside the image, as its own user, by its own Python.
PROBE = r"""
import glob, importlib.util, json, os, shutil, sys
site = next(p for p in sys.path if p.endswith("site-packages"))
found = lambda pattern: sorted(os.path.relpath(p, site) for p in glob.glob(os.path.join(site, pattern), recursive=True))
leftovers = [p for p in ("/wheels", "/build", "/tmp/wheels", "/root/.cache/pip") if os.path.exists(p)]
junk = []
for top in ("/airbyte", site):
    for dirpath, dirnames, filenames in os.walk(top):
        junk += [os.path.join(dirpath, n) for n in dirnames + filenames
                 if n in (".git", ".venv", "secrets", ".env") or n.endswith(".whl") or (n.startswith("credentials") and n.endswith(".json"))]
print(json.dumps({
    "uid": os.getuid(), "python": list(sys.version_info[:2]), "prefix": sys.prefix,
    "editable": found("__editable__*") + found("*.egg-link"),
    "packages": {m: importlib.util.find_spec(m) is not None
                 for m in ("ghl_http", "schemas", "source_ghl_contacts", "destination_ghl_contacts")},
    "package_data": found("schemas/**/*.json") + found("source_ghl_contacts/**/*.yaml") + found("destination_ghl_contacts/**/*.yaml"),
    "compilers": [c for c in ("gcc", "cc", "g++", "make") if shutil.which(c)],
    "leftovers": leftovers, "junk": junk,
}))
"""


def package_data_in_tree() -> list[str]:
    files = [*ROOT.glob("schemas/**/*.json"), *ROOT.glob("source_ghl_contacts/**/*.yaml"),
             *ROOT.glob("destination_ghl_contacts/**/*.yaml")]
    return sorted(str(p.relative_to(ROOT)) for p in files)


@pytest.fixture(scope="module", params=sorted(IMAGES))
def image(request, built_images):
    kind = request.param
    inspected = podman("image", "inspect", built_images[kind])
    assert inspected.returncode == 0, inspected.stderr
    probe = podman("run", "--rm", "--network=none", "--entrypoint", "python", built_images[kind], "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    return kind, json.loads(inspected.stdout)[0]["Config"], json.loads(probe.stdout)


def test_airbyte_entrypoint_convention(image):
    kind, config, _ = image
    command = f"{kind}-ghl-contacts"
    assert config["Entrypoint"] == [command]
    assert f"AIRBYTE_ENTRYPOINT={command}" in config["Env"]


def test_runs_as_non_root_airbyte_user(image):
    _, config, facts = image
    assert config["User"] == "airbyte"
    assert facts["uid"] == 1000


def test_project_installed_from_a_wheel_with_its_package_data(image):
    _, _, facts = image
    assert facts["python"] == [3, 11]
    assert facts["prefix"] == "/airbyte/venv"
    assert not facts["editable"], f"editable install in the image: {facts['editable']}"
    missing = [m for m, ok in facts["packages"].items() if not ok and (ROOT / m / "__init__.py").exists()]
    assert not missing, f"packages of the work tree missing from the image: {missing}"
    assert set(package_data_in_tree()) <= set(facts["package_data"])


def test_nothing_of_the_build_or_the_work_tree(image):
    _, _, facts = image
    assert facts["compilers"] == []
    assert facts["leftovers"] == []
    assert facts["junk"] == []
