from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    FINDINGS = "findings", "Read findings (reports, comparisons, agreement, ratings)"
    ANSWERS = "answers", "Read cases and answers (case references and case details, no free text)"
    FREE_TEXT = "free_text", "Also read free text (comments and text case details)"
    IMPORT = "import", "Import assessments (CSV)"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest of the secret is stored; the secret is shown
    once, when the token is made. ``prefix`` (the first characters) finds the row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def scope_labels(self) -> list[str]:
        return [str(Scope(s).label) for s in self.scopes if s in Scope.values]
