"""Optimistic concurrency: nothing is lost when two people edit the same thing.

Each editable record carries a ``version`` that goes up by one on every
save through ``save_versioned``. A form remembers the version it was loaded
at; if someone else has saved since, the save is refused with an
EditConflict saying who changed what, and the form keeps what the second
person typed so they can look again and decide.
"""

from dataclasses import dataclass

from django.db import models, transaction

from .history import describe_record_changes


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


@dataclass
class EditConflict(Exception):
    """Someone saved the record after the version the form was loaded at."""

    current: models.Model
    entries: list  # history.ChangeEntry, newest first

    def __str__(self):
        return "Someone else changed this while you were editing it."

    @property
    def changed_by(self):
        return {entry.who for entry in self.entries}


def save_versioned(instance, *, expected_version, by, reason):
    """Save ``instance`` as version ``expected_version + 1``, or raise EditConflict.

    The row is locked while it is compared, so two saves at the same moment
    cannot both pass the check (SELECT ... FOR UPDATE on PostgreSQL; SQLite
    writes one transaction at a time).
    """
    model = type(instance)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=instance.pk)
        if current.version != expected_version:
            records = list(
                current.history.filter(version__gt=expected_version)
                .select_related("history_user")
                .order_by("-history_date", "-history_id")
            )
            previous = (
                current.history.filter(version__lte=expected_version)
                .order_by("-history_date", "-history_id")
                .first()
            )
            raise EditConflict(
                current=current, entries=describe_record_changes(model, records, previous)
            )
        instance.version = current.version + 1
        instance._history_user = by
        instance._change_reason = reason
        instance.full_clean()
        instance.save()
    return instance


def create_versioned(instance, *, by, reason):
    """Save a new record with its history user and reason (version 1)."""
    instance._history_user = by
    instance._change_reason = reason
    instance.full_clean()
    instance.save()
    return instance
