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


class Invitation(models.Model):
    """A one-time, expiring link to set a password and enrol two-factor sign-in: sent to a
    new account, and again after an administrator resets two-factor. Only the SHA-256 of
    the token is stored; the link is shown once, to whoever created it."""

    class Purpose(models.TextChoices):
        INVITE = "invite", "Invitation"
        RESET_TWO_FACTOR = "reset_two_factor", "Two-factor reset"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.INVITE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True)
