"""``manage.py restore_portal FILE``: put a backup back into an empty database and storage.

It refuses, changing nothing, if the database has any tables, if a file in
storage would be overwritten by different content, or if anything in the
archive does not match its manifest (send_portal/backup.py).
"""

from django.core.management.base import BaseCommand, CommandError

from send_portal.backup import BackupError, files, restore


class Command(BaseCommand):
    # A backup or a restore is needed most when something is wrong: the system checks
    # must not stand in its way.
    requires_system_checks = []
    help = (
        "Restore a backup made by backup_portal into an empty database and empty storage, "
        "checking the SHA-256 of every file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive", help='the archive made by backup_portal ("-": standard input)'
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="do not migrate a backup from an older release; only say that it needs it",
        )
        parser.add_argument("--database", default="default", help="the database to restore into")

    def handle(self, *args, archive, no_migrate, database, **options):
        try:
            result = restore(archive, using=database, migrate=not no_migrate, stdout=self.stdout)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the database and {files(result.files)} ({result.bytes:,} bytes); "
            "every file matches its SHA-256 in the backup."
        )
        if result.migrated:
            self.stdout.write("The backup came from an older release, so it was migrated.")
        for note in result.notes:
            self.stderr.write(note)
        if result.missing:
            self.stderr.write(
                f"{files(len(result.missing))} named by records were already missing when the backup was made "
                "(listed in its manifest)."
            )
