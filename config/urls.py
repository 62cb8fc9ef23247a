from django.urls import include, path

from caseassess.api.api import api
from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("caseassess.inspections.urls")),
    path("account/", include("caseassess.accounts.urls")),
    path("instruments/", include("caseassess.instruments.urls")),
    path("", include("caseassess.assessments.urls")),
    path("findings/", include("caseassess.reporting.urls")),
    path("sampling/", include("caseassess.sampling.urls")),
    path("jobs/", include("caseassess.jobs.urls")),
    path("account/api-tokens/", include("caseassess.api.urls")),
    path("api/v1/", api.urls),
    path("audit/", include("caseassess.audit.urls")),
]

handler400 = "caseassess.govuk.busy.bad_request"  # a busy database answers 503 "try again"
handler500 = "caseassess.govuk.busy.server_error"
