"""Writes that span models in the inspections app, each recording who and why."""

from django.contrib.auth import get_user_model
from django.db import transaction

from kit.versioning import delete_with_history, save_with_history

from .models import InterventionFinding, Membership

ROLE_ALIASES = {
    "board_member": Membership.Role.BOARD_MEMBER,
    "board-member": Membership.Role.BOARD_MEMBER,
    "board member": Membership.Role.BOARD_MEMBER,
    "member": Membership.Role.BOARD_MEMBER,
    "officer": Membership.Role.OFFICER,
    "lead-officer": Membership.Role.OFFICER,
    "area_admin": Membership.Role.AREA_ADMIN,
    "area-admin": Membership.Role.AREA_ADMIN,
    "area administrator": Membership.Role.AREA_ADMIN,
    "area-administrator": Membership.Role.AREA_ADMIN,
    "administrator": Membership.Role.AREA_ADMIN,
    "forum": Membership.Role.FORUM,
    "parent-carer-forum": Membership.Role.FORUM,
    "parent carer forum": Membership.Role.FORUM,
    "forum-representative": Membership.Role.FORUM,
    "parent carer forum representative": Membership.Role.FORUM,
}


def parse_role(text):
    """The Membership.Role meant by text such as "board-member", or None."""
    return ROLE_ALIASES.get(text.strip().lower().replace("_", "-")) or ROLE_ALIASES.get(
        text.strip().lower()
    )


# Passed as ``organisation`` to leave a membership's organisation as it is.
KEEP = object()


@transaction.atomic
def grant_role(*, username, area, role, organisation=KEEP, by=None, reason, user_defaults=None):
    """Create or change ``username``'s membership of ``area``; create the user if needed.

    ``organisation`` is a partner Organisation, None for none, or KEEP to leave
    an existing membership's organisation alone. Returns (membership,
    user_created, what) where what is "created", "role changed",
    "organisation changed" or "unchanged". Saves nothing when nothing changes,
    so history only records real changes.
    """
    User = get_user_model()
    user, user_created = User.objects.get_or_create(username=username, defaults=user_defaults or {})
    if user_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership = Membership.objects.filter(user=user, area=area).first()
    if membership is None:
        membership = Membership(
            user=user,
            area=area,
            role=role,
            organisation=None if organisation is KEEP else organisation,
        )
        what = "created"
    else:
        new_organisation_id = (
            membership.organisation_id
            if organisation is KEEP
            else getattr(organisation, "pk", None)
        )
        if membership.role != role:
            what = "role changed"
        elif membership.organisation_id != new_organisation_id:
            what = "organisation changed"
        else:
            return membership, user_created, "unchanged"
        membership.role = role
        if organisation is not KEEP:
            membership.organisation = organisation
    save_with_history(membership, by=by, reason=reason)
    return membership, user_created, what


@transaction.atomic
def save_intervention(intervention, *, findings, by, reason, expected_version=None):
    """Save an intervention and the findings it covers, each link added or removed in history."""
    save_with_history(intervention, by=by, reason=reason, expected_version=expected_version)
    wanted = {finding.pk for finding in findings}
    links = {link.finding_id: link for link in intervention.intervention_findings.all()}
    for finding_id, link in links.items():
        if finding_id not in wanted:
            delete_with_history(link, by=by, reason=reason)
    for finding in findings:
        if finding.pk not in links:
            save_with_history(
                InterventionFinding(intervention=intervention, finding=finding),
                by=by,
                reason=reason,
            )
    return intervention
