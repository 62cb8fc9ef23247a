"""Jinja2 environment: GOV.UK Frontend macros (govuk-frontend-jinja) plus our helpers."""

from __future__ import annotations

import contextlib
from typing import Any

import markdown as md
import nh3
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


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader(
        [options["loader"], PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    options.setdefault("autoescape", True)
    env = Environment(**options)  # noqa: S701 - autoescape is on
    env.globals.update(
        {"static": static, "url": url, "get_messages": get_messages}
    )
    env.filters["markdown"] = markdown_filter
    env.filters["dt"] = dt
    return env
