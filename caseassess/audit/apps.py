from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "caseassess.audit"
    label = "audit"
