from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("runs", "0005_runs_go_where_their_cost_fits"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
