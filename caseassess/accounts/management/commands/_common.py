"""Shared by the account commands: find an account, print a one-time link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from caseassess.accounts.models import User
from caseassess.accounts.services import IssuedLink
from caseassess.govuk.jinja import dt


def user_named(username: str) -> User:
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise CommandError(f"There is no account with the username {username!r}")
    return user


def print_link(out: Any, link: IssuedLink, site_url: str | None) -> None:
    base = site_url or settings.SITE_URL
    out.write(f"One-time link for {link.user.username} (expires {dt(link.expires_at)}):")
    out.write(f"  {link.url(base)}")
    out.write("It sets a password and the authenticator app; it works once. Pass it on privately.")
