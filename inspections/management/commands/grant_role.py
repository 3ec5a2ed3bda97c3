from django.core.management.base import BaseCommand, CommandError

from inspections.models import LocalArea, Membership, Organisation
from inspections.services import KEEP, grant_role, parse_role


class Command(BaseCommand):
    help = (
        "Give a person a role in one local area: board-member, officer, area-administrator or "
        "forum (the parent carer forum's representative). "
        "Creates the user (with no password; they set one through password reset) if they do "
        "not exist, and changes their role if they already have one in that area. "
        "Example: manage.py grant_role j.smith worcestershire officer --organisation "
        "worcestershire-county-council"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("area_slug", metavar="AREA_SLUG")
        parser.add_argument(
            "role",
            help="board-member, officer, area-administrator (area-admin also works) or forum",
        )
        parser.add_argument("--organisation", help="slug of the partner organisation they work for")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--reason", default="Role granted from the command line", help="recorded in history"
        )

    def handle(self, *args, username, area_slug, role, organisation, **options):
        parsed_role = parse_role(role)
        if parsed_role is None:
            raise CommandError(
                f"“{role}” is not a role. Use board-member, officer, area-administrator or forum."
            )
        area = LocalArea.objects.filter(slug=area_slug).first()
        if area is None:
            known = ", ".join(LocalArea.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"There is no local area “{area_slug}”. Areas: {known}.")
        org = KEEP
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"There is no organisation “{organisation}”.")
            if not area.partnerships.filter(organisation=org).exists():
                raise CommandError(f"{org} is not a partner in {area}.")
        _, user_created, what = grant_role(
            username=username,
            area=area,
            role=parsed_role,
            organisation=org,
            reason=options["reason"],
            user_defaults={
                "email": options["email"],
                "first_name": options["first_name"],
                "last_name": options["last_name"],
            },
        )
        role_label = Membership.Role(parsed_role).label.lower()
        who = f"{username} (new user)" if user_created else username
        message = {
            "created": f"{who} is now {role_label} in {area}.",
            "role changed": f"{who} is now {role_label} in {area} (role changed).",
            "organisation changed": (
                f"{who} is still {role_label} in {area}, now for {org} (organisation changed)."
            ),
            "unchanged": f"{who} was already {role_label} in {area}; nothing changed.",
        }[what]
        self.stdout.write(message)
