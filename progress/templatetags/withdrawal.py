"""``{% if user|can_withdraw_in:area %}``: may this person withdraw published updates and reports?

Answered by ``progress.withdrawal``, so templates never decide access themselves.
"""

from django import template

from progress import withdrawal

register = template.Library()


@register.filter
def can_withdraw_in(user, area):
    if area is None or not getattr(user, "is_authenticated", False):
        return False
    return withdrawal.may_withdraw(user, area)
