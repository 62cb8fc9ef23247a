from django.urls import include, path

urlpatterns = [
    path("", include("caseassess.inspections.urls")),
    path("account/", include("caseassess.accounts.urls")),
    path("instruments/", include("caseassess.instruments.urls")),
    path("", include("caseassess.assessments.urls")),
    path("findings/", include("caseassess.reporting.urls")),
    path("sampling/", include("caseassess.sampling.urls")),
    path("jobs/", include("caseassess.jobs.urls")),
]
