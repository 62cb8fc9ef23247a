from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """The account's role. Only administrator and analyst are global: what an inspector does
    on an inspection (lead inspector, assessor) is the role of their membership of that
    inspection (``caseassess.inspections.models.Membership``)."""

    INSPECTOR = "inspector", "Inspector"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INSPECTOR)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_analyst_account(self) -> bool:
        """An analyst account sees aggregate findings only, whatever its memberships say."""
        return self.role == Role.ANALYST
