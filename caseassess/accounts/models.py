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
