"""Turning a kind of email on or off for a person, with who and why in the history."""

from django.db import IntegrityError, transaction

from kit.versioning import save_with_history

from .kinds import BOARD_KINDS, Kind
from .models import NoticePreference


def choices_for(user):
    """{kind: on?} for every kind on the "Email notices" page."""
    off = NoticePreference.objects.turned_off(user)
    return {kind: kind.value not in off for kind in BOARD_KINDS}


def set_preference(user, kind, enabled, *, by, reason):
    """Turn ``kind`` on or off for ``user``; saves only a real change. Returns True if it changed."""
    kind = Kind(kind)
    for _ in range(2):  # a second go if someone else created the row at the same moment
        try:
            with transaction.atomic():
                preference = (
                    NoticePreference.objects.select_for_update()
                    .filter(user=user, kind=kind)
                    .first()
                )
                if preference is None:
                    if enabled:
                        return False  # no row means on
                    preference = NoticePreference(user=user, kind=kind)
                elif preference.enabled == enabled:
                    return False
                preference.enabled = enabled
                save_with_history(preference, by=by, reason=reason)
                return True
        except IntegrityError:
            continue
    return False


@transaction.atomic
def save_choices(user, chosen, *, by, reason):
    """Set every kind on the page: on if in ``chosen``, off if not. Returns how many changed."""
    chosen = {Kind(kind) for kind in chosen}
    return sum(
        set_preference(user, kind, kind in chosen, by=by, reason=reason) for kind in BOARD_KINDS
    )
