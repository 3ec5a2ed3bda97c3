"""Who may do what in a local area: the one place board views ask.

Access comes only from a Membership (user, area, role). Roles build on each
other: an officer may do everything a board member may, and an area
administrator everything an officer may. The parent carer forum's
representative stands outside that ladder: they may only acknowledge or
challenge published updates (``Can.RESPOND``), and never see the area's
internal information (drafts, narratives, board packs, exports), which
needs ``Can.VIEW``; no other role may respond for the forum.

Views never look objects up directly; they call the functions here, which
answer

* 404 to anyone who is not a member of the area (outsiders cannot probe
  what exists in another area), and
* 403 to a member whose role does not allow the action.

Superusers use the Django admin; they get no special powers here, so the
board pages show exactly what a member of the area sees.
"""

import enum

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import LocalArea, Membership


class Can(enum.Enum):
    VIEW = "see the area's internal information"
    UPDATE = "draft and submit progress updates"
    APPROVE = "approve, return and publish progress updates"
    EDIT = "edit inspections, plans, actions, measures and meetings"
    MANAGE_MEMBERS = "manage who has access to the area"
    RESPOND = "acknowledge or challenge published updates for the parent carer forum"


ROLE_PERMISSIONS = {
    Membership.Role.BOARD_MEMBER: {Can.VIEW, Can.UPDATE},
    Membership.Role.OFFICER: {Can.VIEW, Can.UPDATE, Can.APPROVE, Can.EDIT},
    Membership.Role.AREA_ADMIN: {Can.VIEW, Can.UPDATE, Can.APPROVE, Can.EDIT, Can.MANAGE_MEMBERS},
    Membership.Role.FORUM: {Can.RESPOND},
}


def membership_for(user, area):
    """The user's membership of ``area``, or None; cached on the user for the request."""
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_portal_memberships", {})
    if area.pk not in cache:
        cache[area.pk] = Membership.objects.filter(user=user, area=area).first()
    return cache[area.pk]


def permissions_for(user, area):
    membership = membership_for(user, area)
    return ROLE_PERMISSIONS.get(membership.role, set()) if membership else set()


def user_can(user, area, permission):
    return permission in permissions_for(user, area)


def areas_for(user):
    """The areas the user is a member of, with their role, for the board home page."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("area").order_by("area__name")


def require(user, area, permission):
    """Raise Http404 for a non-member and PermissionDenied for a member without the permission."""
    permissions = permissions_for(user, area)
    if not permissions:
        raise Http404("No such local area")
    if permission not in permissions:
        raise PermissionDenied(f"Your role does not allow you to {permission.value}.")


def get_area_for_user(request, slug, need=Can.VIEW):
    area = get_object_or_404(LocalArea, slug=slug)
    require(request.user, area, need)
    return area


def get_in_area(request, area, queryset, *, area_path, pk, need=Can.VIEW):
    """An object of ``queryset`` that belongs to ``area`` (through ``area_path``), or 404.

    ``area_path`` is the lookup from the object to its area, for example
    "plan__area" for an action. The permission is checked before the lookup
    so that a member without it cannot learn which objects exist.
    """
    require(request.user, area, need)
    return get_object_or_404(queryset, pk=pk, **{area_path: area})
