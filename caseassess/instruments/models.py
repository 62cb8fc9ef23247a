from django.db import models


class InstrumentVersion(models.Model):
    """A loaded instrument version. The definition is the validated instrument as JSON;
    answers keep the version they were made under through their assessment's inspection."""

    instrument_id = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    effective_from = models.DateField(null=True)
    checksum = models.CharField(max_length=64)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    published = models.BooleanField(
        default=True, help_text="Offered for new inspections. A version loaded from the browser is published after review."
    )

    class Meta:
        ordering = ["-effective_from", "instrument_id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.instrument_id})"
