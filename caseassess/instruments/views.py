from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from caseassess.instruments.models import InstrumentVersion
from caseassess.instruments.selectors import instrument_get, instrument_latest, rating_scheme_for


def _crumbs(version: InstrumentVersion | None = None) -> list[dict[str, str]]:
    items = [{"text": "Instrument versions", "href": "/instruments/"}]
    if version:
        items.append({"text": version.title, "href": f"/instruments/{version.instrument_id}/"})
    return items


@login_required
def index(request: HttpRequest) -> HttpResponse:
    versions = list(InstrumentVersion.objects.all())
    if len(versions) == 1:
        return redirect("instruments:browse", instrument_id=versions[0].instrument_id)
    return render(
        request,
        "instruments/index.html",
        {"title": "Instrument versions", "versions": versions, "latest": instrument_latest(), "section_nav": "instrument"},
    )


@login_required
def browse(request: HttpRequest, instrument_id: str) -> HttpResponse:
    version = get_object_or_404(InstrumentVersion, instrument_id=instrument_id)
    ins = instrument_get(version=version)
    return render(
        request,
        "instruments/browse.html",
        {
            "title": version.title,
            "version": version,
            "ins": ins,
            "scheme": (found[1] if (found := rating_scheme_for(version=version)) else None),
            "breadcrumbs": _crumbs()[:1],
            "section_nav": "instrument",
        },
    )


@login_required
def case_details(request: HttpRequest, instrument_id: str) -> HttpResponse:
    version = get_object_or_404(InstrumentVersion, instrument_id=instrument_id)
    ins = instrument_get(version=version)
    return render(
        request,
        "instruments/case_details.html",
        {"title": "View 0: case details", "version": version, "ins": ins, "breadcrumbs": _crumbs(version), "section_nav": "instrument"},
    )


@login_required
def section(request: HttpRequest, instrument_id: str, section_id: str) -> HttpResponse:
    version = get_object_or_404(InstrumentVersion, instrument_id=instrument_id)
    ins = instrument_get(version=version)
    sec = next((s for s in ins.sections() if s.id == section_id), None)
    if sec is None:
        raise Http404("No such section")
    rules = [r for r in ins.consistency_rules if any(q.id in r.questions for q in sec.questions)]
    return render(
        request,
        "instruments/section.html",
        {
            "title": f"{sec.id} {sec.title}",
            "version": version,
            "ins": ins,
            "sec": sec,
            "rules": rules,
            "breadcrumbs": _crumbs(version),
            "section_nav": "instrument",
        },
    )


@login_required
def table(request: HttpRequest, instrument_id: str, table_id: str) -> HttpResponse:
    version = get_object_or_404(InstrumentVersion, instrument_id=instrument_id)
    ins = instrument_get(version=version)
    try:
        tbl = ins.table(table_id)
    except KeyError:
        raise Http404("No such table") from None
    # The tiering grid is laid out as the guide's Appendix 2 prints it: a question per row,
    # ticks under T1-T4; every other table as its rows and columns, in words.
    template = "instruments/tiering_grid.html" if tbl.id == "tiering_grid" else "instruments/table.html"
    columns = [c for c in tbl.columns if c != "id"]
    return render(
        request,
        template,
        {"title": tbl.title, "version": version, "tbl": tbl, "columns": columns, "breadcrumbs": _crumbs(version), "section_nav": "instrument"},
    )


@login_required
def search(request: HttpRequest, instrument_id: str) -> HttpResponse:
    version = get_object_or_404(InstrumentVersion, instrument_id=instrument_id)
    ins = instrument_get(version=version)
    query = (request.GET.get("q") or "").strip()[:200]
    hits = []
    if query:
        words = [w.lower() for w in query.split()]
        for sec in ins.sections():
            for q in sec.questions:
                hay = " ".join([q.id, q.criterion or "", q.text, q.quick_indicator or "", q.guidance or ""]).lower()
                if all(w in hay for w in words):
                    in_text = all(w in (q.id + " " + q.text).lower() for w in words)
                    hits.append({"q": q, "sec": sec, "in_text": in_text})
        hits.sort(key=lambda h: not h["in_text"])
    return render(
        request,
        "instruments/search.html",
        {
            "title": f"Search results for ‘{query}’" if query else "Search the guide",
            "version": version,
            "query": query,
            "hits": hits,
            "breadcrumbs": _crumbs(version),
            "section_nav": "instrument",
        },
    )


@login_required
def ratings(request: HttpRequest, instrument_id: str) -> HttpResponse:
    version = get_object_or_404(InstrumentVersion, instrument_id=instrument_id)
    found = rating_scheme_for(version=version)
    if found is None:
        raise Http404("This instrument version has no rating scheme")
    row, scheme = found
    ins = instrument_get(version=version)
    return render(
        request,
        "instruments/ratings.html",
        {
            "title": scheme.title,
            "version": version,
            "scheme": scheme,
            "effective": f"{row.effective_from.day} {row.effective_from:%B %Y}",
            "score_titles": {s.id: s.title for _, s in ins.all_scores()},
            "top": max(b.score for b in scheme.bands) * len(scheme.units),
            "breadcrumbs": _crumbs(version),
            "section_nav": "instrument",
        },
    )
