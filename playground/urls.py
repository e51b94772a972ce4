from django.contrib import admin
from django.urls import path

from playground import health, openapi
from playground.datasets import views as datasets
from playground.runs import exports, pages, trying
from playground.runs import views as runs

urlpatterns = [
    path("", pages.build, name="build"),
    path("runs/<str:run_id>/", pages.run_page, name="run"),
    path("compare/", pages.compare, name="compare"),
    path("api/health", health.health),
    path("api/openapi.json", openapi.openapi),
    path("api/datasets", datasets.datasets),
    path("api/datasets/<str:dataset_id>", datasets.dataset_detail),
    path("api/runs", runs.create_run),
    path("api/runs/check", runs.check_spec),
    path("api/runs/<str:run_id>", runs.run_detail),
    path("api/runs/<str:run_id>/events", runs.run_events),
    path("api/runs/<str:run_id>/cancel", runs.cancel_run),
    path("api/runs/<str:run_id>/export/<str:what>", exports.export),
    path("api/runs/<str:run_id>/predict", trying.predict),
    path("admin/", admin.site.urls),
]

handler404 = "playground.api.not_found"
handler500 = "playground.api.server_error"
