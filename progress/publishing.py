"""Board meetings' public summaries and "You said, we did" entries: a second person publishes them.

With the two-person rule on (``PORTAL_TWO_PERSON_RULE``, the default), the
person who wrote or changed a record's public text since it was last public
cannot be the one who publishes it: another officer or area administrator
does, by ticking "publish" and saving without changing the text. The edit
forms say so and disable the control for the writer; ``save_public_record``
checks again, under a row lock, and refuses (403) a save that breaks the rule.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from kit import two_person
from kit.versioning import save_with_history

from .models import BoardMeeting, YouSaidWeDid

# The fields the public reads, per model, and how the page names them.
PUBLIC_TEXT = {
    BoardMeeting: ("what_was_said", "what_we_will_do"),
    YouSaidWeDid: ("you_said", "we_did"),
}
NAMED = {
    BoardMeeting: "this meeting’s public summary",
    YouSaidWeDid: "this “You said, we did” entry",
}
PUBLISH_LABEL = {
    BoardMeeting: "Publish the public summary",
    YouSaidWeDid: "Publish this on the area’s public page",
}


def _is_public(values):
    return bool(values["is_published"])


def writers(record):
    """The ids of the people who wrote or changed ``record``'s public text since it was last public."""
    return two_person.writers(
        record, fields=PUBLIC_TEXT[type(record)], is_public=_is_public, cache="_public_writers"
    )


def wrote_it(model):
    """What the writer is told, beside the control they may not use."""
    return f"You wrote or changed {NAMED[model]}, so another officer must publish it."


def writer_may_not_publish(record, user):
    """Is ``record`` unpublished public text that ``user`` wrote, so they may not publish it?"""
    model = type(record)
    return (
        two_person.two_person_rule_on()
        and record.pk is not None
        and not record.is_published
        and any(getattr(record, field) for field in PUBLIC_TEXT[model])
        and user.pk in writers(record)
    )


def publish_problem(model, values, stored, user):
    """Why ``user`` may not save ``values`` over ``stored`` (None: a new record), or None.

    Publishing is refused when the text that would go public was written or
    changed by ``user``: in this save, or since the record was last public.
    """
    if not two_person.two_person_rule_on() or not values.get("is_published"):
        return None
    fields = PUBLIC_TEXT[model]
    if not any(values.get(field) for field in fields):
        return None  # no public text: nothing written to check
    if stored is None:
        changed = True
    else:
        changed = any(values.get(field) != getattr(stored, field) for field in fields)
        if stored.is_published and not changed:
            return None  # already public as it is
    if changed or user.pk in writers(stored):
        label = PUBLISH_LABEL[model]
        return (
            f"{wrote_it(model)} Untick “{label}” to save your changes; "
            "they stay off the public site until another officer publishes them."
        )
    return None


@transaction.atomic
def save_public_record(record, *, by, reason, expected_version=None):
    """Save a meeting or "You said, we did" entry, refusing to let its writer publish it."""
    model = type(record)
    stored = None
    if record.pk is not None:
        stored = model.objects.select_for_update().get(pk=record.pk)
    values = {field: getattr(record, field) for field in (*PUBLIC_TEXT[model], "is_published")}
    problem = publish_problem(model, values, stored, by)
    if problem:
        raise PermissionDenied(problem)
    saved = save_with_history(record, by=by, reason=reason, expected_version=expected_version)
    two_person.forget_writers(record, cache="_public_writers")
    return saved
