from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caseassess.inspections.permissions import inspection_for, inspections_visible


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/index.html", {"title": "Findings", "inspections": inspections_visible(request.user), "section_nav": "findings"})


@login_required
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    insp = inspection_for(request.user, pk)
    return render(request, "reporting/index.html", {"title": f"Findings: {insp.name}", "inspections": [insp], "section_nav": "findings"})
