"""Rejected records to S3-compatible object storage (`object_storage_config`), as Airbyte's Data Activation
destinations keep them: one JSON line per rejected record (stream, key, field, reason, when), written as a
JSONL object under `<bucket_path>/<job id>/` (where the Airbyte platform links a sync's rejected records
from), before the STATE that covers them is echoed. Without `object_storage_config` (or with storage_type
"None"), rejections are only the LOG lines of the report.

The object key follows `path_format` (default `${JOB_ID}/${STREAM_NAME}/${EPOCH}_${PART}.jsonl`) under
`bucket_path`: `${JOB_ID}` is Airbyte's job id (the WORKER_JOB_ID variable Airbyte sets; `local` outside it),
`${STREAM_NAME}`, `${YEAR}`, `${MONTH}`, `${DAY}`, `${EPOCH}` (the sync's start, in seconds) and `${PART}`
(the object's number in this sync, per stream).
"""

import os
import re
import threading
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional

import orjson
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

DEFAULT_PATH_FORMAT = "${JOB_ID}/${STREAM_NAME}/${EPOCH}_${PART}.jsonl"
_FIELD = re.compile(r"^([A-Za-z_][\w.:-]*): ")

SPEC: Dict[str, Any] = {
    "title": "Rejected records storage",
    "description": "Optional S3-compatible object storage that receives every rejected record (stream, key, "
    "field, reason) as JSONL, under <bucket_path>/<job id>/. Without it, rejections are logged only.",
    "type": "object",
    "order": 21,
    "oneOf": [
        {"title": "None", "type": "object", "required": ["storage_type"],
         "properties": {"storage_type": {"type": "string", "const": "None", "default": "None"}}},
        {"title": "S3", "type": "object",
         "required": ["storage_type", "s3_bucket_name", "s3_bucket_region", "access_key_id", "secret_access_key"],
         "properties": {
             "storage_type": {"type": "string", "const": "S3", "default": "S3"},
             "s3_bucket_name": {"title": "Bucket name", "type": "string", "minLength": 1, "order": 1},
             "s3_bucket_region": {"title": "Bucket region", "type": "string", "minLength": 1, "order": 2,
                                  "examples": ["us-east-1"]},
             "bucket_path": {"title": "Bucket path", "type": "string", "default": "", "order": 3,
                             "description": "Prefix of every object, e.g. ghl/rejected."},
             "s3_endpoint": {"title": "Endpoint", "type": "string", "order": 4,
                             "description": "For S3-compatible storage other than AWS (MinIO, R2, ...); empty for AWS."},
             "access_key_id": {"title": "Access key id", "type": "string", "airbyte_secret": True, "order": 5},
             "secret_access_key": {"title": "Secret access key", "type": "string", "airbyte_secret": True,
                                   "order": 6},
             "path_format": {"title": "Path format", "type": "string", "default": DEFAULT_PATH_FORMAT, "order": 7,
                             "description": "Object key under the bucket path; ${JOB_ID}, ${STREAM_NAME}, ${YEAR}, "
                             "${MONTH}, ${DAY}, ${EPOCH}, ${PART}."},
             "file_format": {"title": "Format", "type": "string", "enum": ["jsonl"], "default": "jsonl", "order": 8},
         }},
    ],
}


def field_of(reason: str) -> Optional[str]:
    """The field a rejection reason names first (`email: ... is not a valid email` -> email), if any."""
    match = _FIELD.match(reason)
    return match.group(1) if match else None


class RejectedStore:
    """Collects rejections in memory between two STATEs and writes them at `flush()`."""

    def __init__(self, config: Mapping[str, Any], client: Any = None):
        self.bucket = config["s3_bucket_name"]
        self.prefix = str(config.get("bucket_path") or "").strip("/")
        self.path_format = str(config.get("path_format") or DEFAULT_PATH_FORMAT)
        self.job_id = os.environ.get("WORKER_JOB_ID") or "local"
        self.started = datetime.now(timezone.utc)
        self._client = client or _client(config)
        self._pending: Dict[str, List[bytes]] = defaultdict(list)
        self._parts: Dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self.written: List[str] = []  # object keys, for the summary

    def add(self, stream: str, key: str, reason: str) -> None:
        line = {"stream": stream, "key": key, "field": field_of(reason), "reason": reason,
                "rejected_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "job_id": self.job_id}
        with self._lock:
            self._pending[stream].append(orjson.dumps(line))

    def object_key(self, stream: str, part: int) -> str:
        values = {"JOB_ID": self.job_id, "STREAM_NAME": re.sub(r"[^\w.-]", "_", stream),
                  "YEAR": f"{self.started.year:04d}", "MONTH": f"{self.started.month:02d}",
                  "DAY": f"{self.started.day:02d}", "EPOCH": str(int(self.started.timestamp())), "PART": str(part)}
        name = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), self.path_format)
        return f"{self.prefix}/{name}" if self.prefix else name

    def flush(self) -> None:
        """Write what was rejected since the last flush, one object per stream. A failure stops the sync
        before its STATE is echoed: the next sync sends the records again."""
        with self._lock:
            pending, self._pending = self._pending, defaultdict(list)
        for stream, lines in pending.items():
            self._parts[stream] += 1
            key = self.object_key(stream, self._parts[stream])
            body = b"\n".join(lines) + b"\n"
            try:
                self._client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/x-ndjson")
            except Exception as exc:  # botocore's errors name the bucket and the cause, never the keys
                raise _storage_error(self.bucket, exc) from None
            self.written.append(key)

    def verify(self) -> None:
        """`check`: the bucket exists and these credentials may reach it (a read)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            raise _storage_error(self.bucket, exc) from None


def _client(config: Mapping[str, Any]) -> Any:
    import boto3  # only a sync that stores rejected records needs it
    from botocore.config import Config

    return boto3.client("s3", region_name=config["s3_bucket_region"], endpoint_url=config.get("s3_endpoint") or None,
                        aws_access_key_id=config["access_key_id"], aws_secret_access_key=config["secret_access_key"],
                        config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10,
                                      read_timeout=60))


def _storage_error(bucket: str, exc: Exception) -> AirbyteTracedException:
    message = (f"Config field 'object_storage_config' does not reach bucket '{bucket}': {type(exc).__name__}: "
               f"{str(exc)[:300]}. Check the bucket name, region, endpoint and keys, and that the keys may write to "
               "the bucket.")
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)


def build(config: Mapping[str, Any]) -> Optional[RejectedStore]:
    storage = config.get("object_storage_config") or {}
    if storage.get("storage_type") != "S3":
        return None
    return RejectedStore(storage)
