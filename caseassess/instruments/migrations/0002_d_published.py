from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("instruments", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="instrumentversion",
            name="published",
            field=models.BooleanField(default=True, help_text="Offered for new inspections. A version loaded from the browser is published after review."),
        ),
    ]
