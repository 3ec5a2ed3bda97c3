"""Scheduler job: tell people when an update set to go out later is on the public site.

An officer may publish an update at a later time. When the scheduler runs
after that time, ``notify_publications_done`` emails the person who wrote the
update and the officer who approved it. An update counts as "set for later"
when its publication time is more than a minute after the moment the publish
step was taken (from the update's history); one published there and then
has had its email already (``update_published``).

Only publications in the last ``LOOK_BACK`` are looked at, so the first run
after the scheduler was stopped for a long time does not email about old
news. Each email has its key (``publication_done:<update>:<person>``), so
running the job again sends nothing twice.
"""

import datetime

from django.db.models import Min

from kit.links import action_url
from progress.models import ProgressUpdate

from .kinds import Kind
from .links import absolute_url
from .outbox import queue_message
from .workflow import can_see, person_name, update_context

LOOK_BACK = datetime.timedelta(days=7)
# A publication time this much after the publish step means it was set for later.
LATER_BY = datetime.timedelta(minutes=1)

Published = ProgressUpdate.State.PUBLISHED


def _publish_steps(update_ids):
    """{update id: when the publish step was taken}, from the updates' history (one query)."""
    return dict(
        ProgressUpdate.history.filter(id__in=update_ids, state=Published)
        .order_by()
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )


def notify_publications_done(now):
    """Queue an email to the author and the approver of each planned publication now done."""
    updates = list(
        ProgressUpdate.objects.filter(
            state=Published, publish_at__lte=now, publish_at__gt=now - LOOK_BACK
        ).select_related("action__plan__area", "author", "approved_by")
    )
    stepped = _publish_steps([update.pk for update in updates])
    queued = 0
    for update in updates:
        published_step = stepped.get(update.pk)
        if published_step is None or update.publish_at <= published_step + LATER_BY:
            continue
        area = update.action.plan.area
        people = {user.pk: user for user in (update.author, update.approved_by) if user}
        for user in people.values():
            if not can_see(user, area):
                continue
            context = {
                **update_context(update, None),
                "name": person_name(user),
                "is_author": user == update.author,
                "action_url": absolute_url(
                    action_url(area, update.action, anchor=f"update-{update.pk}")
                ),
                "public_url": absolute_url("public:area", area.slug),
            }
            message = queue_message(
                key=f"{Kind.PUBLICATION_DONE.value}:{update.pk}:{user.pk}",
                kind=Kind.PUBLICATION_DONE,
                to=user.email,
                template="publication_done",
                context=context,
                user=user,
            )
            queued += message is not None
    return queued
