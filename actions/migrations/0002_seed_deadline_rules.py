"""Seed the statutory and official deadline rules.

The rules are data so that a change in the handbook is an edit in the admin,
not a release. This migration only creates them; it never overwrites a rule
that already exists under the same code (someone may have corrected it).
"""

from django.db import migrations
from django.utils import timezone

# In dependency order: a rule counted from another rule comes after it.
RULES = [
    {
        "code": "wsoa-submit",
        "plan_kind": "wsoa",
        "label": "Submit the written statement of action to Ofsted",
        "anchor": "report_received",
        "offset": 70,
        "unit": "working_days",
        "met_by": "submitted",
        "source": (
            "Children Act 2004 (Joint Area Reviews) Regulations 2015, regulation 4: "
            "within 70 working days of receiving the report. "
            "https://legislation.gov.uk/uksi/2015/1792/note/made/data.xht"
        ),
    },
    {
        "code": "wsoa-revisit",
        "plan_kind": "wsoa",
        "label": "Revisit by Ofsted and CQC expected",
        "anchor": "plan_judged",
        "offset": 18,
        "unit": "months",
        "approximate": True,
        "met_by": "follow_up",
        "source": (
            "Usually within 18 months of the WSOA being accepted as fit for purpose (IPSEA). "
            "https://www.ipsea.org.uk/news/ofsted-and-the-cqc-to-revisit-failing-local-authorities"
        ),
    },
    {
        "code": "app-review",
        "plan_kind": "accelerated_progress_plan",
        "label": "DfE and NHS England progress review",
        "anchor": "report_published",
        "offset": 6,
        "unit": "months",
        "repeats": True,
        "source": (
            "DfE: a formal progress review meeting within at least 6 months of the revisit "
            "report being published; reviews at least six-monthly. "
            "https://parallelparliament.co.uk/question/6435/special-educational-needs"
        ),
    },
    {
        "code": "app-review-evidence",
        "plan_kind": "accelerated_progress_plan",
        "label": "Send evidence for the progress review",
        "anchor": "rule",
        "relative_to": "app-review",
        "offset": -2,
        "unit": "weeks",
        "source": (
            "DfE approval letter (Southend, 22 November 2021): documentary evidence two weeks "
            "in advance. "
            "https://www.southend.gov.uk/children-disabilities/special-educational-needs/3"
        ),
    },
    {
        "code": "pap-submit",
        "plan_kind": "priority_action_plan",
        "label": "Submit the priority action plan to Ofsted and CQC",
        "anchor": "report_received",
        "offset": 35,
        "unit": "working_days",
        "met_by": "submitted",
        "source": (
            "Area SEND framework and handbook (2023 text, quoted by Nottinghamshire): within "
            "35 working days of receiving the report. Check the current handbook."
        ),
    },
    {
        "code": "pap-publish",
        "plan_kind": "priority_action_plan",
        "label": "Publish the priority action plan",
        "anchor": "report_received",
        "offset": 70,
        "unit": "working_days",
        "met_by": "published",
        "source": (
            "Area SEND framework and handbook (2023 text, quoted by Nottinghamshire): publish "
            "within 70 working days of receiving the report. Check the current handbook."
        ),
    },
    {
        "code": "pap-monitoring",
        "plan_kind": "priority_action_plan",
        "label": "Monitoring inspection expected",
        "anchor": "report_received",
        "offset": 18,
        "unit": "months",
        "approximate": True,
        "met_by": "follow_up",
        "source": (
            "Area SEND framework: monitoring inspection usually 18 months from receipt of the "
            "final full inspection report."
        ),
    },
]


def seed_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("actions", "DeadlineRule")
    HistoricalDeadlineRule = apps.get_model("actions", "HistoricalDeadlineRule")
    created = {}
    for spec in RULES:
        values = dict(spec)
        code = values.pop("code")
        relative_to = values.pop("relative_to", None)
        if relative_to:
            values["relative_to"] = created.get(relative_to) or DeadlineRule.objects.get(
                code=relative_to
            )
        rule, was_created = DeadlineRule.objects.get_or_create(code=code, defaults=values)
        created[code] = rule
        if was_created:
            # Historical models have no save hooks here, so write the "created" row by hand
            # and the rule's history starts with where it came from.
            fields = {f.attname: getattr(rule, f.attname) for f in DeadlineRule._meta.concrete_fields}
            HistoricalDeadlineRule.objects.create(
                **fields,
                history_date=timezone.now(),
                history_type="+",
                history_change_reason="Seeded from the statutory guidance and inspection handbook",
            )


def remove_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("actions", "DeadlineRule")
    # Dependants first: relative_to is PROTECT, so the rule they count from cannot go first.
    HistoricalDeadlineRule = apps.get_model("actions", "HistoricalDeadlineRule")
    for spec in reversed(RULES):
        DeadlineRule.objects.filter(code=spec["code"]).delete()
        HistoricalDeadlineRule.objects.filter(code=spec["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_rules, remove_rules),
    ]
