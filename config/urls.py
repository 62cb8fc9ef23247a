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

# GOV.UK-styled error pages, also with DJANGO_DEBUG unset (caseassess/govuk/errors.py);
# a busy database answers 503 "try again" (caseassess/govuk/busy.py).
handler400 = "caseassess.govuk.errors.bad_request"
handler403 = "caseassess.govuk.errors.permission_denied"
handler404 = "caseassess.govuk.errors.page_not_found"
handler500 = "caseassess.govuk.errors.server_error"
