"""Rejected records reach S3-compatible object storage: a real S3-compatible server (moto's, started as its
own process on 127.0.0.1) and the console script. Every rejected record is one JSON line with its stream,
key, field and reason, under <bucket_path>/<job id>/, stored before the STATE that covers it is echoed; the
STATE counts agree. `check` fails naming the setting when the bucket cannot be reached."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests

from . import harness
from .harness import config, run

MOTO = str(Path(sys.executable).with_name("moto_server"))
KEYS = {"access_key_id": "AKIATESTREJECTED0001", "secret_access_key": "rejected-store-test-secret-value"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    port = _free_port()
    proc = subprocess.Popen([MOTO, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "1"})
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(endpoint, timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=KEYS["access_key_id"], aws_secret_access_key=KEYS["secret_access_key"])
    client.create_bucket(Bucket="rejected")
    yield endpoint, client
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def sandbox():
    from ghl_sandbox.process import SandboxProcess

    with SandboxProcess(seed=14, **harness.FAST) as sb:
        yield sb


def _storage(endpoint, **extra):
    return {"storage_type": "S3", "s3_bucket_name": "rejected", "s3_bucket_region": "us-east-1",
            "s3_endpoint": endpoint, "bucket_path": "ghl/rejected", **KEYS, **extra}


def _record(stream, data):
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1767225600000}})


def _state(position):
    return json.dumps({"type": "STATE", "state": {"type": "GLOBAL", "global": {
        "shared_state": {"position": position}, "stream_states": []}}})


def test_rejected_records_reach_the_bucket_with_their_reasons(sandbox, s3):
    endpoint, client = s3
    sandbox.reset()
    lines = [_record("contacts", {"rankrId": "rk_c_1", "email": "not-an-email", "firstName": "A", "lastName": "B"}),
             _record("contacts", {"rankrId": "rk_c_2", "email": "good.2@example.com", "firstName": "A", "lastName": "B"}),
             _state(2),
             _record("tasks", {"rankrId": "rk_t_1", "contactRankrId": "rk_c_2", "title": "Call", "status": "done",
                               "dueDate": "2026-12-10T09:00:00Z"}),
             _record("notes", {"rankrId": "rk_n_1", "contactRankrId": "rk_c_404", "body": "hi"}),
             _state(4)]
    cfg = config(sandbox, object_storage_config=_storage(endpoint))
    result = run("write", cfg, lines)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.rejections) == 3

    objects = client.list_objects_v2(Bucket="rejected", Prefix="ghl/rejected/local/")["Contents"]
    rows = [json.loads(line) for obj in objects
            for line in client.get_object(Bucket="rejected", Key=obj["Key"])["Body"].read().decode().splitlines()]
    by_key = {row["key"]: row for row in rows}
    assert sorted(by_key) == ["rk_c_1", "rk_n_1", "rk_t_1"]
    assert by_key["rk_c_1"]["stream"] == "contacts" and by_key["rk_c_1"]["field"] == "email"
    assert "not a valid email" in by_key["rk_c_1"]["reason"]
    assert by_key["rk_t_1"]["field"] == "status" and by_key["rk_n_1"]["field"] == "contactRankrId"
    # ghl/rejected/<job id>/<stream>/<epoch>_<part>.jsonl
    assert sorted(obj["Key"].split("/")[3] for obj in objects) == ["contacts", "notes", "tasks"]
    assert all(obj["Key"].endswith("_1.jsonl") for obj in objects)
    stats = [m["state"]["destinationStats"] for m in result.of_type("STATE")]
    assert stats == [{"recordCount": 2.0, "rejectedRecordCount": 1.0}, {"recordCount": 2.0, "rejectedRecordCount": 2.0}]
    assert KEYS["secret_access_key"] not in json.dumps(result.messages) + result.stderr


def test_check_names_object_storage_when_the_bucket_cannot_be_reached(sandbox, s3):
    endpoint, _ = s3
    ok = run("check", config(sandbox, object_storage_config=_storage(endpoint)))
    assert ok.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"
    bad = run("check", config(sandbox, object_storage_config=_storage(endpoint, s3_bucket_name="no-such-bucket")))
    status = bad.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "'object_storage_config'" in status["message"]
    assert "no-such-bucket" in status["message"] and KEYS["secret_access_key"] not in status["message"]
