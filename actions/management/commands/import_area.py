"""python manage.py import_area FILE.json [--user USERNAME] [--dry-run]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from actions.area_history import ImportProblems, import_document, load_document


class Command(BaseCommand):
    help = (
        "Load one local area's public history (its partners, inspections, findings, "
        "verdicts, government interventions, reviews and plans) from an area-history file, "
        "described in docs/area-history-format.md. The whole file is checked first: if anything is "
        "wrong, every problem is listed with its place in the file and nothing is "
        "written. Records already held are matched by their keys and changed only "
        "where the file differs, so importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json", help="The area-history file to import.")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="The person making the import, recorded in the history of each change.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change, without writing anything.",
        )

    def handle(self, *args, file, user=None, dry_run=False, **options):
        path = Path(file)
        # The history keeps only the file's name: a full path can reveal
        # someone's home folder and means nothing on another machine.
        filename = path.name
        history_user = _find_user(user) if user else None
        text = _read_text(path)
        try:
            document = load_document(text)
            summary = import_document(
                document, filename=filename, user=history_user, dry_run=dry_run
            )
        except ImportProblems as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            count = len(error.problems)
            raise CommandError(
                f"Nothing was imported: {filename} has {count} problem{'' if count == 1 else 's'}."
            ) from None
        self.stdout.write(str(summary))
        if options.get("verbosity", 1) >= 2:
            for line in summary.details():
                self.stdout.write(f"  {line}")


def _find_user(username):
    model = get_user_model()
    try:
        return model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        raise CommandError(f"There is no user with the username {username}.") from None


def _read_text(path):
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder, not a file.") from None
    except PermissionError:
        raise CommandError(f"{path} cannot be read: permission denied.") from None
    except OSError as error:
        raise CommandError(f"{path} cannot be read: {error.strerror or error}.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CommandError(
            f"{path} is not UTF-8 text: the byte at line {line} cannot be read. "
            "Save the file as UTF-8 and try again."
        ) from None
