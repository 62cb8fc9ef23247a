from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not settings.CASEASSESS_REQUIRE_2FA:
        return [
            Warning(
                "Two-factor sign-in is switched off (CASEASSESS_REQUIRE_2FA=0).",
                hint="Production must require a TOTP code: unset CASEASSESS_REQUIRE_2FA or set it to 1.",
                id="accounts.W001",
            )
        ]
    return []
