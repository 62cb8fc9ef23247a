from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "caseassess.assessments"
    label = "assessments"

    def ready(self) -> None:
        from caseassess.assessments import kept  # noqa: F401 - connects the sign-in signal
