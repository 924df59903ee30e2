"""SIGKILL a connector at a chosen point of its run, the way a node loss or an OOM kill stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from integration_tests.messages import parse_messages

from .figures import FIGURES
from .harness import SECRETS, Run, config_files, learn_and_scan


def _finish(proc, label: str, stdout_lines: List[str], err_path: str) -> Run:
    proc.wait(timeout=60)
    with open(err_path) as handle:
        stderr = handle.read()
    stdout = "".join(stdout_lines)
    learn_and_scan(label, stdout, stderr)
    FIGURES.add("connector_runs", 1)
    return Run(parse_messages(stdout), proc.returncode, stderr, stdout)


def kill_after_lines(script: str, command: str, config: Dict[str, Any], lines: int, *, catalog: Any = None,
                     state: Any = None) -> Run:
    """Run until it has printed `lines` Airbyte messages, then SIGKILL it (or let it end, if it ends first)."""
    with tempfile.TemporaryDirectory(prefix="reliability-kill-") as folder:
        err_path = os.path.join(folder, "stderr.txt")
        with open(err_path, "w") as err:  # a file: a chatty stderr cannot block the process
            SECRETS.add_config(config)
            args = [script, command] + config_files(folder, config=config, catalog=catalog, state=state)
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True)
            seen: List[str] = []
            killed = False
            for line in proc.stdout:
                seen.append(line)
                if line.startswith("{") and len(seen) >= lines:
                    os.kill(proc.pid, signal.SIGKILL)
                    killed = True
                    break
            proc.stdout.close()
        result = _finish(proc, f"{os.path.basename(script)} {command} (killed)", seen, err_path)
    if killed:
        FIGURES.add("kills", 1)
    return result


def kill_when(script: str, command: str, config: Dict[str, Any], stdin_lines: List[str],
              condition: Callable[[], bool], *, catalog: Any = None, poll_seconds: float = 0.02,
              timeout: float = 120) -> Run:
    """Feed `stdin_lines`, SIGKILL the process as soon as `condition()` holds (it may end first)."""
    with tempfile.TemporaryDirectory(prefix="reliability-kill-") as folder:
        err_path = os.path.join(folder, "stderr.txt")
        with open(err_path, "w") as err:
            SECRETS.add_config(config)
            args = [script, command] + config_files(folder, config=config, catalog=catalog)
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
            seen: List[str] = []
            reader = threading.Thread(target=lambda: seen.extend(proc.stdout), daemon=True)
            reader.start()
            try:
                proc.stdin.write("".join(line + "\n" for line in stdin_lines))
                proc.stdin.close()
            except BrokenPipeError:
                pass
            killed = False
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                if condition():
                    os.kill(proc.pid, signal.SIGKILL)
                    killed = True
                    break
                time.sleep(poll_seconds)
            proc.wait(timeout=60)
            reader.join(timeout=10)
        result = _finish(proc, f"{os.path.basename(script)} {command} (killed)", seen, err_path)
    if killed:
        FIGURES.add("kills", 1)
    return result


def last_states(messages: List[Dict[str, Any]]) -> Optional[List[Dict[str, Any]]]:
    """The last STATE per stream among `messages` (what the platform committed before the kill)."""
    last: Dict[str, Dict[str, Any]] = {}
    for message in messages:
        if message.get("type") == "STATE":
            state = message["state"]
            last[state["stream"]["stream_descriptor"]["name"]] = state
    return list(last.values()) or None
