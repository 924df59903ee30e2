"""One documentation home: every link the connectors hand to Airbyte (each spec's `documentationUrl`, the
metadata's `documentationUrl` and repository links) points at a file of this repository, and the relative
links of README.md and docs/ resolve too."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY_URL = "https://github.com/ghl-contacts-connectors/ghl-contacts-connectors"
FILE_URL = f"{REPOSITORY_URL}/blob/main/"
METADATA = {"source": ROOT / "metadata.yaml", "destination": ROOT / "destination_ghl_contacts" / "metadata.yaml"}
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def repository_file(url: str) -> Path:
    """The file of this repository that a github.com/.../blob/main/<path> link names; fails for any other link."""
    assert url.startswith(FILE_URL), f"{url} is not a link to a file of {REPOSITORY_URL} (main branch)"
    path = ROOT / unquote(url[len(FILE_URL):].split("#", 1)[0])
    assert path.is_file(), f"{url} names {path.relative_to(ROOT)}, which is not a file of the repository"
    return path


def spec_of(kind: str) -> dict:
    script = Path(sys.executable).with_name(f"{kind}-ghl-contacts")
    done = subprocess.run([str(script), "spec"], capture_output=True, text=True, timeout=120, check=True)
    return next(m["spec"] for m in map(json.loads, done.stdout.splitlines()) if m.get("type") == "SPEC")


@pytest.mark.parametrize("kind", METADATA)
def test_spec_documentation_url_is_the_connectors_doc_here(kind):
    assert repository_file(spec_of(kind)["documentationUrl"]) == ROOT / "docs" / f"{kind}-ghl-contacts.md"


@pytest.mark.parametrize("kind", METADATA)
def test_metadata_documentation_url_is_the_spec_one(kind):
    data = yaml.safe_load(METADATA[kind].read_text())["data"]
    assert data["documentationUrl"] == spec_of(kind)["documentationUrl"]


@pytest.mark.parametrize("kind", METADATA)
def test_metadata_links_into_the_repository_resolve(kind):
    data = yaml.safe_load(METADATA[kind].read_text())["data"]
    links = [entry["url"] for entry in data["externalDocumentationUrls"]]
    ours = [url for url in links if url.startswith(REPOSITORY_URL)]
    assert REPOSITORY_URL in ours, "the metadata names the code repository"
    for url in ours:
        if url != REPOSITORY_URL:
            repository_file(url)
    for url in links:
        assert urlparse(url).scheme == "https", url


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_of_the_docs_resolve(page):
    broken = []
    for target in MARKDOWN_LINK.findall(page.read_text()):
        if urlparse(target).scheme or target.startswith("#"):
            continue
        if not (page.parent / unquote(target.split("#", 1)[0])).exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to missing files: {broken}"
