from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "caseassess.instruments"
    label = "instruments"
