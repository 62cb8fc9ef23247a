"""Jinja2 environment: GOV.UK Frontend macros (govuk-frontend-jinja) plus our helpers."""

from __future__ import annotations

import contextlib
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
    return env
