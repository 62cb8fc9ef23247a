"""Instrument versions from the browser (administrators): upload a zip of the directory or
its files, see every problem with its file and line (nothing stored), review the difference
from the previous version, publish it for new inspections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from caseassess.instruments import upload
from caseassess.instruments.models import InstrumentVersion
from caseassess.instruments.selectors import instrument_get
from caseassess_core.instrument.diff import instrument_diff

MAX_REQUEST_FILES = 50


def _require_admin(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) != "administrator":
        raise Http404("Not found")


def _crumbs() -> list[dict[str, str]]:
    return [{"text": "Inspections", "href": reverse("inspections:home")}, {"text": "Instrument versions", "href": reverse("instruments:versions")}]


@login_required
@require_http_methods(["GET", "POST"])
def versions(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    problems: list[upload.Problem] = []
    if request.method == "POST":
        chosen = request.FILES.getlist("files")[:MAX_REQUEST_FILES + 1]
        if len(chosen) > MAX_REQUEST_FILES:
            problems = [upload.Problem("upload", None, "", f"choose at most {MAX_REQUEST_FILES} files, or a zip")]
        else:
            files = [(f.name or "file", f.read(upload.MAX_TOTAL_BYTES + 1)) for f in chosen]
            try:
                outcome = upload.instrument_upload(actor=request.user, files=files)
            except upload.UploadProblem as exc:
                problems = exc.problems
            else:
                v = outcome.version
                if outcome.created:
                    messages.success(request, f"{v.title} ({v.instrument_id}) loaded. Review the changes, then publish it.")
                else:
                    messages.success(request, f"{v.instrument_id} is already loaded with the same content; nothing changed")
                return redirect("instruments:version_review", pk=v.pk)
    rows = InstrumentVersion.objects.defer("definition").annotate(in_use=Count("inspections")).order_by("-loaded_at")
    return render(request, "instruments/versions.html", {
        "title": "Instrument versions", "versions": rows, "problems": problems, "form_has_errors": bool(problems),
        "limits": {"file": upload._mb(upload.MAX_FILE_BYTES), "total": upload._mb(upload.MAX_TOTAL_BYTES)},
        "breadcrumbs": _crumbs()[:1], "section_nav": "inspections",
    }, status=400 if problems else 200)


def _previous(version: InstrumentVersion) -> InstrumentVersion | None:
    return (InstrumentVersion.objects.exclude(pk=version.pk).filter(loaded_at__lte=version.loaded_at)
            .order_by("-loaded_at", "-pk").first()) or InstrumentVersion.objects.exclude(pk=version.pk).order_by("-loaded_at").first()


@login_required
def version_review(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    version = InstrumentVersion.objects.filter(pk=pk).first()
    if version is None:
        raise Http404("No such instrument version")
    others = list(InstrumentVersion.objects.exclude(pk=pk).defer("definition").order_by("-loaded_at"))
    against = next((o for o in others if str(o.pk) == request.GET.get("compare", "")), None) or _previous(version)
    diff = instrument_diff(instrument_get(version=against), instrument_get(version=version)) if against else None
    return render(request, "instruments/version_review.html", {
        "title": f"Review {version.title} ({version.instrument_id})", "version": version, "against": against, "others": others,
        "diff": diff, "in_use": version.inspections.count(), "breadcrumbs": _crumbs(), "section_nav": "inspections",
    })


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    version = InstrumentVersion.objects.filter(pk=pk).first()
    if version is None:
        raise Http404("No such instrument version")
    if upload.instrument_publish(actor=request.user, version=version):
        messages.success(request, f"{version.instrument_id} is published: it can be chosen for new inspections")
    return redirect("instruments:versions")
