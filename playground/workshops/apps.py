from django.apps import AppConfig

from playground.runs import hooks


class WorkshopsConfig(AppConfig):
    name = "playground.workshops"
    label = "workshops"

    def ready(self):
        """Plug into the runs' life: admit participants' runs, post their changes, and
        offer participants only the lessons that fit."""
        # Imported here: apps.py is loaded before the models are ready.
        from playground.workshops.board import post_run  # noqa: PLC0415
        from playground.workshops.lessons import lessons_for  # noqa: PLC0415
        from playground.workshops.rules import admit_run  # noqa: PLC0415

        hooks.on_admission(admit_run)
        hooks.on_lessons(lessons_for)
        hooks.on_change(post_run)
