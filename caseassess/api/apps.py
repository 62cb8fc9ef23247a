from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "caseassess.api"
    label = "api"
    verbose_name = "API"
