from django.conf import settings
from django.db import models

from caseassess.instruments.models import InstrumentVersion


class Programme(models.Model):
    """An inspection programme, e.g. "IAOW 2013–2017"."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="inspections")
    name = models.CharField(max_length=120, unique=True)
    area = models.CharField(max_length=120, help_text="Probation Trust or cluster of local delivery units")
    topic = models.CharField(max_length=120, blank=True, help_text="Six-monthly topic, e.g. protecting children")
    fieldwork_start = models.DateField()
    fieldwork_end = models.DateField()
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="inspections")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspections", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fieldwork_start", "name"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """An offender case record in the sample. Identified by a case reference, never a name.
    ``details`` holds the View 0 case details (ids from the instrument's case_details)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="cases")
    case_ref = models.CharField(max_length=40)
    details = models.JSONField(default=dict, blank=True)
    details_version = models.PositiveIntegerField(default=0)
    details_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_ref"]
        constraints = [models.UniqueConstraint(fields=["inspection", "case_ref"], name="unique_case_ref_per_inspection")]

    def __str__(self) -> str:
        return self.case_ref


class AreaSettings(models.Model):
    """Settings an area keeps across its inspections; ``area`` is the ``Inspection.area`` string.

    ``tiering_local_determination`` maps a row of the tiering grid left to local determination
    (``did_liap``, ``atr``, ``activity_requirement`` in the 2013 grid) to the tier the area ticks
    for it; a row not listed keeps the grid's default tick."""

    area = models.CharField(max_length=120, unique=True)
    tiering_local_determination = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "area settings"

    def __str__(self) -> str:
        return self.area
