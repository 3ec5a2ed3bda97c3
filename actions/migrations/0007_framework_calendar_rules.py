"""The two frameworks' calendar rules, checked against their sources (issue 11).

Adds the 2023 framework's rules (the strategic plan reminder, the next full
inspection after each outcome, and engagement meetings, which stay off
until their frequency is confirmed) and updates the seeded rules:

* the 2016 framework's revisit no longer applies after December 2022, when
  the revisit programme ended;
* accelerated progress plan reviews count from DfE's approval of the plan by
  default, are met by progress reviews, and end when a later inspection or a
  government intervention supersedes the plan;
* the priority action plan's 35 and 70 working days are marked as confirmed
  only for inspections under the handbook before 6 June 2025;
* the monitoring inspection ends when a later inspection supersedes it.

Like 0002 it never overwrites what someone may have corrected: a field
seeded by 0002 is changed only while it still holds the seeded value, and a
rule is created only when no rule has its code. The fields added by 0006 are
new, so they are always set. Each change is written to the rule's history.
"""

import datetime

from django.db import migrations
from django.utils import timezone

REASON = "Checked against the framework's sources (issue 11: calendar rules)"

SUMMARY_OF_CHANGES = (
    "https://www.gov.uk/government/publications/area-send-framework-and-handbook/"
    "summary-of-changes"
)
DUDLEY = "https://www.dudley.gov.uk/residents/dudley-local-offer/dudleys-local-area-send-inspection-2025"
SGPC = "https://sgpc.org.uk/news-feed/inspection-possible-outcomes"

PAP_CAVEAT = (
    " Confirmed only for the handbook in force before 6 June 2025: the June 2025 handbook made "
    "'updates to reflect changes to the process for priority action plans' without the figures "
    "being readable, and from July 2025 (paragraph 149) feedback on the plan comes from DfE and "
    "regional NHS England, not Ofsted and CQC (Summary of changes, " + SUMMARY_OF_CHANGES + ")."
)
PAP_EXAMPLES = (
    " Consistent with Lancashire (report published 12 February 2025; plan approved by Ofsted and "
    "published 1 April 2025) and Wirral (plan 'to be sent to Ofsted by 4th June' 2025)."
)

