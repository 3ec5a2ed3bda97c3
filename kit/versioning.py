"""Optimistic concurrency: nothing is lost when two people edit the same thing.

Each editable record carries a ``version`` that goes up by one on every
save through ``save_with_history``, the one function that writes records. A form remembers the version it was loaded
at; if someone else has saved since, the save is refused with an
EditConflict saying who changed what, and the form keeps what the second
person typed so they can look again and decide.
"""

import contextvars
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models, router, transaction
from django.db.models.fields import AutoFieldMixin
from django.db.models.functions import Cast
from django.dispatch import Signal
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

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


# Sent once per call of bulk_save_with_history for what it created and once for
# what it changed (it sends no post_save): sender is the model, ``instances``
# the records written, ``created`` whether they are new.
saved_in_bulk = Signal()


def bulk_save_with_history(
    new=(),
    changed=(),
    *,
    by,
    reason,
    fields=None,
    expected_versions=None,
    clean=True,
    fields_checked=False,
):
    """Save many records of one model as ``save_with_history`` would, in a few queries.

    ``new`` are records not yet in the database, ``changed`` records that are.
    Rows and history come out as one ``save_with_history(...,
    validate_constraints=False)`` per record would write them:

    * each record's fields are checked as ``full_clean()`` checks them, except
      that each foreign key is checked for all records in one query, and the
      uniqueness and constraint queries are left to the caller (who has
      checked them under a lock) and the database; ``clean=False`` also skips
      the model's own ``clean()``, for a caller that has checked its rules for
      the whole batch itself, and ``fields_checked=True`` skips
      ``clean_fields()``, for a caller that has just run it (foreign keys
      excluded) on these very records, unchanged since;
    * the history rows carry ``by`` and ``reason``, one for each record in the
      order given, with the values its row now holds: the database copies
      them from the rows just written (one INSERT ... SELECT), or, where that
      is not done, django-simple-history's ``bulk_history_create`` builds
      them;
    * a ``Versioned`` record starts at version 1, or is locked (all in one
      SELECT ... FOR UPDATE) and saved at its stored version plus one;
      ``expected_versions`` ({pk: version}) raises ``EditConflict`` for the
      first record saved by someone else since.

    ``fields`` names the fields the ``changed`` records alter (the version is
    added); by default every field is written. A changed record whose stored
    row differs in a field not named is refused (ValueError), so a history
    row never records a value its row does not hold. Sends ``saved_in_bulk``,
    not ``post_save``. Returns the records written, new ones with their keys.
    """
    new, changed = list(new), list(changed)
    instances = new + changed
    if not instances:
        return []
    model = type(instances[0])
    if any(type(instance) is not model for instance in instances):
        raise ValueError("bulk_save_with_history saves records of one model at a time.")
    if any(not instance._state.adding for instance in new) or any(
        instance._state.adding or instance.pk is None for instance in changed
    ):
        raise ValueError("Pass records not yet saved as new, and saved ones as changed.")
    using = router.db_for_write(model)
    if not connections[using].features.can_return_rows_from_bulk_insert:
        # Without keys back from a bulk insert, history cannot be tied to its rows.
        versions = expected_versions or {}
        with transaction.atomic(using=using):
            for instance in instances:
                save_with_history(
                    instance,
                    by=by,
                    reason=reason,
                    expected_version=versions.get(instance.pk) if instance.pk else None,
                    validate_constraints=False,
                )
        return instances
    versioned = issubclass(model, Versioned)
    names = _bulk_update_fields(model, fields)
    with transaction.atomic(using=using):
        for instance in instances:
            instance._history_user = by
            instance._change_reason = reason
        _clean_in_bulk(model, instances, clean=clean, fields=not fields_checked)
        for instance in new:
            if versioned:
                instance.version = 1
        _lock_changed(model, changed, names, versioned, expected_versions or {})
        token = saving_with_history.set(True)
        try:
            if new:
                # simple-history's bulk_create_with_history, the history copied by the database.
                model._default_manager.using(using).bulk_create(new)
                _history_in_bulk(model, new, using, update=False, by=by, reason=reason)
            if changed:
                # simple-history's bulk_update_with_history, with a leaner update.
                _update_in_bulk(model, changed, [*names, "version"] if versioned else names)
                _history_in_bulk(model, changed, using, update=True, by=by, reason=reason)
        finally:
            saving_with_history.reset(token)
        for batch, created in ((new, True), (changed, False)):
            if batch:
                saved_in_bulk.send(sender=model, instances=batch, created=created)
    return instances


