"""The area page's finding sections and its lists of what inspectors found, written in
Python, read exactly as the template loops they replaced: every branch (verdicts by
inspection and by review, wording, what it means for families, latest update with and
without its period, no actions yet), every value escaped."""

import datetime
from types import SimpleNamespace

from django.template import Context, Template
from django.utils.safestring import mark_safe

from public.templatetags.public_rows import finding_sections, inspection_findings

# The loop templates/public/area.html had, as it was.
LOOP = Template(
    """{% load portal_tags %}    {% for group in finding_groups %}
      {% with finding=group.finding %}
      <section class="portal-finding govuk-!-margin-bottom-8" aria-labelledby="finding-{{ finding.pk }}">
        <h3 class="govuk-heading-m" id="finding-{{ finding.pk }}">{{ finding.get_kind_display }} {{ finding.number }}</h3>
        <p class="govuk-body">{{ finding.text }}{% if finding.wording != "verbatim" %} <span class="portal-secondary-text">({{ finding.get_wording_display|lower }})</span>{% endif %}</p>
        {% for judgement in finding.judgements.all %}
          <p class="govuk-body">{% status_tag judgement.verdict judgement.get_verdict_display %}
            <span class="portal-secondary-text">– {% if judgement.inspection %}{{ judgement.inspection.title }}{% if judgement.inspection.start %}, {{ judgement.inspection.start }}{% endif %}{% else %}{{ judgement.review.name }}{% if judgement.review.conducted_by %} by {{ judgement.review.conducted_by }}{% endif %}{% if judgement.review.held %}, {{ judgement.review.held }}{% endif %}{% endif %}</span></p>
        {% endfor %}
        {% if finding.families_summary %}
          <div class="govuk-inset-text">
            <h4 class="govuk-heading-s">What this means for families</h4>
            <p class="govuk-body">{{ finding.families_summary|linebreaksbr }}</p>
          </div>
        {% endif %}
        {% if group.latest %}
          <h4 class="govuk-heading-s">Latest update</h4>
          <p class="govuk-body">{{ group.latest.summary|linebreaksbr }}</p>
          <p class="govuk-body-s portal-secondary-text">On action {{ group.latest.ref }}{% if group.latest.summary_period_end %}, for the period to {{ group.latest.summary_period_end|date:"j F Y" }}{% endif %}.</p>
        {% endif %}
        {% if group.actions %}
          <div class="portal-table-container" tabindex="0" role="region" aria-label="Actions for {{ finding.get_kind_display|lower }} {{ finding.number }}"><table class="govuk-table govuk-!-font-size-16">
            <caption class="govuk-table__caption govuk-table__caption--s">Actions for {{ finding.get_kind_display|lower }} {{ finding.number }}</caption>
            <thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Action</th><th scope="col" class="govuk-table__header">Delivery</th><th scope="col" class="govuk-table__header">Impact for families</th></tr></thead>
            <tbody class="govuk-table__body">
              {% public_action_rows group.actions %}
            </tbody>
          </table></div>
          <p class="govuk-body"><a class="govuk-link" href="{% url 'public:area-finding' area.slug finding.pk %}">Every action’s latest update and evidence<span class="govuk-visually-hidden"> for {{ finding.get_kind_display|lower }} {{ finding.number }}</span></a></p>
        {% else %}
          <p class="govuk-body">No actions published for this yet.</p>
        {% endif %}
      </section>
      {% endwith %}
    {% endfor %}"""
)


def _finding(pk, number, kind, *, wording="verbatim", families="", judgements=()):
    return SimpleNamespace(
        pk=pk,
        number=number,
        text=f"Leaders <should> improve “{kind}” & 'more' {pk}.",
        wording=wording,
        get_wording_display=lambda: {"summarised": "Summarised By Us"}.get(wording, wording),
        get_kind_display=lambda: kind,
        families_summary=families,
        judgements=SimpleNamespace(all=lambda: list(judgements)),
    )


def _judgement(verdict, label, *, inspection=None, review=None):
    return SimpleNamespace(
        verdict=verdict, get_verdict_display=lambda: label, inspection=inspection, review=review
    )


def _action(ref, *, delivery=None, impact=None, overdue=False):
    return SimpleNamespace(
        ref=ref,
        title=f"Action {ref} <with> & marks",
        delivery_status=delivery,
        delivery_label=delivery and delivery.replace("_", " ").capitalize(),
        impact_status=impact,
        impact_label=impact and impact.replace("_", " ").capitalize(),
        overdue=overdue,
        due_date=datetime.date(2025, 3, 31),
    )


