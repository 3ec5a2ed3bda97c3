"""Small template tags used on many pages, written in Python because they render often.

``{% status_tag value label %}`` is the same GOV.UK tag as
templates/includes/status_tag.html, without the cost of an include per tag
(a public area page shows hundreds of them).
"""

import functools
import html
import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# The colour is a second cue only: the words are always shown.
TAG_COLOURS = {
    "delivered": "",
    "submitted": "",
    "closed_by_review": "",
    "on_track": "green",
    "clear_evidence": "green",
    "published": "green",
    "judged_fit": "green",
    "sufficient_progress": "green",
    "effective_action": "green",
    "no_longer_priority": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "judged_not_fit": "red",
    "insufficient_progress": "red",
    "not_effective_action": "red",
    "still_priority": "red",
    "some_evidence": "teal",
    "approved": "teal",
    "returned": "orange",
    "still_monitored": "orange",
}


@register.simple_tag
def status_tag(status, label=None):
    return _tag(status, label)


# Built with f-strings, not format_html: the same HTML at a fraction of the cost, for
# the hundreds of tags and rows on a big area page.


# Most values (refs, titles, dates) have nothing to escape: one search, not five replaces.
_ESCAPED = re.compile(r"[&<>\"']")


def escape_value(value):
    """What format_html does to each value: safe text as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    text = str(value)
    return html.escape(text) if _ESCAPED.search(text) else text


def _tag(status, label):
    if type(status) is str and type(label) is str:  # plain text: the same few, many times
        return _plain_tag(status, label)
    return _build_tag(status, label)


def _build_tag(status, label):
    colour = TAG_COLOURS.get(status, "grey")
    css = f"govuk-tag govuk-tag--{colour}" if colour else "govuk-tag"
    return mark_safe(f'<strong class="{css}">{escape_value(label or status)}</strong>')


@functools.lru_cache(maxsize=512)
def _plain_tag(status, label):
    return _build_tag(status, label)


@register.simple_tag
def public_action_rows(actions):
    """The rows of a finding's public action table (hundreds on a big plan, so built here).

    An action past its due date and not delivered says so beside its delivery status.
    """
    none_yet = "No published update yet"
    return mark_safe(
        "\n".join(
            f'<tr class="govuk-table__row"><td class="govuk-table__cell">'
            f"{escape_value(item.ref)} {escape_value(item.title)}</td>"
            f'<td class="govuk-table__cell">'
            f"{_tag(item.delivery_status, item.delivery_label) if item.delivery_label else none_yet}"
            f'{_overdue(item)}</td><td class="govuk-table__cell">'
            f"{_tag(item.impact_status, item.impact_label) if item.impact_label else none_yet}"
            "</td></tr>"
            for item in actions
        )
    )


def _overdue(item):
    if not getattr(item, "overdue", False):
        return ""
    return _overdue_since(item.due_date)


@functools.lru_cache(maxsize=1024)
def _overdue_since(due_date):  # a plan's actions share a handful of due dates
    return (
        ' <strong class="govuk-tag govuk-tag--red">Overdue</strong> '
        f'<span class="portal-secondary-text">due {escape_value(f"{due_date:%-d %B %Y}")}</span>'
    )
