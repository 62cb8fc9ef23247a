from django.conf import settings
from django.db import models

from caseassess.instruments.models import InstrumentVersion


class Programme(models.Model):
    """An inspection programme, e.g. "IAOW 2013–2017": its period (every inspection's
    fieldwork falls within it), the instrument versions its inspections may use, and the
    retention date after which its case references and free text are pseudonymised."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    instruments = models.ManyToManyField(InstrumentVersion, related_name="programmes", blank=True)
    retention_date = models.DateField(null=True, blank=True)
    pseudonymised_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A Probation Trust or region, with the settings it keeps across its inspections.

    ``tiering_local_determination`` maps a row of the tiering grid left to local determination
    (``did_liap``, ``atr``, ``activity_requirement`` in the 2013 grid) to the tier the area ticks
    for it; a row not listed keeps the grid's default tick. Only the area's own ``leads`` (set
    by an administrator) and administrators may change it: naming an area on an inspection
    grants nothing."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="areas_led", blank=True)
    tiering_local_determination = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    LEAD_INSPECTOR = "lead_inspector", "Lead inspector"
    ASSESSOR = "assessor", "Assessor"
    ANALYST = "analyst", "Analyst (findings only)"


class Inspection(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="inspections")
    name = models.CharField(max_length=120)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="inspections", help_text="Probation Trust or region")
    topic = models.CharField(max_length=120, blank=True, help_text="Six-monthly topic, e.g. protecting children")
    fieldwork_start = models.DateField()
    fieldwork_end = models.DateField()
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="inspections")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="inspections", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["fieldwork_start", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="unique_inspection_name_per_programme")]

    def __str__(self) -> str:
        return self.name

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class Membership(models.Model):
    """A person's part in one inspection: lead inspector on one, assessor on another.
    (The table is the one the plain many-to-many field used, so its rows were kept.)"""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.ASSESSOR)

    class Meta:
        db_table = "inspections_inspection_members"
        unique_together = [("inspection", "user")]

    @property
    def role_label(self) -> str:
        return str(MembershipRole(self.role).label)


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
