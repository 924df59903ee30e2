"""The source's API budget: ghl_http's, learning what GHL has already counted before it sends in parallel.

`ghl_http.rate_limit.build_api_budget` counts requests GHL saw from elsewhere (a `check` or `discover` run
just before the read, a previous sync) when an answer's `x-ratelimit-remaining` is lower than what its own
window has left. That comparison is exact only when no other request of ours is in flight: with eight
requests sent at once at the start of a read, GHL's first answers look like our own requests still on the
way, and the requests spent elsewhere go unnoticed until a 429. So the first request of the process goes
alone; the others wait for its answer (at most `first_answer_timeout` seconds), then pace with what it said.
"""

import threading
from typing import Any, Optional

from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget, AbstractCallRatePolicy, HttpAPIBudget

from ghl_http.rate_limit import build_api_budget

FIRST_ANSWER_TIMEOUT_SECONDS = 15.0


class FirstAnswerFirstBudget(AbstractAPIBudget):
    """Delegates to `budget`; until the first answer is in, only one thread may send (and re-send) requests."""

    def __init__(self, budget: HttpAPIBudget, first_answer_timeout: float = FIRST_ANSWER_TIMEOUT_SECONDS) -> None:
        self.budget = budget
        self._first_answer_timeout = first_answer_timeout
        self._answered = threading.Event()
        self._lock = threading.Lock()
        self._first_sender: Optional[int] = None

    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        if not self._answered.is_set():
            with self._lock:
                if self._first_sender is None:
                    self._first_sender = threading.get_ident()
                first = self._first_sender == threading.get_ident()
            if not first:
                # A first request that never gets an answer (its retries time out) must not stall the rest.
                self._answered.wait(self._first_answer_timeout)
        self.budget.acquire_call(request, block=block, timeout=timeout)

    def update_from_response(self, request: Any, response: Any) -> None:
        self.budget.update_from_response(request, response)
        self._answered.set()

    def get_matching_policy(self, request: Any) -> Optional[AbstractCallRatePolicy]:
        return self.budget.get_matching_policy(request)


def source_api_budget(requests_per_10_seconds: int, agency: bool = False) -> FirstAnswerFirstBudget:
    """`agency`: a location of an agency read, which shares its process's CPU with many others, so each
    request is counted from its answer (`ghl_http.rate_limit.GHLBudget`)."""
    return FirstAnswerFirstBudget(build_api_budget(requests_per_10_seconds, count_from_answer=agency))
