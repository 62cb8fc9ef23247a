"""The findings count table: (question, subgroup value, scoring class) counts of the
counted assessments of each inspection, kept exact so reports read counts, not answers.

Rows with ``question_id=""`` and ``scoring="case"`` count cases (Annex 1). ``field=""``
holds the counts over all cases. See ``caseassess.reporting.counts``."""

from django.db import models

from caseassess.inspections.models import Inspection


class FindingsCount(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=64, blank=True, help_text="Case-detail id, or empty for all cases")
    value = models.CharField(max_length=120, blank=True, help_text="The case-detail value, or empty when not recorded")
    question_id = models.CharField(max_length=20, blank=True, help_text="Empty on case rows")
    scoring = models.CharField(max_length=12, help_text="sufficient, insufficient, excluded; 'case' on case rows")
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "field", "value", "question_id", "scoring"], name="one_count_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.field}={self.value} {self.question_id} {self.scoring}: {self.n}"


class FindingsCountState(models.Model):
    """What an inspection's counts were built from (see ``counts.current_states``): when it
    differs from the database's state the counts are rebuilt before they are read."""

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, primary_key=True, related_name="+")
    state = models.CharField(max_length=64, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
