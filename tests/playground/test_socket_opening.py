"""Opening a socket is cheap: one query for a run's stored events, sent as the store holds
them; sockets opening together share their reads, and a web process follows a log through
one subscription however many of its sockets watch it."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from playground.asgi import application
from playground.eventlog.hub import hub
from playground.runs.events import RUN_LOG
from playground.runs.models import Run, RunEvent
from playground.workshops.board import BOARD_LOG
from playground.workshops.models import Participant, Workshop

SPEC = {"dataset": "adding", "model": {"cell": "gru"}}
# Events as a run stores them, and a few a serializer might trip on.
MESSAGES = [
    {"type": "status", "status": "queued"},
    {"type": "metrics", "step": 1, "loss": 0.5, "points": [{"step": 1, "loss": 0.5}]},
    {"type": "sample", "text": "naïve “quotes” \\ and \n newlines, 日本語"},
    {"type": "probe"},
    {"type": "metrics", "step": 2, "time": 12.5},  # a field named like a column
]


def a_run_with_events() -> str:
    run = Run.objects.create(spec=SPEC, owner="someone", total_steps=10)
    for message in MESSAGES:
        RUN_LOG.append(run.id, message)
    return run.id


async def read_all(path: str, count: int) -> list[dict]:
    socket = WebsocketCommunicator(application, path)
    connected, _ = await socket.connect()
    assert connected
    received = [await socket.receive_json_from() for _ in range(count)]
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()
    return received


@pytest.mark.django_db(transaction=True)
def test_a_run_socket_sends_each_stored_event_as_the_api_does():
    run_id = a_run_with_events()
    received = async_to_sync(read_all)(f"/ws/runs/{run_id}/", len(MESSAGES))
    stored = [e.as_message() for e in RunEvent.objects.filter(run_id=run_id).order_by("seq")]
    assert received == stored
    assert [e["seq"] for e in received] == [1, 2, 3, 4, 5]
    # The event's own `time` field wins over the column, in both.
    assert received[4]["time"] == 12.5


@pytest.mark.django_db(transaction=True)
def test_opening_a_run_socket_costs_one_query_read_before_or_not():
    run_id = a_run_with_events()
    path = f"/ws/runs/{run_id}/"
    for _ in ("this process has not read the run yet", "it has"):
        with CaptureQueriesContext(connection) as queries:
            async_to_sync(read_all)(path, len(MESSAGES))
        assert len(queries) == 1, [q["sql"] for q in queries]


@pytest.mark.django_db(transaction=True)
def test_a_reconnecting_socket_gets_only_what_it_missed_in_one_query():
    run_id = a_run_with_events()
    async_to_sync(read_all)(f"/ws/runs/{run_id}/", len(MESSAGES))  # this process read it
    RUN_LOG.append(run_id, {"type": "metrics", "step": 3})
    with CaptureQueriesContext(connection) as queries:
        missed = async_to_sync(read_all)(f"/ws/runs/{run_id}/?after=4", 2)
    assert [e["seq"] for e in missed] == [5, 6]
    assert len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_opening_a_board_socket_reads_its_snapshot_and_nothing_else():
    workshop = Workshop.objects.create(title="Room")
    Participant.objects.create(workshop=workshop, name="Ada")
    BOARD_LOG.append(workshop.code, {"type": "participant", "participant": {"name": "Ada"}})
    with CaptureQueriesContext(connection) as queries:
        (snapshot,) = async_to_sync(read_all)(f"/ws/workshops/{workshop.code}/", 1)
    assert snapshot["type"] == "snapshot" and snapshot["seq"] == 1
    assert [p["name"] for p in snapshot["participants"]] == ["Ada"]
    # The workshop, its participants and its runs: no existence check, no backlog read.
    assert len(queries) == 3, [q["sql"] for q in queries]


@pytest.mark.django_db(transaction=True)
def test_sockets_opening_together_share_their_reads():
    run_id = a_run_with_events()
    path = f"/ws/runs/{run_id}/"

    async def crowd():
        return await asyncio.gather(*(read_all(path, len(MESSAGES)) for _ in range(20)))

    with CaptureQueriesContext(connection) as queries:
        everyone = async_to_sync(crowd)()
    assert all([e["seq"] for e in got] == [1, 2, 3, 4, 5] for got in everyone)
    # Each read begins after the sockets it serves watch the log: a few, not one a socket
    # (20). On a busy machine the sockets open in a few waves, each sharing one read: a
    # full suite run once saw 6 reads here, and a quiet one 3.
    assert len(queries) <= 8, len(queries)


@pytest.mark.django_db(transaction=True)
def test_a_deleted_run_closes_with_4404_even_after_this_process_read_it():
    run_id = a_run_with_events()
    async_to_sync(read_all)(f"/ws/runs/{run_id}/", len(MESSAGES))
    Run.objects.filter(id=run_id).delete()

    async def knock():
        return await WebsocketCommunicator(application, f"/ws/runs/{run_id}/").connect()

    assert async_to_sync(knock)() == (False, 4404)


@pytest.mark.django_db(transaction=True)
def test_a_process_follows_a_log_once_for_all_its_sockets():
    run_id = a_run_with_events()
    path = f"/ws/runs/{run_id}/"

    async def watch():
        sockets = [WebsocketCommunicator(application, path) for _ in range(5)]
        for socket in sockets:
            assert (await socket.connect())[0]
            for _ in MESSAGES:
                await socket.receive_json_from()
        assert len(hub().watches) == 1
        assert len(hub().watches[RUN_LOG.group_name(run_id)].inboxes) == 5
        # A new event, stored and announced as the worker does.
        await database_sync_to_async(RUN_LOG.record)(run_id, {"type": "metrics", "step": 9})
        for socket in sockets:
            event = await socket.receive_json_from()
            assert (event["seq"], event["step"]) == (6, 9)
            assert await socket.receive_nothing(timeout=0.1)
            await socket.disconnect()
        assert hub().watches == {}  # the last one out leaves the group

    async_to_sync(watch)()


@pytest.mark.django_db(transaction=True)
def test_a_gap_is_filled_from_the_store_once_for_all_the_sockets_of_a_process():
    run_id = a_run_with_events()
    path = f"/ws/runs/{run_id}/"

    async def watch():
        sockets = [WebsocketCommunicator(application, path) for _ in range(3)]
        for socket in sockets:
            assert (await socket.connect())[0]
            for _ in MESSAGES:
                await socket.receive_json_from()
        record = database_sync_to_async(RUN_LOG.record)
        await record(run_id, {"type": "metrics", "step": 6})
        for socket in sockets:
            assert (await socket.receive_json_from())["seq"] == 6
        # Two more are stored, but only the second is announced (the first one's notice is
        # lost or late): the hub reads the store once, not each socket.
        append = database_sync_to_async(RUN_LOG.append)
        await append(run_id, {"type": "metrics", "step": 7})
        # Queries are counted on the database thread (the test's own).
        queries = CaptureQueriesContext(connection)
        await database_sync_to_async(queries.__enter__)()
        await record(run_id, {"type": "metrics", "step": 8})
        for socket in sockets:
            assert [(await socket.receive_json_from())["seq"] for _ in range(2)] == [7, 8]
        await database_sync_to_async(queries.__exit__)(None, None, None)
        captured = await database_sync_to_async(list)(queries)
        reads = [q for q in captured if q["sql"].startswith("SELECT")]
        assert len(reads) == 2, reads  # the record's own seq, and the hub's one read
        for socket in sockets:
            await socket.disconnect()

    async_to_sync(watch)()


def test_an_event_as_sent_is_valid_json_whatever_its_data():
    for data in ["{}", '{"a": 1}', ' { "a" : [1, 2] } ']:
        text = RunEvent.wire_text((3, "metrics", 1.5), data)
        assert json.loads(text) == {"seq": 3, "type": "metrics", "time": 1.5, **json.loads(data)}
