"""Areas become records (with the tiering settings that were keyed by the area's name),
programmes get a period, allowed instrument versions and a retention date, inspections can
be closed, and an inspection's name is unique within its programme."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_d_membership_roles"),
        ("instruments", "0002_d_published"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Area",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, unique=True)),
                ("description", models.TextField(blank=True)),
                ("tiering_local_determination", models.JSONField(blank=True, default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("leads", models.ManyToManyField(blank=True, related_name="areas_led", to=settings.AUTH_USER_MODEL)),
                ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="inspection",
            name="area_record",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="inspections.area"),
        ),
        migrations.AddField(model_name="programme", name="period_start", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="programme", name="period_end", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="programme", name="instruments", field=models.ManyToManyField(blank=True, related_name="programmes", to="instruments.instrumentversion")),
        migrations.AddField(model_name="programme", name="retention_date", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="programme", name="pseudonymised_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="inspection", name="closed_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            model_name="inspection",
            name="closed_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(model_name="inspection", name="name", field=models.CharField(max_length=120)),
        migrations.AddConstraint(
            model_name="inspection",
            constraint=models.UniqueConstraint(fields=("programme", "name"), name="unique_inspection_name_per_programme"),
        ),
    ]
