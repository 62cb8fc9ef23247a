"""Append-only, hash-chained audit trail (docs/security.md). Rows are never updated or
deleted by the application; the database refuses UPDATE and DELETE as well (triggers,
migrations 0002 and 0003), and each row carries a hash chained to the row before it
(``caseassess.audit.chain``), so a changed or deleted row is detected by ``verify_audit``."""

from typing import Any

from django.conf import settings
from django.db import models, router, transaction

from caseassess.audit.chain import chain_new_rows, now_ms, settle_deferred_checks


class AppendOnlyError(Exception):
    pass


class _ChainedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        objs = list(objs)
        db = self.db
        with transaction.atomic(using=db):
            settle_deferred_checks(db)
            chain_new_rows(self.model, objs, db)
            return super().bulk_create(objs, *args, **kwargs)


class _AppendOnly(models.Model):
    prev_hash = models.CharField(max_length=64, default="", editable=False)
    row_hash = models.CharField(max_length=64, default="", editable=False, db_index=True)

    objects = _ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed")
        db = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=db):
            chain_new_rows(type(self), [self], db)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")
class AuditEvent(_AppendOnly):
    at = models.DateTimeField(default=now_ms, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    entity = models.CharField(max_length=40)
    entity_id = models.CharField(max_length=64, blank=True)
    inspection_id = models.BigIntegerField(null=True, db_index=True)
    case_id = models.BigIntegerField(null=True, db_index=True)
    field = models.CharField(max_length=64, blank=True)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)

    class Meta:
        ordering = ["-at", "-id"]


class AccessLog(_AppendOnly):
    """Every consultation of a case record and every export (data protection law)."""

    at = models.DateTimeField(default=now_ms, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)  # case_view | export | report_view | refused (a 404 on an id route)
    case_id = models.BigIntegerField(null=True, db_index=True)
    inspection_id = models.BigIntegerField(null=True)
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
