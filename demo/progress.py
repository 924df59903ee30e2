"""What the demo shows while it works: a numbered line per step and live per-stream counters.

PyAirbyte draws its own progress for the reads; the write into GHL gets a bar per stream here: records
sent to the destination, and records it confirmed (its STATE messages come back only once everything
before them is written to GHL or rejected).
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Without a terminal (CI logs, tests) rich would wrap at 80 columns, too narrow for the summary tables.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


class Steps:
    def __init__(self, total: int):
        self.total = total
        self.n = 0
        self.t0 = time.monotonic()

    def start(self, title: str) -> None:
        self.n += 1
        console.print(f"\n[bold cyan][{self.n}/{self.total}][/] [bold]{title}[/]")

    def note(self, text: str) -> None:
        console.print(f"      {text}")

    def warn(self, text: str) -> None:
        console.print(f"      [yellow]{text}[/]")


class WriteProgress:
    """Per-stream bars: confirmed by the destination / in the export; the label shows what was sent."""

    def __init__(self, totals: dict[str, int]):
        self.totals = totals
        self.sent = dict.fromkeys(totals, 0)
        self.progress = Progress(TextColumn("      {task.fields[stream]:<13}"), BarColumn(bar_width=30),
                                 MofNCompleteColumn(), TextColumn("confirmed, {task.fields[sent]} sent"),
                                 TimeElapsedColumn(), console=console, transient=False,
                                 disable=not sys.stdout.isatty())
        self.tasks = {s: self.progress.add_task(s, total=n, stream=s, sent=0) for s, n in totals.items()}
        self._last_plain = 0.0

    def on_sent(self, stream: str, n: int) -> None:
        self.sent[stream] = n
        self.progress.update(self.tasks[stream], sent=n)

    def on_confirmed(self, stream: str, n: int) -> None:
        self.progress.update(self.tasks[stream], completed=n)
        self._plain(stream, n)

    def _plain(self, stream: str, n: int) -> None:
        """Without a terminal (CI, logs) print a counter line every few seconds instead of bars."""
        if self.progress.disable and (time.monotonic() - self._last_plain > 5 or n == self.totals[stream]):
            self._last_plain = time.monotonic()
            console.print(f"      {stream}: {n}/{self.totals[stream]} confirmed")

    @contextmanager
    def shown(self):
        with self.progress:
            yield self