def _bulk_update_fields(model, fields):
    """The names of the fields a bulk update writes: ``fields``, or every concrete field."""
    writable = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "version"]
    if fields is None:
        return [f.name for f in writable]
    known = {f.name for f in writable}
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise ValueError(f"{model.__name__} has no field to update called {', '.join(unknown)}.")
    return list(dict.fromkeys(fields))


def _clean_in_bulk(model, instances, *, clean, fields=True):
    """``full_clean()`` without uniqueness or constraints, each foreign key checked in one query.

    ``fields=False`` leaves out ``clean_fields()`` (the caller has run it).
    Raises the first failing record's errors, as ``full_clean()`` would for it.
    """
    keys = [
        f
        for f in model._meta.concrete_fields
        if (f.many_to_one or f.one_to_one) and not f.remote_field.parent_link
    ]
    exclude = [f.name for f in keys]
    errors = {}
    for instance in instances:
        found = {}
        if fields:
            try:
                instance.clean_fields(exclude=exclude)
            except ValidationError as error:
                found = error.update_error_dict(found)
        if clean:
            try:
                instance.clean()
            except ValidationError as error:
                found = error.update_error_dict(found)
        if found:
            errors[id(instance)] = found
    for field in keys:
        for instance, messages in _foreign_key_errors(field, instances):
            errors.setdefault(id(instance), {}).setdefault(field.name, []).extend(messages)
    for instance in instances:
        if id(instance) in errors:
            raise ValidationError(errors[id(instance)])


def _foreign_key_errors(field, instances):
    """What ``ForeignKey.validate`` finds wrong with each record, in one query for all of them."""
    given = {}  # (type, raw value) -> the records holding it: each is checked once
    for instance in instances:
        raw = getattr(instance, field.attname)
        if field.blank and raw in field.empty_values:
            continue  # as clean_fields() skips it
        try:
            given.setdefault((type(raw), raw), []).append(instance)
        except TypeError:  # an unhashable value: checked on its own
            given[("record", id(instance))] = [instance]
    wanted = {}  # value -> the records that point to it
    for pointing in given.values():
        raw = getattr(pointing[0], field.attname)
        try:
            value = field.to_python(raw)
            # Null, blank and choices, without ForeignKey.validate's query; neither
            # depends on more than the value.
            super(models.ForeignKey, field).validate(value, pointing[0])
            field.run_validators(value)
        except ValidationError as error:
            for instance in pointing:
                yield instance, error.messages
            continue
        if value != raw:
            for instance in pointing:
                setattr(instance, field.attname, value)
        if value is not None:
            wanted.setdefault(value, []).extend(pointing)
    if not wanted:
        return
    related = field.remote_field.model
    target = field.remote_field.field_name
    found = set(
        related._base_manager.using(router.db_for_read(related))
        .filter(**{f"{target}__in": list(wanted)})
        .complex_filter(field.get_limit_choices_to())
        .order_by()
        .values_list(target, flat=True)
    )
    for value, pointing in wanted.items():
        if value in found:
            continue
        message = field.error_messages["invalid"] % {
            "model": related._meta.verbose_name,
            "pk": value,
            "field": target,
            "value": value,
        }
        for instance in pointing:
            yield instance, [message]


def _lock_changed(model, changed, names, versioned, expected_versions):
    """Lock the changed rows in one query and set each record's version to the stored one plus one."""
    if not changed:
        return
    unlisted = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in names and f.name != "version"
    ]
    if not versioned and not unlisted:
        return  # save_with_history neither locks nor reads an unversioned record
    columns = [f.attname for f in unlisted] + (["version"] if versioned else [])
    queryset = model._default_manager.filter(
        pk__in=[instance.pk for instance in changed]
    ).order_by()
    if versioned:
        queryset = queryset.select_for_update()
    stored = {row["pk"]: row for row in queryset.values("pk", *columns)}
    for instance in changed:
        row = stored.get(instance.pk)
        if row is None:
            raise model.DoesNotExist(f"{model.__name__} {instance.pk} no longer exists.")
        expected = expected_versions.get(instance.pk)
        if versioned and expected is not None and row["version"] != expected:
            raise _conflict(model, instance.pk, expected)
        for f in unlisted:
            if row[f.attname] != getattr(instance, f.attname):
                raise ValueError(
                    f"{model.__name__} {instance.pk}: {f.name} differs from the stored record "
                    "but is not among the fields to update."
                )
        if versioned:
            instance.version = row["version"] + 1


