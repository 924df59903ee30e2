"""The ghl-webhooks image: it runs as the airbyte user, stores the sandbox's signed events on its /data volume
and serves them over its event API. Host network, bound to 127.0.0.1 (as everything here)."""
from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest
import requests

from integration_tests.images.containers import IMAGES_SH, podman

pytestmark = pytest.mark.image_tests
IMAGE = "ghl-contacts-connectors/ghl-webhooks:dev"
TOKEN = "image-test-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_receiver_image_stores_and_serves_signed_events(built_images, sandbox, tmp_path):
    inspected = json.loads(podman("image", "inspect", IMAGE).stdout)[0]["Config"]
    assert inspected["User"] == "airbyte" and inspected["Entrypoint"][:2] == ["ghl-webhooks", "serve"]
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "ghl.pem").write_text(sandbox.webhook_keys()["ed25519"])
    keys.chmod(0o755)
    (keys / "ghl.pem").chmod(0o644)
    port = free_port()
    run = podman("run", "-d", "--rm", "--network=host", "-v", f"{keys}:/keys:ro", "-e", f"GHL_WEBHOOKS_TOKEN={TOKEN}",
                 IMAGE, "--host", "127.0.0.1", "--port", str(port), "--location", sandbox.location_id,
                 "--public-key-file", "/keys/ghl.pem")
    assert run.returncode == 0, run.stderr
    container = run.stdout.strip()
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.time() + 60
        while time.time() < end:
            try:
                if requests.get(base + "/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        reg = sandbox.register_webhook(base + "/webhooks/ghl")
        sandbox.mutate(update=3, seed=21)
        end = time.time() + 30
        while sandbox.webhooks()["pending"] and time.time() < end:
            time.sleep(0.1)
        sandbox.unregister_webhook(reg["id"])
        page = requests.get(base + "/events", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
        delivered = set(sandbox.webhooks()["delivered_ids"])
        assert delivered and {e["webhookId"] for e in page["events"]} == delivered
        logs = subprocess.run([str(IMAGES_SH), "podman", "logs", container], capture_output=True, text=True,
                              timeout=60)
        assert TOKEN not in logs.stdout + logs.stderr
    finally:
        podman("stop", "-t", "5", container)
