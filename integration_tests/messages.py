"""What a connector process printed, read as Airbyte messages: the views the integration tests ask of it."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cached_property
from typing import Any, Dict, List


def parse_messages(stdout: str) -> List[Dict[str, Any]]:
    """Every stdout line that is a JSON object; anything else (a stray print) is not a message."""
    messages = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            try:
                messages.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return messages


class AirbyteMessages:
    """Mixed into a result dataclass that has `messages`."""

    messages: List[Dict[str, Any]]

    @cached_property
    def records(self) -> Dict[str, List[Dict[str, Any]]]:
        """Record data per stream (an unseen stream reads as an empty list)."""
        by_stream: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
        for message in self.of_type("RECORD"):
            by_stream[message["record"]["stream"]].append(message["record"]["data"])
        return by_stream

    def of_type(self, kind: str) -> List[Dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    @property
    def states(self) -> List[Dict[str, Any]]:
        return [m["state"] for m in self.of_type("STATE")]

    def final_states(self) -> List[Dict[str, Any]]:
        """The last state of each stream: what the platform passes to the next sync."""
        last: Dict[str, Dict[str, Any]] = {}
        for state in self.states:
            last[state["stream"]["stream_descriptor"]["name"]] = state
        return list(last.values())

    @property
    def errors(self) -> List[Dict[str, Any]]:
        return [m["trace"]["error"] for m in self.of_type("TRACE") if m["trace"]["type"] == "ERROR"]

    @property
    def connection_status(self) -> Dict[str, Any]:
        return self.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
