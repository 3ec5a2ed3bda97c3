"""python manage.py send_reminders [--now 2026-12-01T08:00]"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notices.schedule import JOBS
from notices.signals import schedule_ran


def parse_now(text):
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now must be a date and time like 2026-12-01T08:00, not {text!r}"
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def job_name(job):
    return f"{job.__module__}.{getattr(job, '__qualname__', job)}"


class Command(BaseCommand):
    help = (
        "Run the scheduled email jobs: notices of planned publications, reminders before board "
        "meetings, officers' digests, the public's digests, and trying again what could not be "
        "sent. Run it every 15 minutes from a scheduler (cron or a systemd timer). Every email "
        "has an idempotency key, so running it again, or twice at once, sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            metavar="DATETIME",
            help=(
                "Run as if it were this time (ISO 8601, for example 2026-12-01T08:00; "
                "local time unless it gives an offset). Default: now."
            ),
        )

    def handle(self, *args, now=None, **options):
        now = parse_now(now) if now else timezone.now()
        failed = []
        total = 0
        for job in JOBS:
            name = job_name(job)
            try:
                # One transaction per job: its emails are delivered once it commits.
                with transaction.atomic():
                    queued = job(now)
            except Exception as error:
                failed.append(name)
                self.stderr.write(f"{name}: failed: {type(error).__name__}: {error}")
                continue
            total += queued
            self.stdout.write(f"{name}: {queued} {'message' if queued == 1 else 'messages'} queued")
        for receiver, response in schedule_ran.send_robust(sender=None, now=now):
            name = job_name(receiver)
            if isinstance(response, Exception):
                failed.append(name)
                self.stderr.write(f"{name}: failed: {type(response).__name__}: {response}")
            elif isinstance(response, int):
                total += response
                self.stdout.write(
                    f"{name}: {response} {'message' if response == 1 else 'messages'} queued"
                )
        self.stdout.write(f"{total} in all, at {timezone.localtime(now):%Y-%m-%d %H:%M %Z}")
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