# (code, {field: (value seeded by 0002, new value)}, {new field: value}).
UPDATES = [
    (
        "wsoa-revisit",
        {
            "source": (
                "Usually within 18 months of the WSOA being accepted as fit for purpose (IPSEA). "
                "https://www.ipsea.org.uk/news/ofsted-and-the-cqc-to-revisit-failing-local-authorities",
                "DfE announcement, 9 November 2018 (reproduced word for word by nasen and IPSEA): "
                "'Local areas will usually be revisited within 18 months of their WSoA having been "
                "accepted as fit for purpose by Ofsted and CQC'. "
                "https://www.ipsea.org.uk/news/ofsted-and-the-cqc-to-revisit-failing-local-authorities "
                "The programme ended in December 2022: Ofsted, Area SEND virtual roadshow slides "
                "(11 to 13 January 2023), 'The programme of full inspections was completed in April "
                "2022; the revisits continued up to December 2022'. "
                "https://www.slideshare.net/Ofstednews/new-area-send-framework-webinar-pptpptx",
            ),
        },
        {
            "ended_after": datetime.date(2022, 12, 31),
            "ended_because": "the revisit programme ended in December 2022",
        },
    ),
    (
        "app-review",
        {
            "anchor": ("report_published", "plan_judged"),
            "met_by": ("", "progress_review"),
            "source": (
                "DfE: a formal progress review meeting within at least 6 months of the revisit "
                "report being published; reviews at least six-monthly. "
                "https://parallelparliament.co.uk/question/6435/special-educational-needs",
                "Counted by default from DfE's approval of the plan, as in practice. Southend: "
                "revisit May 2021, DfE approved the plan on 22 November 2021 and wrote that the "
                "'six-month review meeting … will take place in May 2022' "
                "(https://livewellsouthend.com/send-local-offer/local-area-send-inspections-reviews/4). "
                "Kent: plan approved by DfE in July 2023, reviewed 15 November 2023 and April 2024; "
                "'DfE and NHS England will continue to review progress every 6 months' "
                "(https://democracy.kent.gov.uk/mgAi.aspx?ID=64712). The only official wording "
                "counts from the revisit report instead: written answer 6435 (27 May 2021), 'A "
                "formal progress review meeting will take place within at least 6 months of the "
                "revisit report being published' "
                "(https://parallelparliament.co.uk/question/6435/special-educational-needs); set "
                "the anchor to the report being published to count that way. The reviews end "
                "when a later inspection or a government intervention (such as an Improvement "
                "Notice) supersedes the plan.",
            ),
        },
        {"ends_when": "later_inspection_or_intervention"},
    ),
    (
        "pap-submit",
        {
            "label": (
                "Submit the priority action plan to Ofsted and CQC",
                "Submit the priority action plan",
            ),
            "source": (
                "Area SEND framework and handbook (2023 text, quoted by Nottinghamshire): within "
                "35 working days of receiving the report. Check the current handbook.",
                "Area SEND inspections: framework and handbook, as quoted by Nottinghamshire "
                "(local democracy reporting, Hucknall Dispatch, 22 May 2023): the plan 'must be "
                "submitted to Ofsted and the CQC within 35 working days of receiving the "
                "inspection report'." + PAP_EXAMPLES + PAP_CAVEAT,
            ),
        },
        {"confirmed_until": datetime.date(2025, 6, 5)},
    ),
    (
        "pap-publish",
        {
            "source": (
                "Area SEND framework and handbook (2023 text, quoted by Nottinghamshire): publish "
                "within 70 working days of receiving the report. Check the current handbook.",
                "Area SEND inspections: framework and handbook, as quoted by Nottinghamshire "
                "(local democracy reporting, Hucknall Dispatch, 22 May 2023): the plan 'must also "
                "be published within 70 working days' of receiving the inspection report."
                + PAP_EXAMPLES
                + PAP_CAVEAT,
            ),
        },
        {"confirmed_until": datetime.date(2025, 6, 5)},
    ),
    (
        "pap-monitoring",
        {
            "source": (
                "Area SEND framework: monitoring inspection usually 18 months from receipt of the "
                "final full inspection report.",
                "Area SEND inspections: framework and handbook, Summary of changes (June 2025), "
                "paragraph 21: 'monitoring inspections will usually take place 18 months from the "
                "date when the local area partnership received its final full inspection report'. "
                + SUMMARY_OF_CHANGES
                + " Monitoring inspections were paused from autumn 2024 until the June 2025 "
                "handbook (Schools Week, "
                "https://schoolsweek.co.uk/pause-in-ofsted-send-inspections-opens-accountability-gap/), "
                "so some came later. A later full inspection supersedes it.",
            ),
        },
        {"ends_when": "later_inspection"},
    ),
]

ENGAGEMENT_SOURCE = (
    "Engagement meetings between inspections are part of the framework: Summary of changes "
    "(June 2025), paragraph 17, 'clarification of the purpose and scope of … engagement "
    "meetings' (" + SUMMARY_OF_CHANGES + "); sgpc.org.uk lists 'Engagement meetings' in the "
    "follow-up to outcome 3 (" + SGPC + "). That they are yearly comes only from the "
    "consultation-stage summary (Mills & Reeve, June 2022: 'annual engagement meetings'); the "
    "current handbook's frequency could not be read, so this rule is off until someone "
    "confirms it."
)

