from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "caseassess.inspections"
    label = "inspections"
