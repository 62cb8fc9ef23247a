from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "caseassess.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
