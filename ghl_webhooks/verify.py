"""Is this request a genuine, fresh GHL webhook? (docs/ghl-api-behaviour.md §7)

GHL signs the raw body bytes: `x-ghl-signature` is base64 Ed25519 (checked first; when present there is no
fallback, as in GHL's SDK), `x-wh-signature` is the legacy base64 RSA PKCS#1 v1.5 SHA-256, accepted only when
the receiver is configured for it. Every refusal has a reason, which the receiver counts.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

REQUIRED_KEYS = ("type", "locationId", "webhookId", "timestamp")


class Refused(Exception):
    """A request the receiver will not store: `reason` is counted, `status` answered (never 429)."""

    def __init__(self, reason: str, status: int, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.status = status
        self.detail = detail or reason


def load_ed25519(pem: bytes) -> ed25519.Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def load_rsa(pem: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("bad_signature", 401, "signature is not base64")


def check_signature(body: bytes, headers: dict, ed_key, rsa_key=None) -> str:
    """Which header verified ("ed25519" or "rsa"); raises Refused otherwise."""
    ghl = headers.get("x-ghl-signature")
    if ghl is not None:
        try:
            ed_key.verify(_b64(ghl), body)
        except InvalidSignature:
            raise Refused("bad_signature", 401, "x-ghl-signature does not verify")
        return "ed25519"
    legacy = headers.get("x-wh-signature")
    if legacy is not None and rsa_key is not None:
        try:
            rsa_key.verify(_b64(legacy), body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise Refused("bad_signature", 401, "x-wh-signature does not verify")
        return "rsa"
    raise Refused("missing_signature", 401, "no x-ghl-signature" + ("" if rsa_key is None else " or x-wh-signature"))


def parse_event(body: bytes) -> dict:
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Refused("malformed", 400, "body is not JSON")
    if not isinstance(event, dict):
        raise Refused("malformed", 400, "body is not a JSON object")
    missing = [k for k in REQUIRED_KEYS if not isinstance(event.get(k), str) or not event.get(k)]
    if missing:
        raise Refused("malformed", 400, f"missing {', '.join(missing)}")
    return event


def parse_timestamp(value: str) -> float:
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Refused("malformed", 400, "timestamp is not ISO 8601")
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.timestamp()


def check_fresh(event: dict, now: float, window_seconds: float) -> None:
    """GHL: reject a timestamp older than about 5 minutes (and one from the future beyond the same skew)."""
    age = now - parse_timestamp(event["timestamp"])
    if abs(age) > window_seconds:
        raise Refused("stale", 401, f"timestamp outside the {window_seconds:g} s replay window")
