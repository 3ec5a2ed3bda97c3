"""``manage.py backup_portal FILE``: the database and every stored file in one archive.

See send_portal/backup.py for what the archive holds, and docs/deploy.md
("Backups and restore") for how often to run it and where to keep it.
"""

from django.core.management.base import BaseCommand, CommandError

from send_portal.backup import BackupError, backup, files


class Command(BaseCommand):
    # A backup or a restore is needed most when something is wrong: the system checks
    # must not stand in its way.
    requires_system_checks = []
    help = (
        "Back up the database and every stored file the records name (evidence, reports' "
        "PDFs) into one new archive file, with the SHA-256 of each."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output", help='the archive to write; it must not exist yet ("-": standard output)'
        )
        parser.add_argument(
            "--include-unreferenced",
            action="store_true",
            help="also back up files in storage that no record names",
        )
        parser.add_argument("--database", default="default", help="the database to back up")

    def handle(self, *args, output, include_unreferenced, database, **options):
        try:
            result = backup(output, include_unreferenced=include_unreferenced, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        # Written to standard output, the archive has it to itself: the messages go to stderr.
        say = self.stderr if output == "-" else self.stdout
        where = "standard output" if output == "-" else result.path
        say.write(
            f"Backed up the database and {files(result.files)} ({result.bytes:,} bytes) to {where}.",
            style_func=lambda text: text,
        )
        say.write(f"The archive's SHA-256: {result.sha256}", style_func=lambda text: text)
        if result.missing:
            listed = ", ".join(result.missing[:5])
            raise CommandError(
                f"The backup was written, but records name {files(len(result.missing))} that "
                f"storage does not have (such as {listed}). The archive's manifest lists them "
                "under missing_files. Find out why they are missing."
            )
