"""Set-up pages: programmes and areas (administrators), inspections, their teams and
closing (administrators and the inspection's lead inspectors). Thin: authorise, parse the
form, call a service in ``setup``; on any error the page comes back with the error summary,
the field marked and nothing saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseassess.accounts.models import Role, User
from caseassess.inspections import setup
from caseassess.inspections.models import Area, MembershipRole, Programme
from caseassess.inspections.permissions import inspection_for_lead, programmes_for_new_inspections
from caseassess.inspections.setup_forms import AreaForm, InspectionForm, MemberForm, ProgrammeForm
from caseassess.instruments.models import InstrumentVersion


def _require_admin(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) != Role.ADMINISTRATOR:
        raise Http404("Not found")


def _crumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    return [{"text": "Inspections", "href": reverse("inspections:home")}] + [{"text": t, "href": h} for t, h in extra]


def _page(request: HttpRequest, template: str, ctx: dict[str, Any], form: Any = None) -> HttpResponse:
    bad = bool(form is not None and form.errors)
    ctx.setdefault("section_nav", "inspections")
    ctx["form_has_errors"] = bad
    return render(request, template, ctx, status=400 if bad else 200)


def _apply(form: Any, exc: setup.SetupError) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


# ------------------------------------------------------------------ programmes


@login_required
def programmes(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    rows = Programme.objects.order_by("name").prefetch_related("instruments")
    return _page(request, "inspections/programmes.html", {"title": "Programmes", "programmes": rows, "breadcrumbs": _crumbs()})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    programme = None
    initial: dict[str, Any] = {}
    if pk is not None:
        programme = Programme.objects.filter(pk=pk).first()
        if programme is None:
            raise Http404("No such programme")
        initial = {
            "name": programme.name, "description": programme.description,
            "period_start": programme.period_start.isoformat() if programme.period_start else "",
            "period_end": programme.period_end.isoformat() if programme.period_end else "",
            "retention_date": programme.retention_date.isoformat() if programme.retention_date else "",
        }
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = setup.programme_save(
                actor=request.user, programme=programme, name=d["name"], description=d["description"],
                period_start=d["period_start"], period_end=d["period_end"], instruments=list(d["instruments"]),
                retention_date=d["retention_date"],
            )
        except setup.SetupError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Programme {saved.name} {'saved' if programme else 'created'}")
            return redirect("inspections:programmes")
    chosen = request.POST.getlist("instruments") if request.method == "POST" else [str(i) for i in (programme.instruments.values_list("pk", flat=True) if programme else [])]
    versions = [(v.pk, f"{v.title} ({v.instrument_id}){'' if v.published else ' – not published'}") for v in InstrumentVersion.objects.order_by("-effective_from", "instrument_id")]
    title = f"Change {programme.name}" if programme else "Create a programme"
    return _page(request, "inspections/programme_form.html", {
        "title": title, "form": form, "programme": programme, "versions": versions, "chosen": chosen,
        "breadcrumbs": _crumbs(("Programmes", reverse("inspections:programmes"))),
    }, form)


# ------------------------------------------------------------------ areas


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    rows = Area.objects.order_by("name").prefetch_related("leads")
    return _page(request, "inspections/areas.html", {"title": "Areas", "areas": rows, "breadcrumbs": _crumbs()})


def _users_named(form: AreaForm) -> list[User] | None:
    names = form.lead_usernames()
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        form.add_error("leads", f"There is no account called {', '.join(missing)}: an administrator creates it first")
        return None
    return [found[n] for n in names]


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    area = None
    initial: dict[str, Any] = {}
    if pk is not None:
        area = Area.objects.filter(pk=pk).first()
        if area is None:
            raise Http404("No such area")
        initial = {"name": area.name, "description": area.description, "leads": ", ".join(area.leads.order_by("username").values_list("username", flat=True))}
    form = AreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        leads = _users_named(form)
        if leads is not None:
            try:
                saved = setup.area_save(actor=request.user, area=area, name=form.cleaned_data["name"], description=form.cleaned_data["description"], leads=leads)
            except setup.SetupError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"Area {saved.name} {'saved' if area else 'created'}")
                return redirect("inspections:areas")
    return _page(request, "inspections/area_form.html", {
        "title": f"Change {area.name}" if area else "Create an area", "form": form, "area": area,
        "breadcrumbs": _crumbs(("Areas", reverse("inspections:areas"))),
    }, form)


# ------------------------------------------------------------------ inspections


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    """Administrators create inspections in any programme; a lead inspector in the programmes
    where they already lead one. Only those programmes are listed, and a programme outside
    them is answered exactly like a choice that does not exist."""
    allowed = programmes_for_new_inspections(request.user)
    if not allowed.exists():
        raise Http404("Not found")
    form = InspectionForm(request.POST or None, programmes=allowed)
    is_admin = request.user.role == Role.ADMINISTRATOR
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        lead: User | None = request.user  # type: ignore[assignment]
        if is_admin:
            lead = User.objects.filter(username=(d["lead"] or "").strip()).first() if d["lead"] else None
            if lead is None:
                form.add_error("lead", "Enter the username of the lead inspector" if not d["lead"] else f"There is no account called {d['lead'].strip()}: create it first")
        if not form.errors:
            try:
                inspection = setup.inspection_save(
                    actor=request.user, programme=d["programme"], name=d["name"], area=d["area"], topic=d["topic"],
                    fieldwork_start=d["fieldwork_start"], fieldwork_end=d["fieldwork_end"], instrument=d["instrument"], lead=lead,
                )
            except setup.SetupError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"Inspection {inspection.name} created")
                return redirect("inspections:detail", pk=inspection.pk)
    return _inspection_page(request, form, None, is_admin=is_admin, programmes=allowed)


def _inspection_page(request: HttpRequest, form: InspectionForm, inspection: Any, *, is_admin: bool, programmes: Any = None) -> HttpResponse:
    crumbs = _crumbs((inspection.name, reverse("inspections:detail", args=[inspection.pk]))) if inspection else _crumbs()
    return _page(request, "inspections/create.html", {
        "title": f"Change {inspection.name}" if inspection else "Create an inspection", "form": form, "inspection": inspection,
        "programmes": [(p.pk, p.name + (f" ({setup._day(p.period_start)} to {setup._day(p.period_end)})" if p.period_start else "")) for p in (programmes or [])],
        "areas": [(a.pk, a.name) for a in Area.objects.order_by("name")],
        "instruments": [(v.pk, f"{v.title} ({v.instrument_id})") for v in InstrumentVersion.objects.filter(published=True)],
        "ask_lead": is_admin and inspection is None, "breadcrumbs": crumbs,
    }, form)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_for_lead(request.user, pk)
    initial = {
        "name": inspection.name, "area": inspection.area_id, "topic": inspection.topic, "instrument": inspection.instrument_id,
        "fieldwork_start": inspection.fieldwork_start.isoformat(), "fieldwork_end": inspection.fieldwork_end.isoformat(),
    }
    form = InspectionForm(request.POST or None, initial=initial, programmes=Programme.objects.none(), editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            setup.inspection_save(
                actor=request.user, inspection=inspection, programme=inspection.programme, name=d["name"], area=d["area"], topic=d["topic"],
                fieldwork_start=d["fieldwork_start"], fieldwork_end=d["fieldwork_end"], instrument=d["instrument"],
            )
        except setup.SetupError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Inspection {inspection.name} saved")
            return redirect("inspections:detail", pk=inspection.pk)
    return _inspection_page(request, form, inspection, is_admin=False)


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_for_lead(request.user, pk)
    if request.method == "POST" and request.POST.get("remove"):
        return _member_remove(request, inspection)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = setup.member_for_username(inspection=inspection, username=form.cleaned_data["username"])
            changed = setup.membership_set(actor=request.user, inspection=inspection, user=user, role=form.cleaned_data["role"])
        except setup.SetupError as exc:
            _apply(form, exc)
        else:
            label = MembershipRole(form.cleaned_data["role"]).label
            messages.success(request, f"{user.username} is {label.lower()} on {inspection.name}" if changed else f"{user.username} already has that role")
            return redirect("inspections:members", pk=inspection.pk)
    rows = list(inspection.memberships.select_related("user").order_by("user__username"))
    return _page(request, "inspections/members.html", {
        "title": f"Team – {inspection.name}", "inspection": inspection, "form": form, "rows": rows,
        "roles": MembershipRole.choices,
        "breadcrumbs": _crumbs((inspection.name, reverse("inspections:detail", args=[inspection.pk]))),
    }, form)


def _member_remove(request: HttpRequest, inspection: Any) -> HttpResponse:
    username = request.POST.get("remove", "")
    try:
        user = setup.member_for_username(inspection=inspection, username=username)
        setup.membership_remove(actor=request.user, inspection=inspection, user=user)
    except setup.SetupError as exc:
        messages.error(request, "; ".join(exc.errors.values()))
    else:
        messages.success(request, f"{user.username} is no longer on the team of {inspection.name}")
    return redirect("inspections:members", pk=inspection.pk)


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_for_lead(request.user, pk)
    if request.method == "POST":
        if setup.inspection_close(actor=request.user, inspection=inspection):
            messages.success(request, f"Inspection {inspection.name} closed")
        return redirect("inspections:detail", pk=inspection.pk)
    return _page(request, "inspections/close.html", {
        "title": f"Close {inspection.name}", "inspection": inspection,
        "breadcrumbs": _crumbs((inspection.name, reverse("inspections:detail", args=[inspection.pk]))),
    })


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators only: a closed inspection made changeable again (confirmation first)."""
    _require_admin(request)
    inspection = inspection_for_lead(request.user, pk)
    if request.method == "POST":
        if setup.inspection_reopen(actor=request.user, inspection=inspection):
            messages.success(request, f"Inspection {inspection.name} reopened: its assessments can be changed again")
        return redirect("inspections:detail", pk=inspection.pk)
    return _page(request, "inspections/reopen.html", {
        "title": f"Reopen {inspection.name}", "inspection": inspection,
        "breadcrumbs": _crumbs((inspection.name, reverse("inspections:detail", args=[inspection.pk]))),
    })
