"""Shared parsing for the set-up commands: dates and refusals as one clear line."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from caseassess.inspections.setup import SetupError


def date_arg(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{what} must be a date like 2013-11-04, not {value!r}") from None


def refused(exc: SetupError) -> CommandError:
    return CommandError("; ".join(f"{field}: {message}" if field else message for field, message in exc.errors.items()))
