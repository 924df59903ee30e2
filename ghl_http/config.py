"""Config validation both connectors run first: a bad config is a config error that names the field."""

from typing import Any, Dict, Mapping
from urllib.parse import urlsplit

import jsonschema
from airbyte_cdk.connector import BaseConnector
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from ghl_http.auth import AGENCY_OAUTH, AUTH_TYPES
from ghl_http.constants import DEFAULT_API_BASE_URL
from ghl_http.hosts import is_loopback

_AUTH_TYPES = ", ".join(repr(kind) for kind in AUTH_TYPES)


def config_error(field: str, problem: str, fix: str) -> AirbyteTracedException:
    message = f"Config field '{field}' {problem}. {fix}"
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)


def read_config_file(path: str) -> Mapping[str, Any]:
    """The config file's JSON object (validate_config judges its content). An unreadable file, or one that is
    not a JSON object, is the user's to fix: a config error. The CDK's message names the file and where the
    JSON breaks, never the content."""
    try:
        config = BaseConnector._read_json_file(path)
    except (OSError, ValueError) as exc:
        message = (f"The config file could not be read: {str(exc).rstrip('.')}. "
                   "Give a JSON object with the connector's settings.")
        raise AirbyteTracedException(message=message, internal_message=str(exc),
                                     failure_type=FailureType.config_error) from None
    if not isinstance(config, Mapping):
        raise config_error("(root)", "is not a JSON object", "Pass the connector a JSON object as its config.")
    return config


def _field_path(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return ".".join(part for part in (path, missing) if part)
    return path or "(root)"


def _schema_problem(error: jsonschema.ValidationError) -> str:
    # Never echo the offending value: it may be a token.
    if error.validator == "required":
        return "is missing"
    if error.validator == "type":
        return f"must be of type {error.validator_value}"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"is out of range ({error.validator} {error.validator_value})"
    if error.validator == "minLength":
        return "is empty"
    if error.validator == "pattern":
        return f"has an invalid format (expected {error.validator_value})"
    if error.validator == "enum":
        return f"must be one of {error.validator_value}"
    if error.validator == "const":
        return f"must be one of {_AUTH_TYPES}" if list(error.absolute_path)[-1:] == ["auth_type"] else "is invalid"
    return "is invalid"


def _oneof_error(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For `credentials` (a oneOf), report the error of the branch the user meant (its auth_type)."""
    if error.validator != "oneOf" or not isinstance(error.instance, dict):
        return error
    auth_type = error.instance.get("auth_type")
    meant = [
        sub
        for sub in error.context or []
        if error.validator_value[sub.schema_path[0]].get("properties", {}).get("auth_type", {}).get("const") == auth_type
    ]
    if not meant:  # an unknown auth_type: say so on the auth_type field itself
        return next((sub for sub in error.context or [] if list(sub.absolute_path)[-1:] == ["auth_type"]), error)
    return jsonschema.exceptions.best_match(meant)


def _check_credentials_shape(credentials: Any) -> None:
    # Caught before the schema: a oneOf without a discriminator would only say "is invalid".
    if credentials is None:
        return
    if not isinstance(credentials, Mapping):
        raise config_error("credentials", "must be an object", "Set it to {\"auth_type\": ..., ...}.")
    if "auth_type" not in credentials:
        raise config_error(
            "credentials.auth_type", "is missing", f"Set it to one of {_AUTH_TYPES}."
        )


def _check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise config_error("api_base_url", "is not an http(s) URL", f"Use {DEFAULT_API_BASE_URL} for GHL.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise config_error(
            "api_base_url",
            "uses plain http for a non-local host",
            "Use https (TLS is required for GHL); plain http is only allowed for a local sandbox on 127.0.0.1.",
        )


def _check_locations(config: Mapping[str, Any]) -> None:
    """Which locations a config names depends on its credentials (`ghl_http.tenancy`)."""
    agency = config["credentials"]["auth_type"] == AGENCY_OAUTH
    if not agency and not config.get("location_id"):
        raise config_error("location_id", "is missing",
                           "Set it to the sub-account id the token belongs to (only agency credentials may leave it out).")
    for field in ("location_ids", "location_shard"):
        if not agency and config.get(field):
            raise config_error(field, "is set, but it only applies to agency credentials",
                               "Remove it, or use agency OAuth credentials (auth_type 'agency_oauth2.0').")
    shard = config.get("location_shard")
    if shard and shard["index"] >= shard["count"]:
        raise config_error("location_shard.index", f"is out of range (must be below count, {shard['count']})",
                           "Give each of the 'count' connections one index from 0 to count - 1.")


def _with_defaults(config: Mapping[str, Any], spec: Mapping[str, Any]) -> Dict[str, Any]:
    resolved = dict(config)
    for name, prop in spec.get("properties", {}).items():
        if name not in resolved and "default" in prop:
            resolved[name] = prop["default"]
    return resolved


def validate_config(config: Mapping[str, Any], connection_spec: Mapping[str, Any]) -> Dict[str, Any]:
    """Check `config` against the connector's spec; return it with defaults filled in.

    Raises a config-error `AirbyteTracedException` naming the first bad field and what to do.
    """
    if not isinstance(config, Mapping):
        raise config_error("(root)", "is not a JSON object", "Pass the connector a JSON object as its config.")
    _check_credentials_shape(config.get("credentials"))
    validator = jsonschema.Draft7Validator(connection_spec)
    error = next(iter(sorted(validator.iter_errors(config), key=jsonschema.exceptions.relevance)), None)
    if error is not None:
        error = _oneof_error(error)
        field = _field_path(error)
        raise config_error(field, _schema_problem(error), "Fix it in the connector's settings and retry.")
    _check_locations(config)
    resolved = _with_defaults(config, connection_spec)
    _check_base_url(str(resolved.get("api_base_url") or DEFAULT_API_BASE_URL))
    resolved["api_base_url"] = str(resolved["api_base_url"]).rstrip("/")
    return resolved