def _update_in_bulk(model, changed, names):
    """Write the fields ``names`` of the ``changed`` records in one UPDATE.

    Django's ``bulk_update`` builds a condition for every record and field,
    which costs about a millisecond a record; here the records are grouped by
    value, so a field most records share a value of (a status, a date, the
    version) costs one condition per value, and a field they all share, none.
    """
    connection = connections[router.db_for_write(model)]
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        groups = {}  # value -> (the value, the keys of the records that take it)
        for instance in changed:
            value = getattr(instance, field.attname)
            try:
                key = (type(value), value)
                hash(key)
            except TypeError:  # a value such as a list: a group of its own
                key = ("record", instance.pk)
            groups.setdefault(key, (value, []))[1].append(instance.pk)
        if len(groups) == 1:
            [(value, _keys)] = groups.values()
            values[field.attname] = models.Value(value, output_field=field)
            continue
        case = models.Case(
            *[
                models.When(pk__in=keys, then=models.Value(value, output_field=field))
                for value, keys in groups.values()
            ],
            output_field=field,
        )
        if connection.features.requires_casted_case_in_updates:
            case = Cast(case, output_field=field)
        values[field.attname] = case
    if values:
        model._default_manager.filter(pk__in=[instance.pk for instance in changed]).update(**values)


HISTORY_FIELDS = {"history_date", "history_user", "history_change_reason", "history_type"}


def _history_in_bulk(model, records, using, *, update, by, reason):
    """A history row for each of ``records`` just written, as ``bulk_history_create`` makes them.

    On PostgreSQL and SQLite the database copies each row into its history
    table in one INSERT ... SELECT, in the order of ``records``, all dated now;
    no historical record is built in Python. A history model with fields of
    its own beyond django-simple-history's usual ones is left to
    ``bulk_history_create``.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    manager = get_history_manager_for_model(model)
    connection = connections[using]
    copy = _history_copy(model, manager.model, connection)
    if copy is None:
        manager.bulk_history_create(
            records, update=update, default_user=by, default_change_reason=reason
        )
        return
    sql, fields = copy
    extra = {
        "history_date": timezone.now(),
        "history_user": by.pk if by is not None else None,
        "history_change_reason": reason,
        "history_type": "~" if update else "+",
    }
    params = [field.get_db_prep_save(extra[field.name], connection) for field in fields]
    keys = [model._meta.pk.get_db_prep_value(record.pk, connection) for record in records]
    if connection.vendor == "sqlite":
        keys = json.dumps(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, keys])


_history_copies = {}  # (model, history model, vendor) -> (SQL, the history fields it sets)


def _history_copy(model, history, connection):
    """The INSERT ... SELECT that copies rows of ``model`` into ``history``, or None."""
    cache_key = (model, history, connection.vendor)
    if cache_key in _history_copies:
        return _history_copies[cache_key]
    _history_copies[cache_key] = copy = _build_history_copy(model, history, connection)
    return copy


def _build_history_copy(model, history, connection):
    if connection.vendor not in ("postgresql", "sqlite") or hasattr(history, "history_relation"):
        return None
    if connection.vendor == "sqlite" and not connection.features.supports_json_field:
        return None
    try:
        tracked = [(f, history._meta.get_field(f.name)) for f in history.tracked_fields]
        fields = [history._meta.get_field(name) for name in sorted(HISTORY_FIELDS)]
    except FieldDoesNotExist:
        return None
    written = {target.name for _f, target in tracked} | HISTORY_FIELDS
    if (
        not isinstance(history._meta.pk, AutoFieldMixin)
        # history_user: a key to the user, not a custom id field
        or not history._meta.get_field("history_user").many_to_one
        or {f.name for f in history._meta.concrete_fields if not f.primary_key} != written
    ):
        return None
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = (
        ", ".join(quote(target.column) for _f, target in tracked)
        + ", "
        + ", ".join(quote(f.column) for f in fields)
    )
    values = (
        ", ".join(f"t.{quote(f.column)}" for f, _target in tracked)
        + ", "
        + ", ".join(["%s"] * len(fields))
    )
    if connection.vendor == "postgresql":
        keys = f"unnest(%s::{pk.rel_db_type(connection)}[]) WITH ORDINALITY AS k(value, key)"
    else:
        keys = "json_each(%s) AS k"
    # Every name comes from the models and is quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}) SELECT {values} "  # noqa: S608
        f"FROM {keys} JOIN {quote(model._meta.db_table)} t ON t.{quote(pk.column)} = k.value "
        "ORDER BY k.key"
    )
    return sql, fields


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
