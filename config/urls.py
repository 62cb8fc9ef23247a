from django.urls import include, path

from caseassess.api.api import api

urlpatterns = [
    path("", include("caseassess.inspections.urls")),
    path("account/", include("caseassess.accounts.urls")),
    path("instruments/", include("caseassess.instruments.urls")),
    path("", include("caseassess.assessments.urls")),
    path("findings/", include("caseassess.reporting.urls")),
    path("sampling/", include("caseassess.sampling.urls")),
    path("account/api-tokens/", include("caseassess.api.urls")),
    path("api/v1/", api.urls),
]
