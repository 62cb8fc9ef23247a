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


class RatingSchemeVersion(models.Model):
    """A loaded rating scheme (``ratings.yaml`` beside an instrument): bands over "% done
    sufficiently well", rated units and the overall rule. Versioned like the instrument: a changed
    file under the same scheme id and version is refused."""

    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="rating_schemes")
    scheme_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    effective_from = models.DateField()
    checksum = models.CharField(max_length=64)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-loaded_at"]
        constraints = [models.UniqueConstraint(fields=["scheme_id", "version"], name="unique_rating_scheme_version")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class CrosswalkVersion(models.Model):
    """The question crosswalk from an earlier instrument version to ``later`` (a
    ``crosswalk-from-<earlier>.yaml`` beside the later instrument): trends across rounds use it."""

    later = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="crosswalks")
    earlier_instrument_id = models.CharField(max_length=64)
    checksum = models.CharField(max_length=64)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["later", "earlier_instrument_id"], name="one_crosswalk_per_pair")]

    def __str__(self) -> str:
        return f"crosswalk {self.earlier_instrument_id} -> {self.later.instrument_id}"
