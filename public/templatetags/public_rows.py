"""The home page's list of areas, written in Python because it has a row for every area.

``{% home_area_rows areas %}`` writes what a ``{% for %}`` over the rows in
templates/public/home.html wrote, character for character, at a fraction of
the cost: the home page lists every local area in England.
"""

from django import template
from django.utils.safestring import mark_safe

from kit.templatetags.portal_tags import escape_value

register = template.Library()

ROW = (
    '\n        <li class="portal-area">'
    '\n          <h3 class="govuk-heading-s govuk-!-margin-bottom-2">'
    '<a class="govuk-link" href="{url}">{name}</a></h3>'
    '\n          <dl class="govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-0">'
    '\n            <div class="govuk-summary-list__row">'
    '\n              <dt class="govuk-summary-list__key">Where it stands now</dt>'
    '\n              <dd class="govuk-summary-list__value">{stands}</dd>'
    "\n            </div>"
    '\n            <div class="govuk-summary-list__row">'
    '\n              <dt class="govuk-summary-list__key">Is it getting better?</dt>'
    '\n              <dd class="govuk-summary-list__value">{line}</dd>'
    "\n            </div>"
    '\n            <div class="govuk-summary-list__row">'
    '\n              <dt class="govuk-summary-list__key">Next key date</dt>'
    '\n              <dd class="govuk-summary-list__value">{next_date}</dd>'
    "\n            </div>"
    "\n          </dl>"
    "\n        </li>"
    "\n      "
)


@register.simple_tag
def home_area_rows(rows):
    """Each area (a public.selectors.HomeRow): its name, where it stands, the summary line
    and the next key date ("None set" when there is none)."""
    return mark_safe(  # every value is escaped here
        "".join(
            ROW.format(
                url=escape_value(row.url),
                name=escape_value(row.name),
                stands=escape_value(row.stands),
                line=escape_value(row.line),
                next_date=escape_value(row.next_date or "None set"),
            )
            for row in rows
        )
    )
