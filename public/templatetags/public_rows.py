"""The home page's list of areas, written in Python because it has a row for every area.

``{% home_area_rows areas %}`` writes what a ``{% for %}`` over the rows in
templates/public/home.html wrote, character for character, at a fraction of
the cost: the home page lists every local area in England.
"""

from django import template
from django.template.defaultfilters import date, linebreaksbr, lower
from django.urls import reverse
from django.utils.safestring import mark_safe

from kit.templatetags.portal_tags import escape_value, public_action_rows, status_tag

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


# The area page's "What is being done now": a section for each finding the plan
# answers, with its verdicts, what it means for families, the latest update and the
# table of its actions. A big plan has dozens of findings and hundreds of actions, so
# this writes what the {% for %} over them in templates/public/area.html wrote,
# character for character, for the price of a few f-strings per finding.


@register.simple_tag(name="judged_by")
def judged_by_tag(judgement):
    """``{% judged_by judgement %}``: who gave a verdict and when, escaped."""
    return mark_safe(judged_by(judgement))  # every value is escaped there


def judged_by(judgement):
    """Who gave a verdict and when: the inspection, or the review, its reviewer and date."""
    inspection = judgement.inspection
    if inspection:
        start = inspection.start
        return escape_value(inspection.title) + (f", {escape_value(start)}" if start else "")
    review = judgement.review
    text = escape_value(review.name)
    if review.conducted_by:
        text += f" by {escape_value(review.conducted_by)}"
    if review.held:
        text += f", {escape_value(review.held)}"
    return text


def _wording(finding):
    """Whose words a finding is in, when not the report's own: "(summarised)", or nothing."""
    if finding.wording == "verbatim":
        return ""
    return (
        '<span class="portal-secondary-text">'
        f"({escape_value(lower(finding.get_wording_display()))})</span>"
    )


def _finding_section(group, finding_url):
    finding = group.finding
    pk = escape_value(finding.pk)
    kind = finding.get_kind_display()
    named = f"{escape_value(kind)} {escape_value(finding.number)}"
    named_lower = f"{escape_value(lower(kind))} {escape_value(finding.number)}"
    wording = _wording(finding)
    parts = [
        f'\n      \n      <section class="portal-finding govuk-!-margin-bottom-8" '
        f'aria-labelledby="finding-{pk}">'
        f'\n        <h3 class="govuk-heading-m" id="finding-{pk}">{named}</h3>'
        f'\n        <p class="govuk-body">{escape_value(finding.text)}'
        f"{' ' + wording if wording else ''}</p>\n        "
    ]
    for judgement in finding.judgements.all():
        parts.append(
            f'\n          <p class="govuk-body">'
            f"{status_tag(judgement.verdict, judgement.get_verdict_display())}"
            f'\n            <span class="portal-secondary-text">– {judged_by(judgement)}</span></p>'
            "\n        "
        )
    parts.append("\n        ")
    if finding.families_summary:
        parts.append(
            '\n          <div class="govuk-inset-text">'
            '\n            <h4 class="govuk-heading-s">What this means for families</h4>'
            f'\n            <p class="govuk-body">{linebreaksbr(finding.families_summary, True)}</p>'
            "\n          </div>\n        "
        )
    parts.append("\n        ")
    latest = group.latest
    if latest:
        period = latest.summary_period_end
        period = f", for the period to {escape_value(date(period, 'j F Y'))}" if period else ""
        parts.append(
            '\n          <h4 class="govuk-heading-s">Latest update</h4>'
            f'\n          <p class="govuk-body">{linebreaksbr(latest.summary, True)}</p>'
            '\n          <p class="govuk-body-s portal-secondary-text">'
            f"On action {escape_value(latest.ref)}{period}.</p>\n        "
        )
    parts.append("\n        ")
    if group.actions:
        parts.append(
            '\n          <div class="portal-table-container" tabindex="0" role="region" '
            f'aria-label="Actions for {named_lower}"><table class="govuk-table govuk-!-font-size-16">'
            '\n            <caption class="govuk-table__caption govuk-table__caption--s">'
            f"Actions for {named_lower}</caption>"
            '\n            <thead class="govuk-table__head"><tr class="govuk-table__row">'
            '<th scope="col" class="govuk-table__header">Action</th>'
            '<th scope="col" class="govuk-table__header">Delivery</th>'
            '<th scope="col" class="govuk-table__header">Impact for families</th></tr></thead>'
            '\n            <tbody class="govuk-table__body">'
            f"\n              {public_action_rows(group.actions)}"
            "\n            </tbody>\n          </table></div>"
            f'\n          <p class="govuk-body"><a class="govuk-link" href="{finding_url(finding.pk)}">'
            "Every action’s latest update and evidence"
            f'<span class="govuk-visually-hidden"> for {named_lower}</span></a></p>\n        '
        )
    else:
        parts.append(
            '\n          <p class="govuk-body">No actions published for this yet.</p>\n        '
        )
    parts.append("\n      </section>\n      \n    ")
    return "".join(parts)


_PK_PLACEHOLDER = 987654321987


@register.simple_tag
def finding_sections(groups, area):
    """A section for each public.selectors.FindingProgress of the area's current plan."""

    # One reverse() for the area, the finding's pk put in its place: the same URL as
    # reverse() gives for each finding, at a fraction of the cost.
    pattern = reverse("public:area-finding", args=[area.slug, _PK_PLACEHOLDER])

    def finding_url(pk):
        return escape_value(pattern.replace(f"/{_PK_PLACEHOLDER}/", f"/{int(pk)}/"))

    return mark_safe(  # every value is escaped here
        "".join(_finding_section(group, finding_url) for group in groups)
    )


@register.simple_tag
def inspection_findings(findings):
    """The items of an inspection's list of what inspectors found, each with its verdicts."""
    parts = []
    for finding in findings:
        wording = _wording(finding)
        parts.append(
            '\n            <li class="portal-finding-item">'
            f"\n              <strong>{escape_value(finding.get_kind_display())} "
            f"{escape_value(finding.number)}:</strong> {escape_value(finding.text)}"
            f"\n              {wording}\n              "
        )
        for judgement in finding.judgements.all():
            parts.append(
                '\n                <span class="portal-verdict">'
                f"{status_tag(judgement.verdict, judgement.get_verdict_display())}"
                '\n                <span class="portal-secondary-text">– '
                f"{judged_by(judgement)}</span></span>\n              "
            )
        parts.append("\n            </li>\n          ")
    return mark_safe("".join(parts))  # every value is escaped here
