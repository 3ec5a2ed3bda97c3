"""Optimistic concurrency: nothing is lost when two people edit the same thing.

Each editable record carries a ``version`` that goes up by one on every
save through ``save_with_history``, the one function that writes records. A form remembers the version it was loaded
at; if someone else has saved since, the save is refused with an
EditConflict saying who changed what, and the form keeps what the second
person typed so they can look again and decide.
"""

import contextvars
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


# True while save_with_history is saving: tests check that no versioned
# record is saved any other way (tests/conftest.py).
saving_with_history = contextvars.ContextVar("saving_with_history", default=False)


def save_with_history(instance, *, by, reason, expected_version=None, validate_constraints=True):
    """Save ``instance`` with who and why in its history: the one way records are written.

    * runs ``full_clean()``, so the model's rules hold for every writer;
    * records ``by`` (a user, or None for the system) and ``reason``;
    * for a ``Versioned`` record, always raises ``version``: a new record
      starts at 1; an existing one is locked (SELECT ... FOR UPDATE on
      PostgreSQL; SQLite writes one transaction at a time) and saved as the
      stored version plus one, so a form opened before this save sees a
      conflict instead of silently saving over it;
    * with ``expected_version`` (the version a form was loaded at), raises
      ``EditConflict`` saying who changed what if someone saved since.

    ``validate_constraints=False`` skips the uniqueness and constraint queries
    of ``full_clean()`` for a writer that has just checked them itself under a
    lock (the plan importer); the database's constraints still stand behind it.
    """
    model = type(instance)
    versioned = isinstance(instance, Versioned)
    with transaction.atomic():
        if versioned and not instance._state.adding:
            stored = (
                model._default_manager.select_for_update()
                .values_list("version", flat=True)
                .get(pk=instance.pk)
            )
            if expected_version is not None and stored != expected_version:
                raise _conflict(model, instance.pk, expected_version)
            instance.version = stored + 1
        elif versioned:
            instance.version = 1
        instance._history_user = by
        instance._change_reason = reason
        instance.full_clean(
            validate_unique=validate_constraints, validate_constraints=validate_constraints
        )
        token = saving_with_history.set(True)
        try:
            instance.save()
        finally:
            saving_with_history.reset(token)
    return instance


def delete_with_history(instance, *, by, reason):
    """Delete ``instance``, recording who and why in its history."""
    instance._history_user = by
    instance._change_reason = reason
    instance.delete()


def _conflict(model, pk, expected_version):
    current = model._default_manager.get(pk=pk)
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
    return EditConflict(current=current, entries=describe_record_changes(model, records, previous))
