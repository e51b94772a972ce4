"""The shared event log on a real channel layer (Redis): numbered, stored, then announced;
a socket sends the stored events after its seq, then live ones in order, and fills a gap
from the store, whether it follows a run or a workshop board."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from playground.asgi import application
from playground.eventlog.log import NOTICE
from playground.runs.events import RUN_LOG
from playground.runs.models import Run
from playground.workshops.board import BOARD_LOG
from playground.workshops.models import Workshop

SPEC = {"dataset": "adding", "model": {"cell": "gru"}}


def a_run() -> tuple[str, str, object]:
    run = Run.objects.create(spec=SPEC, owner="someone", total_steps=10)
    return f"/ws/runs/{run.id}/", run.id, RUN_LOG


def a_board() -> tuple[str, str, object]:
    workshop = Workshop.objects.create(title="Room")
    return f"/ws/workshops/{workshop.code}/", workshop.code, BOARD_LOG


def notify(log, key: str, event: dict) -> None:
    """Announce one event by hand, as another process would."""
    async_to_sync(get_channel_layer().group_send)(
        log.group_name(key), {"type": NOTICE, "event": event}
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make", [a_run, a_board], ids=["run", "board"])
def test_a_socket_fills_a_gap_from_the_store_and_sends_nothing_twice(make):
    path, key, log = make()
    log.append(key, {"type": "metrics", "step": 1})

    async def watch():
        socket = WebsocketCommunicator(application, path)
        connected, _ = await socket.connect()
        assert connected
        first = await socket.receive_json_from()
        # A board starts from its snapshot (current to seq 1); a run from its stored log.
        assert first["seq"] == 1 and first["type"] in ("snapshot", "metrics")

        # Two events are stored, but only the second is announced: its notice shows a gap.
        append = database_sync_to_async(log.append)
        second = await append(key, {"type": "metrics", "step": 2})
        third = await append(key, {"type": "metrics", "step": 3})
        await database_sync_to_async(notify)(log, key, third)
        assert [(await socket.receive_json_from())["seq"] for _ in range(2)] == [2, 3]

        # The lost notice turns up late: already sent, so dropped.
        await database_sync_to_async(notify)(log, key, second)
        assert await socket.receive_nothing(timeout=0.5)

        # Asking to resume from an earlier seq never sends an event twice either.
        await socket.send_json_to({"after": 0})
        assert await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()

    async_to_sync(watch)()


@pytest.mark.django_db(transaction=True)
def test_a_reconnecting_socket_gets_only_what_it_missed():
    path, key, log = a_run()
    for step in range(5):
        log.append(key, {"type": "metrics", "step": step})

    async def resume():
        socket = WebsocketCommunicator(application, f"{path}?after=3")
        assert (await socket.connect())[0]
        assert [(await socket.receive_json_from())["seq"] for _ in range(2)] == [4, 5]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(resume)()


@pytest.mark.django_db(transaction=True)
def test_an_unknown_run_or_board_closes_with_4404():
    async def knock(path):
        socket = WebsocketCommunicator(application, path)
        connected, code = await socket.connect()
        return connected, code

    assert async_to_sync(knock)("/ws/runs/nope/") == (False, 4404)
    assert async_to_sync(knock)("/ws/workshops/NOPE42/") == (False, 4404)
