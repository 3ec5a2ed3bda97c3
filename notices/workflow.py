"""Emails on each step of an update's workflow, and when a progress report is ready.

Connected in ``NoticesConfig.ready()`` to the signals the progress layer sends
once a step is committed (``progress.signals``):

* **submitted**: every officer and area administrator of the area, except the
  person who submitted it;
* **returned** (with the reason), **approved** and **published**: the person who
  wrote the update, unless they took the step themselves;
* a publication **set for later**: ``notices.scheduled.notify_publications_done``
  tells the author and the approver once the time has passed;
* **report ready**: the officer who asked for the report.

Only people who can still see the area are sent anything, every email links
to the page to go to, and no subject line holds anything internal (no
narrative, no action title): only what happened and the area's name.
"""

import logging

from django.db import transaction
from django.utils import timezone

from inspections.access import ROLE_PERMISSIONS, Can, user_can
from inspections.models import Membership
from kit.dates import format_date
from kit.links import action_url

from .kinds import Kind
from .links import absolute_url
from .outbox import queue_message

log = logging.getLogger(__name__)


def person_name(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def roles_that_may(permission):
    return [role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions]


def can_see(user, area):
    return user is not None and user.is_active and user_can(user, area, Can.VIEW)


def update_context(update, by):
    action = update.action
    area = action.plan.area
    publish_at = timezone.localtime(update.publish_at) if update.publish_at else None
    return {
        "area_name": area.name,
        "action_ref": action.ref,
        "action_title": action.title,
        "period": f"{format_date(update.period_start)} to {format_date(update.period_end)}",
        "by_name": person_name(by),
        "author_name": person_name(update.author),
        "return_reason": update.return_reason,
        "publish_date": format_date(publish_at.date()) if publish_at else "",
        "publish_time": f"{publish_at:%-I:%M%p}".lower() if publish_at else "",
        "action_url": absolute_url(action_url(area, action, anchor=f"update-{update.pk}")),
    }


def _key(kind, update, user):
    # The update's version is raised by every step, so a second submission
    # after a return is a new email, while the same step is never sent twice.
    return f"{Kind(kind).value}:{update.pk}:v{update.version}:{user.pk}"


def _to_author(update, by, kind, template, **extra):
    author = update.author
    area = update.action.plan.area
    if author is None or author == by or not can_see(author, area):
        return 0
    context = {**update_context(update, by), "name": person_name(author), **extra}
    sent = queue_message(
        key=_key(kind, update, author),
        kind=kind,
        to=author.email,
        template=template,
        context=context,
        user=author,
    )
    return int(sent is not None)


def officers_of(area, *, but=None):
    """The active people who may approve in ``area`` (officers, area administrators)."""
    memberships = (
        Membership.objects.filter(area=area, role__in=roles_that_may(Can.APPROVE))
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    if but is not None:
        memberships = memberships.exclude(user=but)
    return [membership.user for membership in memberships]


def notify_submitted(update, by):
    context = update_context(update, by)
    queued = 0
    for officer in officers_of(update.action.plan.area, but=by):
        sent = queue_message(
            key=_key(Kind.UPDATE_SUBMITTED, update, officer),
            kind=Kind.UPDATE_SUBMITTED,
            to=officer.email,
            template="update_submitted",
            context={**context, "name": person_name(officer)},
            user=officer,
        )
        queued += sent is not None
    return queued


def notify_returned(update, by):
    return _to_author(update, by, Kind.UPDATE_RETURNED, "update_returned")


def notify_approved(update, by):
    return _to_author(update, by, Kind.UPDATE_APPROVED, "update_approved")


def notify_published(update, by):
    later = update.publish_at is not None and update.publish_at > timezone.now()
    return _to_author(update, by, Kind.UPDATE_PUBLISHED, "update_published", later=later)


STEP_NOTICES = {
    "submit": notify_submitted,
    "return": notify_returned,
    "approve": notify_approved,
    "publish": notify_published,
}


def on_update_step_taken(sender, update, step, by, **kwargs):
    notify = STEP_NOTICES.get(step)
    if notify is None:
        return
    with transaction.atomic():
        notify(update, by)


def on_report_ready(sender, report, **kwargs):
    requester = report.requested_by
    area = report.plan.area
    if requester is None or not can_see(requester, area):
        return
    context = {
        "name": person_name(requester),
        "area_name": area.name,
        "audience": report.get_audience_display(),
        "is_public": report.audience == report.Audience.PUBLIC,
        "period": f"{format_date(report.period_start)} to {format_date(report.period_end)}",
        "report_url": absolute_url("progress:report", area.slug, report.pk),
    }
    with transaction.atomic():
        queue_message(
            key=f"{Kind.REPORT_READY.value}:{report.pk}:{requester.pk}",
            kind=Kind.REPORT_READY,
            to=requester.email,
            template="report_ready",
            context=context,
            user=requester,
        )


# The parent carer forum's challenges, and the board's replies (progress.forum).


def forum_context(challenge):
    update = challenge.update
    action = update.action
    area = action.plan.area
    return {
        "area_name": area.name,
        "action_ref": action.ref,
        "action_title": action.title,
        "period": f"{format_date(update.period_start)} to {format_date(update.period_end)}",
        "challenge": challenge.text,
        "asked_on": format_date(timezone.localdate(challenge.responded_at)),
    }


def on_forum_challenged(sender, response, **kwargs):
    """Every officer and area administrator of the area: the board must reply."""
    area = response.update.action.plan.area
    context = {
        **forum_context(response),
        "reply_url": absolute_url("progress:forum-reply", area.slug, response.pk),
    }
    with transaction.atomic():
        for officer in officers_of(area):
            queue_message(
                key=f"{Kind.FORUM_CHALLENGE.value}:{response.pk}:{officer.pk}",
                kind=Kind.FORUM_CHALLENGE,
                to=officer.email,
                template="forum_challenge",
                context={**context, "name": person_name(officer)},
                user=officer,
            )


def on_forum_replied(sender, reply, **kwargs):
    """The forum representative who challenged: the board has answered."""
    challenge = reply.challenge
    area = challenge.update.action.plan.area
    forum_member = challenge.responded_by
    if forum_member is None or not forum_member.is_active:
        return
    if not user_can(forum_member, area, Can.RESPOND):
        return
    context = {
        **forum_context(challenge),
        "name": person_name(forum_member),
        "reply": reply.text,
        "forum_url": absolute_url("progress:forum", area.slug),
    }
    with transaction.atomic():
        queue_message(
            key=f"{Kind.FORUM_REPLY.value}:{reply.pk}:{forum_member.pk}",
            kind=Kind.FORUM_REPLY,
            to=forum_member.email,
            template="forum_reply",
            context=context,
            user=forum_member,
        )
