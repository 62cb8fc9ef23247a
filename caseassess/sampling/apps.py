from django.apps import AppConfig


class SamplingConfig(AppConfig):
    name = "caseassess.sampling"
    label = "sampling"
    verbose_name = "Sampling and quality assurance"
