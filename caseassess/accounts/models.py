from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ASSESSOR = "assessor", "Assessor"
    LEAD_INSPECTOR = "lead_inspector", "Lead inspector"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ASSESSOR)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def is_lead(self) -> bool:
        return self.role in (Role.LEAD_INSPECTOR, Role.ADMINISTRATOR)

    @property
    def is_analyst(self) -> bool:
        return self.role in (Role.ANALYST, Role.ADMINISTRATOR, Role.LEAD_INSPECTOR)