REVISIT = SimpleNamespace(title="Revisit <2021>", start="March 2021")
UNDATED = SimpleNamespace(title="Area SEND inspection", start=None)
REVIEW = SimpleNamespace(name="Progress review", conducted_by="DfE & NHS England", held="May 2025")
BARE_REVIEW = SimpleNamespace(name="Review <one>", conducted_by="", held=None)

GROUPS = [
    SimpleNamespace(
        finding=_finding(
            11,
            1,
            "Area for priority action",
            wording="summarised",
            families="Shorter waits.\nClearer <letters> & calls.\r\nMore help.",
            judgements=[
                _judgement("insufficient_progress", "Insufficient progress", inspection=REVISIT),
                _judgement("sufficient_progress", "Sufficient progress", inspection=UNDATED),
                _judgement("effective_action", "Effective action", review=REVIEW),
                _judgement("still_priority", "Still a priority", review=BARE_REVIEW),
            ],
        ),
        latest=SimpleNamespace(
            summary="Waits fell.\nLetters <now> go out & calls back.",
            ref="1.2",
            summary_period_end=datetime.date(2025, 2, 28),
        ),
        actions=[
            _action("1.1", delivery="on_track", impact="some_evidence"),
            _action("1.2", delivery="off_track", overdue=True),
            _action("1.3"),
        ],
    ),
    SimpleNamespace(
        finding=_finding(12, 2, "Area for improvement"),
        latest=SimpleNamespace(summary="Started.", ref="2.1", summary_period_end=None),
        actions=[_action("2.1", delivery="delivered", impact="clear_evidence")],
    ),
    SimpleNamespace(finding=_finding(13, 3, "Area for improvement"), latest=None, actions=[]),
    SimpleNamespace(
        finding=_finding(
            14, None, mark_safe("<em>Safe kind</em>"), families=mark_safe("<b>ok</b>")
        ),
        latest=None,
        actions=[_action("4.1")],
    ),
]
AREA = SimpleNamespace(slug="testshire")


def test_the_sections_read_exactly_as_the_template_loop_wrote_them():
    expected = LOOP.render(Context({"finding_groups": GROUPS, "area": AREA}))
    assert "    " + finding_sections(GROUPS, AREA) == expected


def test_no_sections_when_the_plan_answers_no_findings():
    assert finding_sections([], AREA) == ""


def test_every_value_is_escaped():
    written = finding_sections(GROUPS, AREA)
    assert (
        "Leaders &lt;should&gt; improve “Area for priority action” &amp; &#x27;more&#x27;"
        in written
    )
    assert "Clearer &lt;letters&gt; &amp; calls.<br>More help." in written
    assert "– Progress review by DfE &amp; NHS England, May 2025</span>" in written
    assert "– Review &lt;one&gt;</span>" in written
    assert "– Revisit &lt;2021&gt;, March 2021</span>" in written
    assert 'href="/areas/testshire/findings/12/"' in written
    assert "No actions published for this yet." in written
    assert "<em>Safe kind</em> None" in written  # already safe: kept as the template kept it


# The list of what inspectors found, under each inspection, as templates/public/area.html had it.
FOUND_LOOP = Template(
    """{% load portal_tags %}{% for finding in findings %}
            <li class="portal-finding-item">
              <strong>{{ finding.get_kind_display }} {{ finding.number }}:</strong> {{ finding.text }}
              {% if finding.wording != "verbatim" %}<span class="portal-secondary-text">({{ finding.get_wording_display|lower }})</span>{% endif %}
              {% for judgement in finding.judgements.all %}
                <span class="portal-verdict">{% status_tag judgement.verdict judgement.get_verdict_display %}
                <span class="portal-secondary-text">– {% if judgement.inspection %}{{ judgement.inspection.title }}{% if judgement.inspection.start %}, {{ judgement.inspection.start }}{% endif %}{% else %}{{ judgement.review.name }}{% if judgement.review.conducted_by %} by {{ judgement.review.conducted_by }}{% endif %}{% if judgement.review.held %}, {{ judgement.review.held }}{% endif %}{% endif %}</span></span>
              {% endfor %}
            </li>
          {% endfor %}"""
)


def test_the_lists_of_what_inspectors_found_read_exactly_as_the_template_loop_wrote_them():
    findings = [group.finding for group in GROUPS]
    expected = FOUND_LOOP.render(Context({"findings": findings}))
    assert inspection_findings(findings) == expected
    assert inspection_findings([]) == ""
    assert "Leaders &lt;should&gt; improve" in inspection_findings(findings)
