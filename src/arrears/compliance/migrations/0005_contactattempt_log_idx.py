# An index that holds every column the collection night reads of the contact log.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0004_opt_out_withdrawal"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactattempt",
            index=models.Index(
                fields=[
                    "borrower",
                    "started_at",
                    "id",
                    "channel",
                    "direction",
                    "outcome",
                    "party_role",
                ],
                name="contactattempt_log_idx",
            ),
        ),
    ]
