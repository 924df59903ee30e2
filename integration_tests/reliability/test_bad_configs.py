"""Bad configs to both connectors: every command answers with an Airbyte config error naming the field (a
CONNECTION_STATUS FAILED for `check`, a TRACE error with failure_type config_error for `discover`, `read` and
`write`), never a traceback, never a secret.

The full matrix runs the connectors' console entry functions in process (a process per case would cost ~1.5 s
of imports each; an uncaught exception is turned into the TRACE the CDK's exception hook would print); a subset
runs through the real console scripts and checks stderr for tracebacks.
"""

from __future__ import annotations

import copy
import io
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Tuple

import orjson
import pytest
from airbyte_cdk.models import AirbyteMessageSerializer
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_ghl_contacts.destination import DestinationGhlContacts
from integration_tests.messages import parse_messages
from source_ghl_contacts import run as source_entry

from .figures import FIGURES
from .harness import DESTINATION, SECRETS, SOURCE, Run, learn_and_scan, run, source_catalog
from .rankr import CATALOG, export

GOOD = {"credentials": {"auth_type": "private_integration_token", "token": "pit-0000aaaa-bbbb-cccc-dddd-eeeeffff0000"},
        "location_id": "abcDEF123", "api_base_url": "http://127.0.0.1:9"}
OAUTH = {"auth_type": "oauth2.0", "client_id": "client-id-0001", "client_secret": "client-secret-0001",
         "refresh_token": "refresh-token-0001"}
AGENCY = dict(OAUTH, auth_type="agency_oauth2.0")


def _with(change: Callable[[Dict[str, Any]], Any]) -> Dict[str, Any]:
    config = copy.deepcopy(GOOD)
    change(config)
    return config


# (name, config or raw file text, the field the error must name)
BAD_CONFIGS: List[Tuple[str, Any, str]] = [
    ("no credentials", _with(lambda c: c.pop("credentials")), "credentials"),
    ("credentials a string", _with(lambda c: c.update(credentials="pit-0000aaaa-bbbb")), "credentials"),
    ("no auth_type", _with(lambda c: c["credentials"].pop("auth_type")), "auth_type"),
    ("unknown auth_type", _with(lambda c: c["credentials"].update(auth_type="api_key")), "auth_type"),
    ("empty token", _with(lambda c: c["credentials"].update(token="")), "token"),
    ("token a number", _with(lambda c: c["credentials"].update(token=12345)), "token"),
    ("oauth without client_secret", _with(lambda c: c.update(credentials={k: v for k, v in OAUTH.items() if k != "client_secret"})), "client_secret"),
    ("no location_id", _with(lambda c: c.pop("location_id")), "location_id"),
    ("location_id a list", _with(lambda c: c.update(location_id=["abc"])), "location_id"),
    ("location_id with a slash", _with(lambda c: c.update(location_id="abc/../def")), "location_id"),
    ("location_ids with a PIT", _with(lambda c: c.update(location_ids=["abc"])), "location_ids"),
    ("location_shard with a PIT", _with(lambda c: c.update(location_shard={"index": 0, "count": 2})), "location_shard"),
    ("agency without refresh_token", _with(lambda c: c.update(credentials={k: v for k, v in AGENCY.items() if k != "refresh_token"})), "refresh_token"),
    ("agency location_ids a string", _with(lambda c: c.update(credentials=AGENCY, location_ids="abc")), "location_ids"),
    ("agency location_ids with a slash", _with(lambda c: c.update(credentials=AGENCY, location_ids=["a/b"])), "location_ids"),
    ("agency shard index past count", _with(lambda c: c.update(credentials=AGENCY, location_shard={"index": 2, "count": 2})), "location_shard.index"),
    ("agency shard count 0", _with(lambda c: c.update(credentials=AGENCY, location_shard={"index": 0, "count": 0})), "location_shard.count"),
    ("agency shard without count", _with(lambda c: c.update(credentials=AGENCY, location_shard={"index": 0})), "location_shard.count"),
    ("api_base_url not a URL", _with(lambda c: c.update(api_base_url="services leadconnectorhq com")), "api_base_url"),
    ("api_base_url plain http to a remote host", _with(lambda c: c.update(api_base_url="http://services.leadconnectorhq.com")), "api_base_url"),
    ("api_base_url a number", _with(lambda c: c.update(api_base_url=443)), "api_base_url"),
    ("requests_per_10_seconds a string", _with(lambda c: c.update(requests_per_10_seconds="fast")), "requests_per_10_seconds"),
    ("request_timeout_seconds zero", _with(lambda c: c.update(request_timeout_seconds=0)), "request_timeout_seconds"),
    ("config a JSON list", [GOOD], "config"),
    ("config file not JSON", '{"location_id": "abcDEF123", ', "config"),
]
# Commands that take a config, per connector
COMMANDS = {SOURCE: ("check", "discover", "read"), DESTINATION: ("check", "write")}
NAMES = {SOURCE: "source", DESTINATION: "destination"}


def _files(folder: str, config: Any, command: str, script: str) -> List[str]:
    paths = {"config": config}
    if command == "read":
        paths["catalog"] = source_catalog("contacts")
    if command == "write":
        paths["catalog"] = CATALOG
    args = []
    for name, content in paths.items():
        path = os.path.join(folder, name + ".json")
        with open(path, "w") as handle:
            handle.write(content if isinstance(content, str) else json.dumps(content))  # str: raw file text
        args += ["--" + name, path]
    return args


