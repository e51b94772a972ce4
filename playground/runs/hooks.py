"""Where other apps plug into a run's life, so that runs never import them.

An app registers its hooks in its `AppConfig.ready()`:
- an admission hook, `admit(request, spec, parameters) -> dict`, says which extra Run
  fields a new run gets (a workshop and participant), or raises `ApiError` to refuse it;
- a change hook, `changed(run_id, what)`, hears that a run's status moved (`"status"`) or
  that it logged a new validation loss (`"metrics"`);
- a lessons hook, `lessons(request, presets) -> list`, keeps the lessons this browser may
  train (a workshop offers only those that fit its quotas).
"""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Admission = Callable[..., dict]
Change = Callable[[str, str], None]
Lessons = Callable[..., list]

_admissions: list[Admission] = []
_changes: list[Change] = []
_lessons: list[Lessons] = []


def on_admission(hook: Admission) -> None:
    if hook not in _admissions:
        _admissions.append(hook)


def on_change(hook: Change) -> None:
    if hook not in _changes:
        _changes.append(hook)


def on_lessons(hook: Lessons) -> None:
    if hook not in _lessons:
        _lessons.append(hook)


def admit(request, spec, parameters: int) -> dict:
    """The extra fields every admission hook gives a new run; an `ApiError` refuses it."""
    fields: dict = {}
    for hook in _admissions:
        fields.update(hook(request, spec, parameters))
    return fields


def changed(run_id: str, what: str) -> None:
    """Tell every change hook. A hook's failure never undoes the change: it is logged."""
    for hook in _changes:
        try:
            hook(run_id, what)
        except Exception:
            log.exception("a %s hook failed for run %s", what, run_id)


def lessons(request, presets: list) -> list:
    """The lessons this browser is offered: every one, less those a hook leaves out."""
    for hook in _lessons:
        presets = hook(request, presets)
    return presets
