"""The Airbyte trigger's timing (debounce, minimum interval, retries) with a fake clock and a fake API."""
from __future__ import annotations

import threading

from ghl_webhooks.trigger import AirbyteTrigger, TriggerSettings


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def make(clock, statuses, **kw):
    posted = []
    done = threading.Event()
    settings = TriggerSettings("http://airbyte.test/v1", [("loc-1", "conn-1")], api_key="k", quiet_seconds=60,
                               min_interval_seconds=900, **kw)
    trigger = AirbyteTrigger(settings, clock=clock)

    def post(connection_id):
        posted.append((clock(), connection_id))
        done.set()
        return statuses.pop(0) if statuses else 200

    trigger._post_job = post
    return trigger, posted, done


def due(trigger):
    return trigger.connections[0].due


def test_events_restart_the_quiet_period_but_never_past_one_interval():
    clock = Clock()
    trigger, _, _ = make(clock, [])
    try:
        trigger.event_stored("loc-1")
        assert due(trigger) == 1060
        clock.t += 30
        trigger.event_stored("loc-1")
        assert due(trigger) == 1090  # debounced
        clock.t = 1880
        trigger.event_stored("loc-1")
        assert due(trigger) == 1900  # events that never stop: one interval after the first
        trigger.event_stored("other-location")
        assert due(trigger) == 1900
    finally:
        trigger.close()


def test_at_most_one_start_per_interval_and_failures_retried():
    clock = Clock()
    trigger, posted, done = make(clock, [500])
    try:
        trigger.event_stored("loc-1")
        clock.t += 61
        with trigger._cv:
            trigger._cv.notify()
        assert done.wait(5)
        done.clear()
        assert posted == [(1061, "conn-1")]
        assert trigger.stats()[0]["failures"] == 1 and due(trigger) == 1066  # retried after 5 s
        clock.t = 1067
        with trigger._cv:
            trigger._cv.notify()
        assert done.wait(5)
        assert len(posted) == 2 and trigger.stats()[0]["started"] == 1
        trigger.event_stored("loc-1")
        assert due(trigger) == 1067 + 900  # not before the interval since the last start
    finally:
        trigger.close()
