# The public page cache asks, on every miss, when the next scheduled publication
# is: a partial index on published updates' publish_at answers it with one index
# probe instead of a scan of every update.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0010_withdrawal"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="progressupdate",
            index=models.Index(
                condition=models.Q(("state", "published")),
                fields=["publish_at"],
                name="progress_update_next_publish",
            ),
        ),
    ]
