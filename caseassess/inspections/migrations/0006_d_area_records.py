import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_d_areas_data")]

    operations = [
        migrations.RemoveField(model_name="inspection", name="area"),
        migrations.RenameField(model_name="inspection", old_name="area_record", new_name="area"),
        migrations.AlterField(
            model_name="inspection",
            name="area",
            field=models.ForeignKey(help_text="Probation Trust or region", on_delete=django.db.models.deletion.PROTECT, related_name="inspections", to="inspections.area"),
        ),
        migrations.DeleteModel(name="AreaSettings"),
    ]
