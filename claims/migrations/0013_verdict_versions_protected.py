"""A published verdict's versions outlive any attempt to delete the verdict (PROTECT; no SQL change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0012_search_vocabulary"),
    ]

    operations = [
        migrations.AlterField(
            model_name="verdictversion",
            name="verdict",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="versions",
                to="claims.verdict",
                verbose_name="verdict",
            ),
        ),
    ]
