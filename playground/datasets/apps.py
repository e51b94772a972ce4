from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "playground.datasets"
    label = "datasets"
