"""Background jobs: what a task of ``django-tasks`` is doing for a person.

The task framework (``django_tasks_db.DBTaskResult``) holds the task's state (waiting,
running, finished, failed) and runs it in a worker process (``manage.py db_worker``).
A ``Job`` row carries what the pages need besides: who asked, the uploaded file, the
progress the task reports while it runs, the result to show, the PDF it produced.
Everything is in the database, so web processes stay stateless and the worker may run
on another machine."""

import uuid

from django.conf import settings
from django.db import models


class JobKind(models.TextChoices):
    IMPORT_CASES = "import_cases", "Case import"
    IMPORT_ASSESSMENTS = "import_assessments", "Assessment import"
    PDF = "pdf", "PDF of the findings"
    COUNTS = "counts", "Findings brought up to date"
    WITHIN = "within_counts", "Two-attribute comparison counted"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=24, choices=JobKind.choices)
    #: One job per key at a time (a PDF's report hash, an inspection's count rebuild):
    #: the unique constraint is what coordinates the web processes.
    key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    task_id = models.CharField(max_length=64, blank=True, db_index=True, help_text="The django-tasks result id")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inspection = models.ForeignKey("inspections.Inspection", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    upload = models.BinaryField(null=True, blank=True)
    upload_name = models.CharField(max_length=200, blank=True)
    phase = models.CharField(max_length=120, blank=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    output = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
