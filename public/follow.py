"""Follow an area by email: sign up, confirm by a link (double opt-in), a digest of news, stop.

* ``ask_to_follow(area, email, now)`` records a pending subscription and
  mails a link to confirm it. Whether or not the address already follows
  the area, the page says the same thing, so the form cannot be used to find
  out who follows what. At most one confirmation mail a day goes to an
  address for an area.
* ``confirm(token, now)`` turns a pending subscription on; news published
  from then on goes in its digests.
* ``stop(token)`` deletes the subscription: one click from any mail
  (RFC 8058), no sign-in.
* ``send_digests(now)`` runs from the scheduler (``send_reminders``,
  through ``notices.signals.schedule_ran``): to each confirmed subscription
  with news since its last digest, at most one digest a day, listing the
  progress updates and progress reports published since, with links. It
  reads news through the same public selectors as the pages, so a digest
  can never say more than they do. Pending subscriptions older than
  ``PENDING_DAYS`` are deleted.

Every mail goes through the notices outbox (``notices.outbox.queue_message``)
with an idempotency key, so rerunning the scheduler sends nothing twice.
"""

import datetime

from django.core import signing
from django.db import transaction
from django.urls import reverse

from kit.versioning import delete_with_history, save_with_history
from notices.kinds import Kind
from notices.links import absolute_url
from notices.outbox import queue_message

from . import selectors
from .models import PENDING_DAYS, Subscription

CONFIRM_SALT = "public.follow.confirm"
STOP_SALT = "public.follow.stop"
CONFIRM_MAX_AGE = datetime.timedelta(days=PENDING_DAYS)
DIGEST_EVERY = datetime.timedelta(hours=20)  # about once a day, whatever the scheduler's rhythm


class BadLink(Exception):
    """A confirm or stop link that is broken, tampered with or too old."""


def confirm_token(subscription):
    return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=CONFIRM_SALT)


def stop_token(subscription):
    return signing.dumps({"s": subscription.pk}, salt=STOP_SALT)


def stop_url(subscription):
    return absolute_url(reverse("public:follow-stop", args=[stop_token(subscription)]))


@transaction.atomic
def ask_to_follow(area, email, *, now):
    """Record that ``email`` asked to follow ``area`` and mail it a link to confirm."""
    email = email.strip()
    subscription = (
        Subscription.objects.select_for_update().filter(area=area, email__iexact=email).first()
    )
    if subscription is None:
        subscription = save_with_history(
            Subscription(area=area, email=email, created_at=now),
            by=None,
            reason="Asked to follow the area",
        )
    if subscription.is_confirmed:
        return subscription  # nothing to confirm; the page says the same either way
    queue_message(
        key=f"follow-confirm:{subscription.pk}:{now:%Y-%m-%d}",
        kind=Kind.SUBSCRIPTION_CONFIRM,
        to=subscription.email,
        template="subscription_confirm",
        context={
            "area": area,
            "confirm_url": absolute_url(
                reverse("public:follow-confirm", args=[confirm_token(subscription)])
            ),
            "days": PENDING_DAYS,
        },
        unsubscribe_url=stop_url(subscription),
    )
    return subscription


def _load(token, salt, max_age=None):
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
        return Subscription.objects.select_related("area").get(pk=data["s"])
    except (signing.BadSignature, KeyError, TypeError, Subscription.DoesNotExist):
        raise BadLink from None


def pending_for(token):
    """The subscription a confirm link is for (confirmed or not), or BadLink."""
    subscription = _load(token, CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if signing.loads(token, salt=CONFIRM_SALT)["e"] != subscription.email:
        raise BadLink
    return subscription


@transaction.atomic
def confirm(token, *, now):
    subscription = pending_for(token)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not subscription.is_confirmed:
        subscription.confirmed_at = now
        subscription.news_since = now
        save_with_history(subscription, by=None, reason="Confirmed by the link in the email")
    return subscription


def subscription_for_stop(token):
    return _load(token, STOP_SALT)


@transaction.atomic
def stop(token):
    """Delete the subscription a stop link is for; False if it had already gone."""
    try:
        subscription = subscription_for_stop(token)
    except BadLink:
        return False
    delete_with_history(subscription, by=None, reason="Stopped by the link in an email")
    return True


# The digest.


def _news(area, since, now):
    """Updates and reports published in (since, now], oldest first, read as the public reads them."""
    updates = list(
        selectors.area_public_updates(area, now)
        .filter(publish_at__gt=since)
        .select_related("action")
        .order_by("publish_at", "pk")
    )
    reports = list(
        selectors.published_reports(area)
        .filter(published_at__gt=since, published_at__lte=now)
        .order_by("published_at", "pk")
    )
    return updates, reports


def _update_item(area, update):
    action = update.action
    link = reverse("public:area-finding", args=[area.slug, action.finding_id])
    return {
        "title": f"Action {action.ref}: {action.title}",
        "period": f"{update.period_start:%-d %B %Y} to {update.period_end:%-d %B %Y}",
        "delivery": update.get_delivery_status_display(),
        "impact": update.get_impact_status_display(),
        "summary": update.public_summary,
        "when": update.publish_at,
        "url": absolute_url(f"{link}#action-{action.pk}"),
    }


def _report_item(area, report):
    return {
        "title": str(report),
        "when": report.published_at,
        "url": absolute_url(reverse("public:public-report", args=[area.slug, report.uuid])),
    }


def send_digests(now, **kwargs):
    """Queue today's digests; return how many were queued. Safe to run again."""
    Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - CONFIRM_MAX_AGE
    ).delete()
    queued = 0
    due = (
        Subscription.objects.filter(confirmed_at__isnull=False)
        .exclude(last_digest_at__gt=now - DIGEST_EVERY)
        .select_related("area")
        .order_by("area_id", "pk")
    )
    by_area = {}
    for subscription in due:
        by_area.setdefault(subscription.area, []).append(subscription)
    for area, subscriptions in by_area.items():
        since = min(s.news_since or s.confirmed_at for s in subscriptions)
        updates, reports = _news(area, since, now)
        if not updates and not reports:
            continue
        for subscription in subscriptions:
            queued += _send_digest(area, subscription, updates, reports, now)
    return queued


@transaction.atomic
def _send_digest(area, subscription, updates, reports, now):
    since = subscription.news_since or subscription.confirmed_at
    mine = [_update_item(area, u) for u in updates if u.publish_at > since]
    my_reports = [_report_item(area, r) for r in reports if r.published_at > since]
    if not mine and not my_reports:
        return 0
    message = queue_message(
        key=f"public-digest:{subscription.pk}:{now:%Y-%m-%d}",
        kind=Kind.PUBLIC_DIGEST,
        to=subscription.email,
        template="public_digest",
        context={
            "area": area,
            "updates": mine,
            "reports": my_reports,
            "area_url": absolute_url(reverse("public:area", args=[area.slug])),
        },
        unsubscribe_url=stop_url(subscription),
    )
    subscription.news_since = now
    subscription.last_digest_at = now
    save_with_history(subscription, by=None, reason="Digest sent")
    return 1 if message is not None else 0
