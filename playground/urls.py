from django.contrib import admin
from django.urls import path

from playground import health, openapi
from playground.datasets import views as datasets
from playground.runs import exports, looking, pages, trying
from playground.runs import views as runs
from playground.workshops import pages as workshop_pages
from playground.workshops import views as workshops

urlpatterns = [
    path("", pages.build, name="build"),
    path("runs/<str:run_id>/", pages.run_page, name="run"),
    path("compare/", pages.compare, name="compare"),
    path("api/health", health.health),
    path("api/openapi.json", openapi.openapi),
    path("api/datasets", datasets.datasets),
    path("api/datasets/<str:dataset_id>", datasets.dataset_detail),
    path("api/uploads/<str:token>/progress", datasets.upload_progress),
    path("api/runs", runs.create_run),
    path("api/runs/check", runs.check_spec),
    path("api/runs/<str:run_id>", runs.run_detail),
    path("api/runs/<str:run_id>/events", runs.run_events),
    path("api/runs/<str:run_id>/cancel", runs.cancel_run),
    path("api/runs/<str:run_id>/checkpoints", runs.run_checkpoints),
    path("api/runs/<str:run_id>/export/<str:what>", exports.export),
    path("api/runs/<str:run_id>/predict", trying.predict),
    path("api/runs/<str:run_id>/look", looking.look),
    path("workshops/new", workshop_pages.new_workshop, name="new-workshop"),
    path("w/<str:code>/", workshop_pages.board_page, name="workshop"),
    path("w/<str:code>/instructor/", workshop_pages.instructor_page, name="instructor"),
    path("api/workshops", workshops.create_workshop),
    path("api/workshops/<str:code>", workshops.workshop_detail),
    path("api/workshops/<str:code>/join", workshops.join),
    path("api/workshops/<str:code>/stop", workshops.stop_run),
    path("api/workshops/<str:code>/spotlight", workshops.spotlight),
    path("api/workshops/<str:code>/preset", workshops.push_preset),
    path("api/workshops/<str:code>/close", workshops.close),
    path("api/workshops/<str:code>/results", workshops.results),
    path("admin/", admin.site.urls),
]

handler400 = "playground.api.bad_request"
handler404 = "playground.api.not_found"
handler500 = "playground.api.server_error"
