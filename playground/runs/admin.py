from django.contrib import admin

from playground.runs.models import Run, RunEvent


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "status",
        "step",
        "total_steps",
        "queue",
        "worker",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "queue")


@admin.register(RunEvent)
class RunEventAdmin(admin.ModelAdmin):
    list_display = ("run", "seq", "type", "time")
