"""A watcher gets every event even when notices are lost: the web process's watch of a log
reads the store at a run's final status, after a quiet spell, and for a socket whose inbox
overflowed; once a run has ended, its store is not read again."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from playground.asgi import application
from playground.eventlog import hub as hub_module
from playground.eventlog.hub import hub
from tests.playground.test_eventlog import a_board, a_run, notify

# Seconds a test waits for what must come (a deadline, not a timing).
DEADLINE = 10


async def opened(path: str) -> WebsocketCommunicator:
    """A socket that has read its opening (a run's first event, or a board's snapshot)."""
    socket = WebsocketCommunicator(application, path)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=DEADLINE))["seq"] == 1
    return socket


async def seqs_from(socket: WebsocketCommunicator, count: int) -> list[int]:
    return [(await socket.receive_json_from(timeout=DEADLINE))["seq"] for _ in range(count)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make", [a_run, a_board], ids=["run", "board"])
def test_events_whose_notices_were_lost_arrive_after_a_quiet_spell(make, settings):
    settings.EVENT_QUIET_SECONDS = 1
    path, key, log = make()
    log.append(key, {"type": "metrics", "step": 1})

    async def watch():
        sockets = [await opened(path) for _ in range(2)]
        append = database_sync_to_async(log.append)
        # Stored, never announced, and nothing after them: no gap to see.
        await append(key, {"type": "metrics", "step": 2})
        await append(key, {"type": "metrics", "step": 3})
        for socket in sockets:
            assert await seqs_from(socket, 2) == [2, 3]
        # Again, now that this process's watch has handed events on: from the store, after
        # the last one it handed on.
        fourth = await append(key, {"type": "metrics", "step": 4})
        await database_sync_to_async(notify)(log, key, fourth)
        await append(key, {"type": "metrics", "step": 5})
        for socket in sockets:
            assert await seqs_from(socket, 2) == [4, 5]
            assert await socket.receive_nothing(timeout=1.5)  # and nothing twice
            await socket.disconnect()

    async_to_sync(watch)()


@pytest.mark.django_db(transaction=True)
def test_a_runs_final_status_brings_what_was_stored_with_it(settings):
    # No quiet spell in this test: the final status alone sends the watch to the store.
    settings.EVENT_QUIET_SECONDS = 3600
    path, key, log = a_run()
    log.append(key, {"type": "status", "status": "running"})

    async def watch():
        socket = await opened(path)
        append = database_sync_to_async(log.append)
        final = await append(key, {"type": "status", "status": "completed"})
        await append(key, {"type": "done", "result": {"steps": 10}})
        # The final status is announced; the notice of `done` is lost.
        await database_sync_to_async(notify)(log, key, final)
        assert [(await socket.receive_json_from(timeout=DEADLINE))["type"] for _ in range(2)] == [
            "status",
            "done",
        ]
        assert hub().watches[log.group_name(key)].ended
        await socket.disconnect()

    async_to_sync(watch)()


@pytest.mark.django_db(transaction=True)
def test_an_ended_run_is_not_read_again_however_quiet(settings):
    settings.EVENT_QUIET_SECONDS = 0.2
    path, key, log = a_run()
    log.append(key, {"type": "status", "status": "failed", "message": "It stopped."})

    async def watch():
        socket = await opened(path)
        watch = hub().watches[log.group_name(key)]
        # The first quiet spell finds the log ended (its newest event is the final status),
        # and the checks stop.
        await asyncio.wait_for(watch.keeper, timeout=DEADLINE)
        assert watch.ended
        queries = CaptureQueriesContext(connection)
        await database_sync_to_async(queries.__enter__)()
        await asyncio.sleep(1)  # five quiet spells
        await database_sync_to_async(queries.__exit__)(None, None, None)
        assert await database_sync_to_async(list)(queries) == []
        await socket.disconnect()

    async_to_sync(watch)()


@pytest.mark.django_db(transaction=True)
def test_a_socket_whose_inbox_overflowed_reads_the_rest_from_the_store(settings, monkeypatch):
    settings.EVENT_QUIET_SECONDS = 3600
    monkeypatch.setattr(hub_module, "INBOX_SIZE", 2)
    path, key, log = a_run()
    for step in range(6):
        log.append(key, {"type": "metrics", "step": step})

    async def watch():
        socket = WebsocketCommunicator(application, f"{path}?after=1")
        assert (await socket.connect())[0]
        assert await seqs_from(socket, 5) == [2, 3, 4, 5, 6]
        more = database_sync_to_async(log.append)
        for step in range(6, 11):
            await more(key, {"type": "metrics", "step": step})
        rows = await database_sync_to_async(log.wire_after)(key, 6)
        # Five notices at once into an inbox of two: the last three are dropped, and no
        # notice follows to show the gap.
        watch = hub().watches[log.group_name(key)]
        for seq, text in rows:
            watch.deliver(seq, text)
        assert await seqs_from(socket, 5) == [7, 8, 9, 10, 11]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(watch)()
