"""Status changes, each a compare-and-set, each recorded as a `status` event."""

from django.db import transaction
from django.utils import timezone

from playground.runs import events
from playground.runs.models import FINISHED, Run


def move(run_id: str, old: str | tuple, new: str, message: str = "", then=(), **fields) -> bool:
    """Move a run from `old` to `new` if nobody moved it first; record the change, and
    the (type, data) events in `then` after it, in the same transaction."""
    olds = (old,) if isinstance(old, str) else old
    now = timezone.now()
    if new in FINISHED:
        fields.setdefault("finished_at", now)
    if new == "running":
        fields.update(started_at=now, heartbeat_at=now)
    data = {"status": new, "message": message} if message else {"status": new}
    with transaction.atomic():
        num_updated = Run.objects.filter(id=run_id, status__in=olds).update(status=new, **fields)
        if num_updated == 0:
            # Nothing got updated: another process got there first (a cancel, the reaper,
            # a redelivered task), and its word stands.
            return False
        messages = [events.append(run_id, "status", data)]
        messages += [events.append(run_id, type, extra) for type, extra in then]
    for message in messages:
        events.announce(run_id, message)
    workshop_run = events.post_to_board(run_id)
    if workshop_run and (new == "running" or new in FINISHED):  # its place came free
        from playground.workshops.dispatch import release

        release()
    return True
