"""Append-only audit trail. Rows are never updated or deleted by the application;
on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE as well."""

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(_AppendOnly):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
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

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)  # case_view | export | report_view
    case_id = models.BigIntegerField(null=True, db_index=True)
    inspection_id = models.BigIntegerField(null=True)
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
