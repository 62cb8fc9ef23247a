"""Inspection membership carries the person's role on that inspection. The plain
many-to-many table is kept (its rows are the memberships) and gains a role column: a
member whose account was a lead inspector becomes the lead of each of their inspections,
an analyst account an analyst member, everyone else an assessor."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def roles_from_accounts(apps, schema_editor):
    Membership = apps.get_model("inspections", "Membership")
    for m in Membership.objects.select_related("user"):
        old = m.user.role
        role = {"lead_inspector": "lead_inspector", "administrator": "lead_inspector", "analyst": "analyst"}.get(old, "assessor")
        if role != m.role:
            m.role = role
            m.save(update_fields=["role"])


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_area_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("inspection", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="inspections.inspection")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "inspections_inspection_members", "unique_together": {("inspection", "user")}},
                ),
                migrations.AlterField(
                    model_name="inspection",
                    name="members",
                    field=models.ManyToManyField(blank=True, related_name="inspections", through="inspections.Membership", to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(choices=[("lead_inspector", "Lead inspector"), ("assessor", "Assessor"), ("analyst", "Analyst (findings only)")], default="assessor", max_length=20),
        ),
        migrations.RunPython(roles_from_accounts, migrations.RunPython.noop),
    ]
