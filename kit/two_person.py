"""The two-person rule: whoever wrote or changed text cannot also approve or publish it.

Who wrote what is read from the records' history (django-simple-history): a
person "wrote" a record's text when one of their saves changed one of its
text fields. For text that goes public and may be changed afterwards (a
meeting's public summary, a "You said, we did" entry, a plan's summary for
families), only the writers since the text was last public count: once a
second person has published it, the next change needs a second person again,
not a third.

The rule for plans, meetings and "You said, we did" entries can be turned
off by the deployment (``PORTAL_TWO_PERSON_RULE``); a progress update's
approval and publication always need a second person.
"""

from django.conf import settings


def two_person_rule_on():
    """Does publishing public text need a second person? (Deployment setting, on by default.)"""
    return bool(getattr(settings, "PORTAL_TWO_PERSON_RULE", True))


def read_writers(objects, *, fields, is_public=None, author_field=None, cache="_writers"):
    """Work out, in one query, who wrote the text of each of ``objects`` (cached on each).

    ``fields`` are the text fields. ``is_public(values)``, when given, says
    whether a history record's values show the text as public; the writers
    are then counted only since the last such record. ``author_field`` (an
    attribute such as ``author_id``) names a person who always counts.
    """
    objects = [obj for obj in objects if getattr(obj, cache, None) is None]
    if not objects:
        return
    model = type(objects[0])
    writers = {}
    for obj in objects:
        author = getattr(obj, author_field, None) if author_field else None
        writers[obj.pk] = {author} - {None}
    saved = [obj.pk for obj in objects if obj.pk is not None]
    records = (
        model.history.filter(id__in=saved)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_user_id", *fields, *_other_fields(model, fields, is_public))
        if saved
        else []
    )
    previous = {}
    for record in records:
        content = tuple(record[field] for field in fields)
        pk = record["id"]
        if content != previous.get(pk) and record["history_user_id"] is not None:
            writers[pk].add(record["history_user_id"])
        previous[pk] = content
        if is_public is not None and is_public(record):
            writers[pk] = set()
    for obj in objects:
        setattr(obj, cache, writers[obj.pk])


def _other_fields(model, fields, is_public):
    """Every other stored field of ``model``, when there is an ``is_public`` to read them."""
    if is_public is None:
        return []
    names = {field.attname for field in model._meta.concrete_fields} - {"id", *fields}
    return sorted(names)


def writers(obj, *, fields, is_public=None, author_field=None, cache="_writers"):
    """The ids of the people who wrote ``obj``'s text (see ``read_writers``), read once per object."""
    if getattr(obj, cache, None) is None:
        read_writers(
            [obj], fields=fields, is_public=is_public, author_field=author_field, cache=cache
        )
    return getattr(obj, cache)


def forget_writers(obj, cache="_writers"):
    """Who wrote ``obj`` has changed (it was saved): read it again next time."""
    obj.__dict__.pop(cache, None)


def changed_text(obj, stored, fields):
    """The text fields whose value in ``obj`` differs from ``stored`` (None: a new record)."""
    if stored is None:
        return [field for field in fields if getattr(obj, field)]
    return [field for field in fields if getattr(obj, field) != getattr(stored, field)]
