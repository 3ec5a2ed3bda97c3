"""Follow an area: an Atom feed of everything new on its public pages.

One feed per area at ``/areas/<slug>/feed/``. Its entries are the area's
published progress updates (what each said, when it appeared) and every
event of its public timeline (inspections, verdicts, interventions, plans,
reviews, published reports, board meetings), newest first. It is built from
the same public selectors as the pages, so it can never say more than they
do: an update scheduled for later is not in the feed until it is published.
A withdrawn update keeps its entry (the same id, so feed readers replace
it), saying only "Withdrawn on DATE: reason", never what it said; a withdrawn
report's timeline events say the same and link to no PDF.

Feed readers show an entry's summary as HTML, so every summary is escaped
here before Django's feed writer escapes it again for XML; a summary can
never carry markup of its own.
"""

import datetime
import hashlib

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks

from progress import withdrawal

from . import selectors

MAX_ENTRIES = 50


class Entry:
    """One feed entry, whatever it comes from."""

    def __init__(self, *, title, summary, link, when, kind, key, published=None):
        self.title = title
        self.summary = summary
        self.link = link
        self.when = when  # when it last changed: the feed's order
        self.published = published or when  # when it first appeared
        self.kind = kind
        self.key = key


def _moment(value):
    """A date or datetime as an aware datetime (a date counts from the start of its day)."""
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def _update_entries(area, now):
    updates = (
        selectors.area_public_updates(area, now)
        .select_related("action")
        .order_by("-publish_at", "-pk")[:MAX_ENTRIES]
    )
    for update in updates:
        action = update.action
        link = reverse("public:area-finding", args=[area.slug, action.finding_id])
        period = f"{update.period_start:%-d %B %Y} to {update.period_end:%-d %B %Y}"
        lines = [
            f"Delivery: {update.get_delivery_status_display()}. "
            f"Impact for families: {update.get_impact_status_display()}.",
            update.public_summary,
        ]
        yield Entry(
            title=f"Update on action {action.ref}: {action.title} ({period})",
            summary="\n\n".join(line for line in lines if line),
            link=f"{link}#action-{action.pk}",
            when=update.publish_at,
            kind="update",
            key=f"update-{update.pk}",
        )


def _withdrawn_update_entries(area):
    """The area's withdrawn updates: the notice in place of what they said, dated when withdrawn."""
    updates = (
        withdrawal.area_withdrawn_updates(area)
        .select_related("action")
        .order_by("-withdrawn_at", "-pk")[:MAX_ENTRIES]
    )
    for update in updates:
        action = update.action
        link = reverse("public:area-finding", args=[area.slug, action.finding_id])
        period = f"{update.period_start:%-d %B %Y} to {update.period_end:%-d %B %Y}"
        yield Entry(
            title=f"Withdrawn: update on action {action.ref}: {action.title} ({period})",
            summary=withdrawal.notice(update),
            link=f"{link}#update-{update.pk}",
            when=update.withdrawn_at,
            published=update.publish_at,
            kind="update",
            key=f"update-{update.pk}",
        )


def _timeline_entries(area, today):
    for event in selectors.area_timeline(area, today=today):
        if event.date is None:
            continue  # an undated event has no place in a list ordered by date
        when = _moment(event.date.date)  # a month or a year counts from its first day
        text = "\n\n".join([event.text, *event.details])
        digest = hashlib.sha256(f"{event.kind}|{event.iso}|{event.text}".encode()).hexdigest()
        yield Entry(
            title=f"{event.kind_label}: {event.text}",
            summary=text,
            link=event.url or reverse("public:area", args=[area.slug]) + "#timeline",
            when=when,
            kind=event.kind,
            key=f"{event.kind}-{digest[:16]}",
        )


class AreaFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return selectors.public_area(slug)

    def title(self, area):
        return f"SEND improvement in {area.name}: what is new"

    def subtitle(self, area):
        return (
            f"Progress updates, reports, board meetings, inspections and reviews "
            f"for special educational needs and disabilities (SEND) services in {area.name}."
        )

    def link(self, area):
        return reverse("public:area", args=[area.slug])

    def feed_url(self, area):
        return reverse("public:area-feed", args=[area.slug])

    def items(self, area):
        now = timezone.now()
        entries = [
            *_update_entries(area, now),
            *_withdrawn_update_entries(area),
            *_timeline_entries(area, timezone.localdate(now)),
        ]
        entries.sort(key=lambda entry: (entry.when, entry.key), reverse=True)
        return entries[:MAX_ENTRIES]

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return linebreaks(escape(entry.summary))

    def item_link(self, entry):
        return entry.link

    def item_guid(self, entry):
        return f"{entry.link.split('#')[0]}#{entry.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.published

    def item_updateddate(self, entry):
        return entry.when

    def item_categories(self, entry):
        return [entry.kind]
