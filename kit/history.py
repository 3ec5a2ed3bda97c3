"""Readable change logs from django-simple-history records.

``describe_record_changes`` turns a model's history records into entries a
person can read: who, when, why, and each field's value before and after in
words (choice labels, names of related records, dates as "16 May 2018").
Related records are looked up in one query per related model, never one per
change, so a long log costs the same few queries as a short one.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from .dates import format_date

HIDDEN_FIELDS = {"id", "version"}
TYPE_WORDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    when: datetime.datetime
    who: object  # a user or None (a system change, such as an import)
    reason: str
    kind: str
    changes: list = field(default_factory=list)

    @property
    def who_name(self):
        return person_name(self.who) if self.who is not None else "The system"


def _concrete_fields(model, hidden):
    return {
        f.attname: f
        for f in model._meta.concrete_fields
        if f.attname not in hidden and f.name not in hidden
    }


def describe_record_changes(model, records, previous=None, *, hidden=()):
    """Entries for one record's history ``records`` (newest first).

    ``previous`` is the record before the oldest one given, if any. Only
    fields that changed are listed; a creation lists every field with a value.
    """
    return describe_histories(model, [(records, previous)], hidden=hidden)[0]


def describe_histories(model, series, *, hidden=()):
    """Entries for several records' histories at once: [(records, previous), ...].

    The names of related records are looked up once for all of them.
    """
    hidden = HIDDEN_FIELDS | set(hidden)
    fields = _concrete_fields(model, hidden)
    raw_series = []
    for records, previous in series:
        raw = []
        older = [*records[1:], previous]
        for record, before in zip(records, older, strict=True):
            pairs = []
            for attname, model_field in fields.items():
                new = getattr(record, attname)
                old = getattr(before, attname) if before is not None else None
                if before is None and record.history_type == "+":
                    if new in (None, ""):
                        continue
                elif new == old:
                    continue
                pairs.append((attname, model_field, old, new))
            raw.append((record, pairs))
        raw_series.append(raw)
    names = _related_names([item for raw in raw_series for item in raw])
    return [[_entry(record, pairs, names) for record, pairs in raw] for raw in raw_series]


def _entry(record, pairs, names):
    return ChangeEntry(
        when=record.history_date,
        who=record.history_user,
        reason=record.history_change_reason or "",
        kind=TYPE_WORDS.get(record.history_type, "Changed"),
        changes=[
            FieldChange(
                name=model_field.name,
                label=_label(model_field),
                old=show_value(model_field, old, names),
                new=show_value(model_field, new, names),
            )
            for _, model_field, old, new in pairs
        ],
    )


def _label(model_field):
    label = str(model_field.verbose_name)
    return label[0].upper() + label[1:]


def _related_names(raw):
    """{(related model, pk): name} for every foreign key value in the changes, in one query each."""
    wanted = defaultdict(set)
    for _, pairs in raw:
        for _, model_field, old, new in pairs:
            if model_field.is_relation:
                related = model_field.related_model
                wanted[related].update(v for v in (old, new) if v is not None)
    names = {}
    for related, pks in wanted.items():
        for obj in related._default_manager.filter(pk__in=pks):
            names[related, obj.pk] = name_of(obj)
    return names


def person_name(user):
    """How the portal names a person: their full name, else their username ('' for nobody)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def name_of(obj):
    """A related record as people read it: a person by name, anything else by its str()."""
    return person_name(obj) if hasattr(obj, "get_full_name") else str(obj)


def show_value(model_field, value, names):
    """A field's stored value in words; ``names`` gives related records' names by (model, pk)."""
    if value is None or value == "":
        return "(blank)"
    if model_field.is_relation:
        return names.get((model_field.related_model, value), "(a record since deleted)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)
