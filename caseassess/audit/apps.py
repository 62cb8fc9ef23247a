from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AuditConfig(AppConfig):
    name = "caseassess.audit"
    label = "audit"

    def ready(self) -> None:
        from caseassess.audit.sqlite import register

        connection_created.connect(register, dispatch_uid="caseassess.audit.sqlite")
