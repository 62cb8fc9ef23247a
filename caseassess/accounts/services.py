"""Writes on accounts: create, invite, change role, deactivate, reset two-factor, unlock.

Every change is audited (who, what, old and new value). Accounts are never deleted: the
audit trail keeps the person's name. Pages (views_users.py) and commands (create_user,
deactivate_user, reset_two_factor, setup_site) call these and nothing else."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseassess.accounts.models import Invitation, User
from caseassess.accounts.roles import ADMINISTRATOR, account_role_label, account_role_values, default_account_role
from caseassess.audit.services import audit_record

INVITATION_DAYS = 7


class AccountError(Exception):
    """A refused change, with the form field it concerns (for the error summary)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class IssuedLink:
    user: User
    path: str  # /account/welcome/<token>/ — shown once, never stored
    expires_at: dt.datetime

    def url(self, base: str) -> str:
        return base.rstrip("/") + self.path


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "CASEASSESS_INVITATION_DAYS", INVITATION_DAYS)))


def clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise AccountError("Enter a username", "username")
    if len(username) > 150 or not all(ch.isalnum() or ch in "@.+-_" for ch in username):
        raise AccountError("Username must be 150 characters or fewer: letters, digits and @ . + - _ only", "username")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"The username {username} is already taken: choose another", "username")
    return username


def clean_email(email: str) -> str:
    from django.core.validators import validate_email

    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise AccountError("Enter an email address in the correct format, like name@example.gov.uk", "email") from None
    return email


def clean_role(role: str) -> str:
    if role not in account_role_values():
        raise AccountError("Select the account's role", "role")
    return role


def invitation_issue(*, user: User, actor: Any, purpose: str = Invitation.Purpose.INVITE) -> IssuedLink:
    """A new one-time link for ``user``; any earlier unused link stops working."""
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + _lifetime()
    with transaction.atomic():
        Invitation.objects.filter(user=user, used_at__isnull=True).delete()
        Invitation.objects.create(
            user=user, token_hash=_hash(token), purpose=purpose, created_by=actor if getattr(actor, "pk", None) else None, expires_at=expires
        )
        audit_record(actor=actor, action="invitation_issue", entity="user", entity_id=user.pk, new={"username": user.username, "expires": expires.isoformat()})
    return IssuedLink(user=user, path=reverse("accounts:welcome", kwargs={"token": token}), expires_at=expires)


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation behind a link, if it is unused, unexpired and its account active."""
    if not token or len(token) > 100:
        return None
    inv = Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if inv is None or inv.used_at is not None or inv.expires_at <= timezone.now() or not inv.user.is_active:
        return None
    return inv


def invitation_accept(*, invitation: Invitation, password: str, confirm: str) -> User:
    """Sets the password (NCSC validators) and spends the link; the person then enrols
    their authenticator at the two-factor set-up page."""
    if not password:
        raise AccountError("Enter a password", "password")
    if password != confirm:
        raise AccountError("The passwords do not match: type the same password twice", "confirm")
    user = invitation.user
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages).replace("This password", "Your password"), "password") from None
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            raise AccountError("This link has already been used. Ask your administrator for a new one", "password")
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        user.set_password(password)
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(actor=user, action="invitation_accept", entity="user", entity_id=user.pk)
    return user


def user_create(*, actor: Any, username: str, email: str = "", role: str = "", first_name: str = "", last_name: str = "") -> IssuedLink:
    """A new account with no password: the person sets one through the returned link."""
    username = clean_username(username)
    email = clean_email(email)
    role = clean_role(role or default_account_role())
    first_name, last_name = (first_name or "").strip()[:150], (last_name or "").strip()[:150]
    with transaction.atomic():
        user = User(username=username, email=email, role=role, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
        audit_record(
            actor=actor, action="user_create", entity="user", entity_id=user.pk,
            new={"username": username, "email": email, "role": account_role_label(role), "name": user.get_full_name()},
        )
        return invitation_issue(user=user, actor=actor)


def _other_active_admins(user: User) -> bool:
    return User.objects.filter(role=ADMINISTRATOR, is_active=True).exclude(pk=user.pk).exists()


def user_set_role(*, actor: Any, user: User, role: str) -> None:
    role = clean_role(role)
    if role == user.role:
        return
    if user.role == ADMINISTRATOR and not _other_active_admins(user):
        raise AccountError("This is the only active administrator: make someone else an administrator first", "role")
    with transaction.atomic():
        old = user.role
        user.role = role
        user.save(update_fields=["role"])
        audit_record(actor=actor, action="user_role", entity="user", entity_id=user.pk, field="role",
                     old=account_role_label(old), new=account_role_label(role))


def user_deactivate(*, actor: Any, user: User) -> bool:
    """Never a delete: the account stays (and its name in the audit trail) but cannot sign
    in; its open sessions end at their next request, its unused links stop working."""
    if not user.is_active:
        return False
    if getattr(actor, "pk", None) == user.pk:
        raise AccountError("You cannot deactivate your own account", "user")
    if user.role == ADMINISTRATOR and not _other_active_admins(user):
        raise AccountError("This is the only active administrator: make someone else an administrator first", "user")
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        Invitation.objects.filter(user=user, used_at__isnull=True).delete()
        audit_record(actor=actor, action="user_deactivate", entity="user", entity_id=user.pk, field="active", old=True, new=False)
    return True


def user_reactivate(*, actor: Any, user: User) -> bool:
    if user.is_active:
        return False
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="user_reactivate", entity="user", entity_id=user.pk, field="active", old=False, new=True)
    return True


def user_reset_two_factor(*, actor: Any, user: User) -> IssuedLink:
    """Removes the person's authenticator and password and issues a one-time link to set
    both again: a password alone must never be enough to enrol a new authenticator."""
    if not user.is_active:
        raise AccountError("This account is deactivated: reactivate it first", "user")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="two_factor_reset", entity="user", entity_id=user.pk, old={"authenticators": removed}, new={"authenticators": 0})
        return invitation_issue(user=user, actor=actor, purpose=Invitation.Purpose.RESET_TWO_FACTOR)


def user_locked(*, user: User) -> bool:
    """Too many failed sign-ins (django-axes) within the cool-off period."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).exists()


def user_unlock(*, actor: Any, user: User) -> int:
    from axes.utils import reset

    with transaction.atomic():
        removed = reset(username=user.username)
        audit_record(actor=actor, action="user_unlock", entity="user", entity_id=user.pk, old={"failed_attempt_records": removed})
    return removed