NEW_RULES = [
    {
        "code": "strategic-plan-update",
        "plan_kind": "strategic_plan",
        "label": "Update and publish the strategic plan",
        "anchor": "report_received",
        "offset": None,
        "unit": "",
        "met_by": "published",
        "source": (
            "HMCI commentary, 29 November 2022: Ofsted and CQC are 'asking local area partnerships "
            "to update and publish their strategic plan following each inspection' "
            "(https://gov.uk/government/speeches/hmci-commentary-publishing-our-new-area-send-framework). "
            "Dudley's outcome 2 report (published 11 March 2025): 'Ofsted and the Care Quality "
            "Commission (CQC) ask that the local area partnership updates and publishes its "
            "strategic plan based on the recommendations set out in this report' (" + DUDLEY + "). "
            "No deadline was found in any source, so none is set: record a date if a letter "
            "states one."
        ),
    },
    {
        "code": "full-1-next-inspection",
        "inspection_outcome": "1",
        "label": "Next full inspection expected",
        "anchor": "report_received",
        "offset": 60,
        "unit": "months",
        "approximate": True,
        "met_by": "full_inspection",
        "source": (
            "Tes (about June 2024): areas with outcome 1 'are usually reinspected within five "
            "years'. The framework: 'All local areas will receive a full inspection at least once "
            "during a 5-year period' (the handbook as quoted by sgpc.org.uk, " + SGPC + "); "
            "Ofsted's roadshow slides, January 2023: 'Inspect at least once every 5 [years]' "
            "(https://www.slideshare.net/Ofstednews/new-area-send-framework-webinar-pptpptx). "
            "The handbook's own wording for outcome 1 could not be read."
        ),
    },
    {
        "code": "full-2-next-inspection",
        "inspection_outcome": "2",
        "label": "Next full inspection expected",
        "anchor": "report_received",
        "offset": 36,
        "unit": "months",
        "approximate": True,
        "met_by": "full_inspection",
        "source": (
            "Dudley's outcome 2 report (published 11 March 2025): 'The next full area SEND "
            "inspection will be within approximately three years' (" + DUDLEY + "). Tes (about "
            "June 2024): areas with outcome 2 'will usually be reinspected within three years'."
        ),
    },
    {
        "code": "full-3-next-inspection",
        "inspection_outcome": "3",
        "label": "Next full inspection expected",
        "anchor": "report_received",
        "offset": 36,
        "unit": "months",
        "approximate": True,
        "met_by": "full_inspection",
        "source": (
            "Follow-up to outcome 3 as listed by sgpc.org.uk (September 2025): a monitoring "
            "inspection, then 'Full inspection, usually within 3 years' (" + SGPC + "). The "
            "monitoring inspection is the priority action plan's rule."
        ),
    },
    *[
        {
            "code": f"full-{outcome}-engagement",
            "inspection_outcome": outcome,
            "label": "Engagement meeting with Ofsted and CQC",
            "anchor": "report_received",
            "offset": 12,
            "unit": "months",
            "repeats": True,
            "approximate": True,
            "met_by": "engagement_meeting",
            "ends_when": "later_inspection",
            "is_active": False,
            "source": ENGAGEMENT_SOURCE,
        }
        for outcome in ("1", "2", "3")
    ],
]


def _record(HistoricalDeadlineRule, DeadlineRule, rule, history_type):
    # Historical models have no save hooks here, so write the history row by hand.
    fields = {f.attname: getattr(rule, f.attname) for f in DeadlineRule._meta.concrete_fields}
    HistoricalDeadlineRule.objects.create(
        **fields,
        history_date=timezone.now(),
        history_type=history_type,
        history_change_reason=REASON,
    )


def apply_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("actions", "DeadlineRule")
    HistoricalDeadlineRule = apps.get_model("actions", "HistoricalDeadlineRule")
    for code, seeded, new_fields in UPDATES:
        rule = DeadlineRule.objects.filter(code=code).first()
        if rule is None:
            continue  # deleted on purpose: not brought back
        for field, (old, new) in seeded.items():
            if getattr(rule, field) == old:
                setattr(rule, field, new)
        for field, value in new_fields.items():
            setattr(rule, field, value)
        rule.save()
        _record(HistoricalDeadlineRule, DeadlineRule, rule, "~")
    for spec in NEW_RULES:
        values = dict(spec)
        code = values.pop("code")
        rule, created = DeadlineRule.objects.get_or_create(code=code, defaults=values)
        if created:
            _record(HistoricalDeadlineRule, DeadlineRule, rule, "+")


def unapply_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("actions", "DeadlineRule")
    HistoricalDeadlineRule = apps.get_model("actions", "HistoricalDeadlineRule")
    for spec in NEW_RULES:
        DeadlineRule.objects.filter(code=spec["code"]).delete()
        HistoricalDeadlineRule.objects.filter(code=spec["code"]).delete()
    for code, seeded, _new_fields in UPDATES:
        rule = DeadlineRule.objects.filter(code=code).first()
        if rule is None:
            continue
        for field, (old, new) in seeded.items():
            if getattr(rule, field) == new:
                setattr(rule, field, old)
        rule.save()
    HistoricalDeadlineRule.objects.filter(history_change_reason=REASON).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0006_deadline_scopes_and_stated_dates"),
    ]

    operations = [
        migrations.RunPython(apply_rules, unapply_rules),
    ]
