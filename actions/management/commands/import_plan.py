"""python manage.py import_plan FILE --area SLUG --plan REF --user USERNAME [--dry-run]"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from actions.models import Plan
from actions.plan_import import PreviewOutOfDate, analyse, apply
from actions.spreadsheets import UnsafeFile, read_spreadsheet


class Command(BaseCommand):
    help = (
        "Import a plan's actions and milestones from a spreadsheet (XLSX or CSV), with the "
        "same checks as the board's import page. Every problem is listed with its sheet, row "
        "and column, and then nothing is written. Otherwise everything is written in one "
        "transaction, each record's history naming --user and the file. Actions are matched "
        "by reference, so importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The spreadsheet: .xlsx or .csv.")
        parser.add_argument("--area", required=True, metavar="SLUG", help="The local area.")
        parser.add_argument(
            "--plan", required=True, metavar="REF", help="The plan's reference in that area."
        )
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help="The person making the import, recorded in the history of each change.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change, without writing anything.",
        )

    def handle(self, *args, file, area, plan, user, dry_run=False, **options):
        path = Path(file)
        try:
            plan = Plan.objects.select_related("area", "responds_to").get(area__slug=area, ref=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"There is no plan {plan!r} in the area {area!r}.") from None
        try:
            by = get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {user!r}.") from None
        try:
            if path.stat().st_size > settings.IMPORT_MAX_MB * 1024 * 1024:
                raise CommandError(f"The file must be smaller than {settings.IMPORT_MAX_MB} MB.")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path.name}: {error.strerror}.") from error
        try:
            workbook = read_spreadsheet(content, path.name)
        except UnsafeFile as error:
            raise CommandError(error.message) from error
        analysis = analyse(plan, workbook)
        self._report(analysis)
        if analysis.needs_columns:
            raise CommandError(
                "The portal could not tell how to read the file. Rename the headings to the "
                "template's (Ref, Action, Lead organisation, Due date, Success criteria...), or "
                "use the import page in the board to choose the columns."
            )
        if analysis.problems:
            count = len(analysis.problems)
            raise CommandError(
                f"{count} problem{'' if count == 1 else 's'} in the file; nothing was imported."
            )
        if not analysis.changes:
            self.stdout.write("The file matches the plan: nothing to change.")
            return
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            apply(plan, workbook, None, by=by, filename=path.name, expected_digest=analysis.digest)
        except PreviewOutOfDate:
            raise CommandError(
                "The plan changed while the file was being checked; run again."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Imported from {path.name}."))

    def _report(self, analysis):
        for layout in analysis.layouts:
            if layout.kind:
                self.stdout.write(
                    f"Sheet ‘{layout.sheet}’: {layout.kind}, header in row {layout.header_row}."
                )
        for name, why in analysis.skipped_sheets:
            self.stdout.write(f"Sheet ‘{name}’ not read: {why}.")
        for reason in analysis.needs_columns:
            self.stderr.write(reason)
        for problem in analysis.problems:
            self.stderr.write(str(problem))
        for warning in analysis.warnings:
            self.stdout.write(f"Check: {warning}")
        for label, changes in (
            ("Finding to link", analysis.links),
            ("Action to add", analysis.new_actions),
            ("Action to change", analysis.changed_actions),
            ("Milestone to add", analysis.new_milestones),
            ("Milestone to change", analysis.changed_milestones),
        ):
            for change in changes:
                details = "; ".join(f"{f.label}: {f.before} → {f.after}" for f in change.fields)
                self.stdout.write(f"{label}: {change.label}" + (f" ({details})" if details else ""))
        self.stdout.write(
            f"Unchanged: {analysis.unchanged_actions} actions, "
            f"{analysis.unchanged_milestones} milestones."
        )
