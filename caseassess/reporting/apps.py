from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "caseassess.reporting"
    label = "reporting"
