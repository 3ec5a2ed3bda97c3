from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.area_history import ImportProblems, import_document, validate
from actions.deadlines import portal_today
from actions.models import Plan
from demo.forum import FORUM_AREA, add_forum_responses
from demo.illustrative import (
    DEMO_PLANS,
    add_illustrative_content,
    publish_demo_report,
)
from demo.seed import SEED_FILE, seed_documents
from inspections.models import LocalArea, Membership
from inspections.services import grant_role

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo; refused outside DEBUG
ROLES = [
    ("officer", Membership.Role.OFFICER, "Officer"),
    ("board", Membership.Role.BOARD_MEMBER, "Board member"),
    ("admin", Membership.Role.AREA_ADMIN, "Area administrator"),
    ("forum", Membership.Role.FORUM, "Parent carer forum representative"),
]


class Command(BaseCommand):
    help = (
        "Load the demo: the four seed areas' real public history (through the same code as "
        "import_area), invented plan content clearly labelled as illustrative, and demo "
        "sign-ins. Safe to run again: it changes nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even when DEBUG is off (demo sign-ins have a published password)",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo creates sign-ins with a published password, so it only runs with "
                "DEBUG=true. Use --force if you really mean to load it here."
            )
        today = portal_today()
        with transaction.atomic():
            for document in seed_documents():
                problems = validate(document)
                if problems:
                    raise CommandError(
                        "The seed data does not pass the import checks:\n"
                        + "\n".join(str(p) for p in problems)
                    )
                try:
                    import_document(
                        document, filename=f"{SEED_FILE.name} ({document['area']['name']})"
                    )
                except ImportProblems as error:
                    raise CommandError("\n".join(str(p) for p in error.problems)) from error
                area = LocalArea.objects.get(slug=document["area"]["slug"])
                users = self._demo_users(area)
                plan = Plan.objects.filter(area=area, ref=DEMO_PLANS.get(area.slug)).first()
                if plan is not None:
                    add_illustrative_content(
                        plan, officer=users["officer"], board_member=users["board"], today=today
                    )
                    if area.slug == FORUM_AREA:
                        add_forum_responses(
                            plan, forum_user=users["forum"], officer=users["officer"]
                        )
                    publish_demo_report(plan, officer=users["officer"], today=today)
            self._superuser()
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded: Worcestershire, Wolverhampton, Dudley, Essex.")
        )
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        rows = [("admin", "superuser: the administration site at /admin/")]
        for area in LocalArea.objects.order_by("name"):
            rows += [
                (f"{area.slug}-{suffix}", f"{label.lower()}, {area.name}")
                for suffix, _, label in ROLES
            ]
        width = max(len(username) for username, _ in rows)
        for username, description in rows:
            self.stdout.write(f"  {username:<{width}}  {description}")

    def _demo_users(self, area):
        users = {}
        partners = {
            kind: area.partnerships.filter(organisation__kind=kind)
            .select_related("organisation")
            .first()
            for kind in ("council", "parent_carer_forum")
        }
        for suffix, role, label in ROLES:
            username = f"{area.slug}-{suffix}"
            # The forum's representative is one of the area's parents, not council staff.
            partner = partners["parent_carer_forum" if suffix == "forum" else "council"]
            membership, created, _ = grant_role(
                username=username,
                area=area,
                role=role,
                organisation=partner.organisation if partner else None,
                reason="Demo sign-in",
                user_defaults={
                    "first_name": "Demo",
                    "last_name": f"{label} ({area.name})",
                    "email": f"{username}@example.org",
                },
            )
            if created:
                membership.user.set_password(DEMO_PASSWORD)
                membership.user.save(update_fields=["password"])
            users[suffix] = membership.user
        return users

    def _superuser(self):
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
