"""Personal API tokens: made, checked and revoked here, every change audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from caseassess.api.models import ApiToken, Scope
from caseassess.audit.services import audit_record

TOKEN_PREFIX = "ca_"  # noqa: S105 - the public start of every token, not a secret
EXPIRY_DAYS = (30, 90, 365)


class TokenError(ValueError):
    pass


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: Any, name: str, scopes: Sequence[str], days: int) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once). The secret is ``ca_<prefix>_<random>``."""
    name = name.strip()
    if not name:
        raise TokenError("Enter a name for the token, so that you can tell your tokens apart")
    if len(name) > 80:
        raise TokenError("The name must be 80 characters or fewer")
    bad = [s for s in scopes if s not in Scope.values]
    if bad or not scopes:
        raise TokenError("Choose what the token may do")
    if days not in EXPIRY_DAYS:
        raise TokenError("Choose when the token expires")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, digest=_digest(secret), scopes=sorted(set(scopes)),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit_record(actor=user, action="create_api_token", entity="api_token", entity_id=token.pk,
                     new={"name": name, "scopes": token.scopes, "expires": token.expires_at.date().isoformat()})
    return token, secret


def token_revoke(*, token: ApiToken, actor: Any) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="revoke_api_token", entity="api_token", entity_id=token.pk, old=token.name)


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token for ``secret``, or ``None`` (unknown, wrong, expired or revoked)."""
    if not secret.startswith(TOKEN_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(TOKEN_PREFIX):].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def rate_limited(token: ApiToken, *, per_minute: int) -> bool:
    """A fixed one-minute window per token in the cache (shared by all web processes when the
    cache is; see docs/api.md)."""
    key = f"api-rate:{token.pk}:{int(timezone.now().timestamp() // 60)}"
    if cache.add(key, 1, timeout=70):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=70)
        return False
    return count > per_minute
