"""Fixtures: a real sandbox process and a real `ghl-webhooks` receiver configured with its public key."""
from __future__ import annotations

import pytest

from .receiver import ReceiverProcess


@pytest.fixture
def receiver_factory(tmp_path):
    started: list[ReceiverProcess] = []

    def make(sandbox, *, locations=None, extra=(), env=None, name="r") -> ReceiverProcess:
        d = tmp_path / f"{name}{len(started)}"
        d.mkdir()
        r = ReceiverProcess(sandbox.webhook_keys()["ed25519"], locations or [sandbox.location_id],
                            workdir=str(d), extra=extra, env=env).start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()


@pytest.fixture(scope="module")
def postgres():
    from .postgres import PostgresServer

    pg = PostgresServer().start()
    yield pg
    pg.cleanup()
