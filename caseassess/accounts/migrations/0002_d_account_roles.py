"""The account keeps only the global roles (administrator, analyst); lead inspectors and
assessors become inspectors whose role is set per inspection (their memberships were given
it by inspections.0003_d_membership_roles, which runs first)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role__in=["assessor", "lead_inspector"]).update(role="inspector")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("inspections", "0003_d_membership_roles"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(choices=[("inspector", "Inspector"), ("analyst", "Analyst"), ("administrator", "Administrator")], default="inspector", max_length=20),
        ),
    ]
