"""TLS stays on, the sandbox binds loopback only, secrets are marked in both specs, and no secret reaches any
output the reliability suite captured (each run is also scanned as it ends; see harness.SecretRegistry)."""

from __future__ import annotations

import ast
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from destination_ghl_contacts.spec import connection_spec as destination_spec
from ghl_sandbox.process import SandboxProcess
from source_ghl_contacts.spec import connection_spec as source_spec

from .figures import FIGURES
from .harness import SECRETS, learn_and_scan, pit_config, run_source, source_catalog

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("source_ghl_contacts", "destination_ghl_contacts", "ghl_http")
SECRET_FIELDS = {"private_integration_token": {"token"},
                 "oauth2.0": {"client_id", "client_secret", "refresh_token", "access_token"},
                 "agency_oauth2.0": {"client_id", "client_secret", "refresh_token", "access_token"}}


def _product_files():
    return [path for package in PRODUCT for path in (ROOT / package).rglob("*") if path.suffix in (".py", ".yaml", ".json")]


def test_tls_verification_is_never_turned_off_in_the_product():
    offenders = []
    for path in _product_files():
        text = path.read_text()
        if re.search(r"verify\s*[:=]\s*(False|false|0)\b|CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|_create_unverified_context"
                     r"|check_hostname\s*=\s*False|InsecureRequestWarning", text):
            offenders.append(str(path.relative_to(ROOT)))
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.keyword) and node.arg == "verify" and isinstance(node.value, ast.Constant) \
                        and not node.value.value:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.value.lineno}")
    assert not offenders, offenders


def test_plain_http_is_refused_for_a_real_host():
    from airbyte_cdk.utils.traced_exception import AirbyteTracedException

    from ghl_http.config import validate_config

    config = {"credentials": {"auth_type": "private_integration_token", "token": "pit-x"}, "location_id": "abc",
              "api_base_url": "http://services.leadconnectorhq.com"}
    with pytest.raises(AirbyteTracedException, match="api_base_url"):
        validate_config(config, source_spec())
    assert validate_config({**config, "api_base_url": "https://services.leadconnectorhq.com"}, source_spec())


@pytest.mark.parametrize("spec", [source_spec, destination_spec], ids=["source", "destination"])
def test_every_credential_is_an_airbyte_secret(spec):
    for branch in spec()["properties"]["credentials"]["oneOf"]:
        auth_type = branch["properties"]["auth_type"]["const"]
        for name in SECRET_FIELDS[auth_type]:
            assert branch["properties"][name].get("airbyte_secret") is True, (auth_type, name)


def _listening_addresses(port: int) -> set:
    """The addresses listening on `port`, from /proc/net/tcp{,6} (state 0A is LISTEN)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # little-endian words
                found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, words))
    return found


def test_the_sandbox_binds_loopback_only_by_default():
    with SandboxProcess(seed=1, contacts=1) as sandbox:
        port = int(sandbox.base_url.rsplit(":", 1)[1])
        addresses = _listening_addresses(port)
        assert addresses and addresses <= {"127.0.0.1", "::1"}, addresses
        assert sandbox.base_url.startswith("http://127.0.0.1:")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    refused = subprocess.run([sys.executable, "-m", "ghl_sandbox", "serve", "--host", "0.0.0.0", "--port", str(free),
                              "--contacts", "1"], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "loopback" in (refused.stdout + refused.stderr)


def test_a_source_run_leaks_no_token_even_in_debug_logs(tmp_path):
    """A read with the CDK's debug logging: request logs must not carry the Authorization header."""
    with SandboxProcess(seed=2, contacts=5, rate_limit_burst=1000) as sandbox:
        config = pit_config(sandbox, requests_per_10_seconds=1000)
        out = run_source("read", config, source_catalog("contacts", "notes"))  # the harness scans it
        assert out.returncode == 0, out.tail()
        debug = subprocess.run([str(Path(sys.executable).with_name("source-ghl-contacts")), "read", "--debug",
                                "--config", _write(tmp_path / "config.json", config),
                                "--catalog", _write(tmp_path / "catalog.json", source_catalog("contacts"))],
                               capture_output=True, text=True, timeout=120)
    learn_and_scan("source-ghl-contacts read --debug", debug.stdout, debug.stderr)
    assert debug.returncode == 0


def _write(path: Path, content) -> str:
    path.write_text(json.dumps(content))
    return str(path)


def test_no_secret_in_any_output_captured_so_far():
    """The whole session's outputs, scanned again against every secret learned since (rotated tokens)."""
    leaks = SECRETS.rescan()
    FIGURES.add("secrets_known", SECRETS.count)
    assert not leaks, leaks
