"""Jinja2 environment: GOV.UK Frontend macros (govuk-frontend-jinja) plus our helpers."""

from __future__ import annotations

import contextlib
import datetime
import re
import time
from typing import Any

import markdown as md
import nh3
from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import localtime
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from caseassess_core.instrument.text import people_text
from caseassess_core.rules.base import label


def markdown_filter(text: str | None) -> Markup:
    """Guidance is Markdown from instrument files: render, then sanitise."""
    if not text:
        return Markup("")
    html = md.markdown(text, extensions=["sane_lists"])
    html = html.replace("<p>", '<p class="govuk-body">').replace("<ul>", '<ul class="govuk-list govuk-list--bullet">')
    html = html.replace("<ol>", '<ol class="govuk-list govuk-list--number">')
    return Markup(nh3.clean(html, attributes={"p": {"class"}, "ul": {"class"}, "ol": {"class"}}))  # noqa: S704


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def dt(value: Any, fmt: str = "%-d %B %Y %H:%M") -> str:
    if value is None:
        return ""
    with contextlib.suppress(ValueError, AttributeError):
        value = localtime(value)
    return value.strftime(fmt)


def date_filter(value: Any) -> str:
    """A date as people write it: "26 March 2011". Accepts a date, a datetime (shown in local
    time) or an ISO string such as "2011-03-26" (case-detail dates are stored that way);
    anything else is shown unchanged."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        with contextlib.suppress(ValueError):
            value = localtime(value)
    if isinstance(value, datetime.date):
        return f"{value.day} {value.strftime('%B %Y')}"
    return str(value)


def datetime_filter(value: Any) -> str:
    """A moment as people write it: "26 March 2011 at 14:05"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        with contextlib.suppress(ValueError):
            value = localtime(value)
        return f"{date_filter(value)} at {value.strftime('%H:%M')}"
    return date_filter(value)


_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def words_filter(value: Any) -> str:
    """A data value in words: ``tier_3`` -> "Tier 3", ``very_high`` -> "very high", a list
    joined with commas; other text unchanged."""
    if isinstance(value, list | tuple):
        return ", ".join(words_filter(v) for v in value)
    text = str(value)
    return label(text) if _CODE.match(text) else text


SESSION_WARNING_SECONDS = 3 * 60


def session_timeout(request: Any) -> dict[str, Any] | None:
    """Numbers for the "you will be signed out soon" dialog (static/caseassess/session-timeout.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    started = request.session.get("signed_in_at")
    remaining = int(settings.SESSION_ABSOLUTE_SECONDS - (time.time() - started)) if isinstance(started, int) else ""
    return {
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "absolute_remaining_seconds": remaining,
        "warn_seconds": SESSION_WARNING_SECONDS,
    }


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader(
        [options["loader"], PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    options.setdefault("autoescape", True)
    env = Environment(**options)  # noqa: S701 - autoescape is on
    env.globals.update(
        {"static": static, "url": url, "get_messages": get_messages, "session_timeout": session_timeout}
    )
    env.filters["markdown"] = markdown_filter
    env.filters["dt"] = dt
    env.filters["date"] = date_filter
    env.filters["datetime"] = datetime_filter
    env.filters["people_text"] = people_text
    env.filters["words"] = words_filter
    return env
