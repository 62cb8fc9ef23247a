from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "caseassess.assessments"
    label = "assessments"
