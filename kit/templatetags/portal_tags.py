"""Small template tags used on many pages, written in Python because they render often.

``{% status_tag value label %}`` is the same GOV.UK tag as
templates/includes/status_tag.html, without the cost of an include per tag
(a public area page shows hundreds of them).
"""

from django import template
from django.utils.html import format_html, format_html_join

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


def _tag(status, label):
    colour = TAG_COLOURS.get(status, "grey")
    css = f"govuk-tag govuk-tag--{colour}" if colour else "govuk-tag"
    return format_html('<strong class="{}">{}</strong>', css, label or status)


@register.simple_tag
def public_action_rows(actions):
    """The rows of a finding's public action table (hundreds on a big plan, so built here).

    An action past its due date and not delivered says so beside its delivery status.
    """
    none_yet = "No published update yet"
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><td class="govuk-table__cell">{} {}</td>'
        '<td class="govuk-table__cell">{}{}</td><td class="govuk-table__cell">{}</td></tr>',
        (
            (
                item.ref,
                item.title,
                _tag(item.delivery_status, item.delivery_label)
                if item.delivery_label
                else none_yet,
                _overdue(item),
                _tag(item.impact_status, item.impact_label) if item.impact_label else none_yet,
            )
            for item in actions
        ),
    )


def _overdue(item):
    if not getattr(item, "overdue", False):
        return ""
    return format_html(
        ' <strong class="govuk-tag govuk-tag--red">Overdue</strong> '
        '<span class="portal-secondary-text">due {}</span>',
        f"{item.due_date:%-d %B %Y}",
    )
