"""Template questions answered by inspections.access, so templates never decide access themselves."""

from django import template

from inspections.access import Can, user_can

register = template.Library()


@register.filter
def can_edit_records(user, area):
    """``{% if user|can_edit_records:area %}``: may this person edit the area's records?"""
    if area is None or not getattr(user, "is_authenticated", False):
        return False
    return user_can(user, area, Can.EDIT)


@register.filter
def can_view_area(user, area):
    """``{% if user|can_view_area:area %}``: may this person see the area's internal pages?"""
    if area is None or not getattr(user, "is_authenticated", False):
        return False
    return user_can(user, area, Can.VIEW)


@register.filter
def can_respond_for_forum(user, area):
    """``{% if user|can_respond_for_forum:area %}``: the parent carer forum's representative?"""
    if area is None or not getattr(user, "is_authenticated", False):
        return False
    return user_can(user, area, Can.RESPOND)
