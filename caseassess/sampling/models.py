"""Sampling (caseload uploads, sample draws) and quality features (double assessment,
moderation, benchmark cases). Fields only; writes live in services.py / quality.py."""

from django.conf import settings
from django.db import models

from caseassess.assessments.models import Assessment
from caseassess.inspections.models import Case, Inspection


class CaseloadUpload(models.Model):
    """One uploaded caseload extract, stored whole as parsed rows (JSON), with who and when."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="caseload_uploads")
    filename = models.CharField(max_length=200, blank=True)
    rows = models.JSONField(default=list, help_text="Parsed CaseRecord rows (see caseassess_core.sampling.caseload)")
    row_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]


class SampleDraw(models.Model):
    """A seeded draw from one caseload upload under one design; ``result`` is the whole SampleResult."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="sample_draws")
    caseload = models.ForeignKey(CaseloadUpload, on_delete=models.PROTECT, related_name="draws")
    design = models.JSONField(default=dict)
    seed = models.BigIntegerField()
    result = models.JSONField(default=dict)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]


class DoubleAssessment(models.Model):
    """A case assessed twice, blind: ``first`` is the original (counting) assessment,
    ``second`` the second assessor's (counts=False). After moderation ``moderated`` is the
    third assessment, the only one that counts."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="double_assessment")
    first = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    moderated = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case__case_ref"]


class ModerationDecision(models.Model):
    """The agreed answer to one question where the two assessors differed, with the reason."""

    double = models.ForeignKey(DoubleAssessment, on_delete=models.CASCADE, related_name="decisions")
    question_id = models.CharField(max_length=20)
    first_value = models.JSONField(null=True)
    second_value = models.JSONField(null=True)
    agreed_value = models.JSONField(null=True)
    reason = models.TextField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["double", "question_id"], name="one_decision_per_question")]


class BenchmarkCase(models.Model):
    """A reference case: ``reference`` holds the agreed answers; new assessors' attempts are
    further assessments of the same case with counts=False."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="benchmark")
    reference = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
