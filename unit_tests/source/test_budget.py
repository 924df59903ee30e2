"""The source's budget: the first request goes alone, so GHL's first answer tells what others already spent."""

import threading
import time

import requests
from pyrate_limiter import TimeClock

from ghl_http.rate_limit import GHLWindowPolicy
from source_ghl_contacts import source as source_module
from source_ghl_contacts.components.budget import FirstAnswerFirstBudget, source_api_budget

from .builders import RATE_HEADERS, ChildResponse, Requests, SearchResponse, config
from .harness import run_read


def _request():
    return requests.Request("GET", "https://services.leadconnectorhq.com/contacts/c1/notes").prepare()


def _answer(remaining):
    response = requests.Response()
    response.status_code = 200
    response.headers["x-ratelimit-remaining"] = str(remaining)
    return response


def test_requests_wait_for_the_first_answer_then_pace_with_what_it_said():
    budget = source_api_budget(20)
    assert isinstance(budget.budget._policies[0], GHLWindowPolicy)
    budget.acquire_call(_request())  # the first request goes at once
    sent = []

    def send():
        budget.acquire_call(_request(), block=False)
        sent.append(1)

    others = [threading.Thread(target=send) for _ in range(3)]
    for thread in others:
        thread.start()
    time.sleep(0.2)
    assert sent == []  # waiting for the first answer
    # GHL: 20 - 1 (ours) - 12 spent by a check/discover just before = 7 left
    budget.update_from_response(_request(), _answer(7))
    for thread in others:
        thread.join(2)
    assert len(sent) == 3
    policy = budget.budget._policies[0]
    # 1 + 3 of ours and the 12 GHL counted elsewhere: 4 left of 20
    assert policy._get_available_calls(TimeClock().now()) == 4


def test_the_first_sender_may_retry_and_others_go_after_a_timeout_without_answer():
    budget = FirstAnswerFirstBudget(source_api_budget(100).budget, first_answer_timeout=0.3)
    budget.acquire_call(_request())
    budget.acquire_call(_request())  # the same thread re-sending (a retry) is not held
    started = time.monotonic()
    other = threading.Thread(target=budget.acquire_call, args=(_request(),))
    other.start()
    other.join(3)
    assert not other.is_alive()
    assert 0.25 <= time.monotonic() - started < 2


def test_every_request_of_a_read_is_counted_by_its_budget(http, monkeypatch):
    """The parts of a read go at once (custom-field definitions, location-wide and declarative streams), so a
    request the budget does not count would make the window think one slot freer than GHL's: a 429."""
    counted = []

    def counting_budget(*args, **kwargs):
        budget = source_api_budget(*args, **kwargs)
        acquire = budget.acquire_call

        def acquire_call(request, *a, **k):
            counted.append(request.url)
            return acquire(request, *a, **k)

        budget.acquire_call = acquire_call
        return budget

    monkeypatch.setattr(source_module, "source_api_budget", counting_budget)
    page = SearchResponse().with_contacts(2).build()
    http.post(Requests.search, json=page, headers=RATE_HEADERS)
    for contact in page["contacts"]:
        http.get(Requests.child(contact["id"], "notes"), json=ChildResponse("notes").for_contact(contact["id"], 1).build(),
                 headers=RATE_HEADERS)
        for stream in ("tasks", "appointments"):
            http.get(Requests.child(contact["id"], stream), json=ChildResponse(stream).for_contact(contact["id"], 1).build(),
                     headers=RATE_HEADERS)
    out = run_read(config(), ["contacts", "tasks", "notes", "appointments"])
    assert len(out.records) > 2
    sent = [r.url for r in http.request_history]
    assert any("/customFields" in url for url in sent)
    assert sorted(sent) == sorted(counted)
