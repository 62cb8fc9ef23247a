from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caseassess.accounts"
    label = "accounts"

    def ready(self) -> None:
        import time

        from django.contrib.auth.signals import user_logged_in

        from caseassess.accounts import checks  # noqa: F401 - registers the deploy check

        def stamp_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            # The absolute session limit counts from here (SessionLimitMiddleware).
            if request is not None and hasattr(request, "session"):
                request.session["signed_in_at"] = int(time.time())

        user_logged_in.connect(stamp_sign_in, weak=False, dispatch_uid="caseassess_stamp_sign_in")
