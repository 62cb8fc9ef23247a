from django.conf import settings
from django.db import models

from caseassess.inspections.models import Case


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    SIGNED_OFF = "signed_off", "Signed off"


class Assessment(models.Model):
    """One assessor's assessment of a case. ``counts`` marks the assessment whose answers
    count in findings (the first assessment, or the moderated one in double assessment)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    counts = models.BooleanField(default=True)
    explanations = models.JSONField(default=dict, blank=True, help_text="Consistency rule id -> assessor's explanation")
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case__case_ref", "id"]
        indexes = [
            models.Index(fields=["counts", "status"]),
            # Covers the assessments' side of a comparison grouped from the answers (a two-attribute
            # comparison): from a case to its counted assessment's id without reading the row.
            # The id is a key column (not INCLUDE, which SQLite does not have) so both databases cover it.
            models.Index(fields=["case", "counts", "status", "id"], name="assessment_case_counted"),
        ]

    @property
    def editable(self) -> bool:
        return self.status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)


class Answer(models.Model):
    """An answer to one question. ``scoring`` is the option's scoring class, copied at save
    time so findings are one GROUP BY over this table."""

    # No index of its own: the unique (assessment, question) index and the covering index start with it.
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question_id = models.CharField(max_length=20)
    value = models.JSONField(null=True)
    scoring = models.CharField(max_length=12, blank=True, db_index=True)
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    client_stamp = models.BigIntegerField(default=0, help_text="Client edit time (ms); older autosaves are ignored")
    client_tab = models.CharField(max_length=40, blank=True, default="", db_default="", help_text="Browser tab (page load) that last saved it")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "question_id"], name="one_answer_per_question")]
        indexes = [
            models.Index(fields=["question_id", "scoring"]),
            # Covers the answers' side of a comparison grouped from the answers (two case
            # attributes at once, or a field without counts): an index-only scan per assessment.
            models.Index(fields=["assessment", "question_id", "scoring"], name="answer_counts_cover"),
        ]
