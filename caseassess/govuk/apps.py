from django.apps import AppConfig


class GovukConfig(AppConfig):
    name = "caseassess.govuk"
    label = "govuk"
