from django.contrib import admin

from playground.runs.models import Run, RunEvent


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("id", "status", "step", "total_steps", "created_at", "finished_at")
    list_filter = ("status",)


@admin.register(RunEvent)
class RunEventAdmin(admin.ModelAdmin):
    list_display = ("run", "seq", "type", "time")