def in_process(script: str, command: str, config: Any, capfd, pasted_secret: str = "") -> Run:
    """Run the console entry function in this process; what it prints is captured at the file descriptor.

    `pasted_secret`: a secret outside the spec's secret fields, looked for in this output only."""
    SECRETS.add_config(config)
    stdin = sys.stdin
    capfd.readouterr()
    trace = ""
    with tempfile.TemporaryDirectory(prefix="reliability-config-") as folder:
        args = [command] + _files(folder, config, command, script)
        sys.stdin = io.TextIOWrapper(io.BytesIO("\n".join(export(contacts=1)).encode()))
        try:
            if script == SOURCE:
                source_entry.run(args)
            else:
                DestinationGhlContacts().run(args)
        except SystemExit:
            pass
        except AirbyteTracedException as exc:  # what the CDK's exception hook prints for it (emit_message)
            trace = filter_secrets(orjson.dumps(AirbyteMessageSerializer.dump(exc.as_airbyte_message())).decode())
        except Exception as exc:  # the hook would print "Something went wrong" with a traceback
            trace = json.dumps({"type": "TRACE", "trace": {"type": "ERROR", "error": {
                "message": f"uncaught {type(exc).__name__}", "failure_type": "system_error"}}})
        finally:
            sys.stdin = stdin
    captured = capfd.readouterr()
    stdout = captured.out + "\n" + trace
    label = f"{NAMES[script]} {command} (in process)"
    learn_and_scan(label, stdout, captured.err, final_scan=not pasted_secret)
    assert not pasted_secret or pasted_secret not in stdout + captured.err, f"{label} printed the pasted token"
    FIGURES.add("bad_configs_tried", 1)
    return Run(parse_messages(stdout), 0, captured.err, stdout)


def _explanation(result: Run, command: str) -> str:
    """The config error's text: from the CONNECTION_STATUS of `check`, else from a config_error TRACE."""
    if command == "check":
        statuses = result.of_type("CONNECTION_STATUS")
        if statuses:
            assert statuses[0]["connectionStatus"]["status"] == "FAILED"
            return statuses[0]["connectionStatus"]["message"] or ""
    errors = result.errors
    assert errors, f"no TRACE error and no CONNECTION_STATUS: {result.tail()}"
    assert errors[-1]["failure_type"] == "config_error", errors[-1]
    return errors[-1]["message"]


def _problems(results: Dict[str, Run], field: str) -> List[str]:
    problems = []
    for command, result in results.items():
        if "Traceback" in result.stderr:
            problems.append(f"{command}: traceback on stderr: {result.stderr[-300:]}")
            continue
        try:
            text = _explanation(result, command)
        except AssertionError as exc:
            problems.append(f"{command}: {exc}")
            continue
        if field not in text:
            problems.append(f"{command}: the error does not name '{field}': {text[:300]}")
    return problems


def _cases():
    for name, config, field in BAD_CONFIGS:
        for script in (SOURCE, DESTINATION):
            marks = []
            yield pytest.param(script, config, field, id=f"{NAMES[script]}-{name}", marks=marks)


@pytest.mark.parametrize("script, config, field", list(_cases()))
def test_a_bad_config_is_a_config_error_naming_the_field(script, config, field, capfd):
    results = {command: in_process(script, command, config, capfd) for command in COMMANDS[script]}
    problems = _problems(results, field)
    assert not problems, "\n".join(problems)


def test_a_token_pasted_as_the_credentials_value_is_not_echoed(capfd):
    token = "pit-0000aaaa-bbbb-cccc-dddd-pasted000001"
    config = dict(GOOD, credentials=token)
    for script in (SOURCE, DESTINATION):
        for command in COMMANDS[script]:
            in_process(script, command, config, capfd, pasted_secret=token)


# -- through the real console scripts -------------------------------------------------------------------------

ENTRY_SUBSET = ("no credentials", "no location_id", "api_base_url plain http to a remote host",
                "config file not JSON")


def _invoke(script: str, command: str, config: Any) -> Run:
    if script == SOURCE:
        return run(script, command, config, catalog=source_catalog("contacts") if command == "read" else None, timeout=120)
    return run(script, command, config, catalog=CATALOG if command == "write" else None,
               stdin=export(contacts=1) if command == "write" else None, timeout=120)


def test_bad_configs_through_the_console_scripts_never_print_a_traceback():
    cases = [(name, config, field, script, command) for name, config, field in BAD_CONFIGS if name in ENTRY_SUBSET
             for script, commands in COMMANDS.items() for command in commands]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda c: _invoke(c[3], c[4], c[1]), cases))
    FIGURES.add("bad_configs_tried", len(cases))
    problems = []
    for (name, _, field, script, command), result in zip(cases, results):
        problems += [f"{name}: {NAMES[script]} {p}" for p in _problems({command: result}, field)]
        if result.returncode not in (0, 1):
            problems.append(f"{name}: {NAMES[script]} {command} exited {result.returncode}")
    assert not problems, "\n".join(problems)


def test_spec_answers_without_a_config_and_marks_every_secret():

    for script in (SOURCE, DESTINATION):
        result = run(script, "spec")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.tail()
        spec = result.of_type("SPEC")[0]["spec"]["connectionSpecification"]
        branches = {b["properties"]["auth_type"]["const"]: b["properties"] for b in spec["properties"]["credentials"]["oneOf"]}
        assert branches["private_integration_token"]["token"].get("airbyte_secret") is True
        for branch in ("oauth2.0", "agency_oauth2.0"):
            for name in ("client_id", "client_secret", "refresh_token", "access_token"):
                assert branches[branch][name].get("airbyte_secret") is True, (script, branch, name)
        secret_like = [name for name, prop in spec["properties"].items()
                       if any(word in name for word in ("token", "secret", "password", "key"))
                       and not prop.get("airbyte_secret")]
        assert not secret_like, (script, secret_like)
