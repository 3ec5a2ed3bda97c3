"""Turn the seed areas' public facts into area-history documents for import_area.

``seed-areas.json`` beside this file is a copy of the research notes on the four
demo areas. Its structure is loose (free-text outcomes, some dates with words
after them, weaknesses known only as themes), so this module does two things:

* maps the structure generically: partners become organisations, inspections
  and their weaknesses become inspections and findings, revisit outcomes become
  verdicts, DfE reviews become reviews;
* applies ``CURATION``: the few facts the seed states only in prose (for
  example "published 8 March 2022" in a note), each with the reason it is
  read that way.

Where the seed gives a count of weaknesses but not all their wording (for
example Worcestershire's 12), the missing ones are added as findings whose
wording is marked "not captured", so the counts and verdicts stay true without
inventing what inspectors wrote.
"""

import json
import re
from pathlib import Path

from django.utils.text import slugify

SEED_FILE = Path(__file__).with_name("seed-areas.json")

FRAMEWORKS = {"2016-joint-local-area-SEND": "2016", "2023-area-SEND": "2023"}

# Short, since the pages add "(the wording is not in the public sources)" after it.
NOT_CAPTURED_TEXT = "Wording not known."
NOT_CAPTURED_TEXTS = {
    "significant_weakness": NOT_CAPTURED_TEXT,
    "area_for_priority_action": NOT_CAPTURED_TEXT,
    "area_for_improvement": NOT_CAPTURED_TEXT,
}
NOT_CAPTURED_OTHER = NOT_CAPTURED_TEXT

# The kind of a weakness the seed does not give a kind for: every finding of a
# 2016 report in the seed is an area of significant weakness. A 2023 report has
# two kinds, so there the kind must be given (the import checks say so).
DEFAULT_FINDING_KINDS = {"2016": "significant_weakness"}

# Counts of findings a full inspection made, as the seed gives them, by kind.
FULL_INSPECTION_COUNTS = {
    "area_for_priority_action": "priority_action_count",
    "area_for_improvement": "improvement_area_count",
}

# Facts the seed gives only in prose, read by hand; each says where it comes from.
CURATION = {
    "Worcestershire": {
        "summary": (
            "Inspectors looked at Worcestershire's SEND services in 2018. They came back in "
            "2021 and 2024. This page shows what they found and what the area is doing about it."
        ),
        # The WSOA title page answers the "letter dated 16 May 2018" (inspection notes).
        "report_received": {"2018-inspection": "2018-05-16"},
        "plans": {
            "wsoa": {
                "status": "superseded",
                "superseded_by": "app-2022",
                "judged_by": "Ofsted and CQC",
                "published_on": "2018-10",
            },
            "app": {
                "ref": "app-2022",
                "status": "superseded",
                "superseded_by": "improvement-plan-2024",
                "title": "Accelerated Progress Plan",
            },
        },
        "extra_plans": [
            {
                "ref": "improvement-plan-2024",
                "kind": "priority_action_plan",
                "title": "SEND Improvement Plan",
                "local_name": "2024 Improvement Plan",
                "responds_to": "2024-inspection",
                "status": "published",
                "notes": (
                    "The accelerated progress plan was superseded by the 2024 Improvement Plan "
                    "after the April 2024 area SEND inspection (seed: accelerated_plan.superseded_by)."
                ),
            }
        ],
        # The 27 September 2023 review stopped formal monitoring of Workstream 1,
        # the mainstream-schools weakness (accelerated_plan.reviews[1].result).
        "review_closures": {"2023-09-27": [1]},
    },
    "Wolverhampton": {
        "summary": (
            "Inspectors looked at Wolverhampton's SEND services in September 2021. "
            "This page shows what they found and what the area is doing about it."
        ),
        # "required to be submitted to Ofsted by 16 February 2022" is the WSOA due date;
        # 70 working days before it is 5 November 2021, the latest date the report can have
        # been received (the seed gives only "2021-11" for publication).
        "report_received": {"2021-inspection": "2021-11-05"},
        "report_received_note": (
            "Report receipt date inferred: the WSOA had to be submitted by 16 February 2022, "
            "70 working days after 5 November 2021."
        ),
        "plans": {
            "wsoa": {
                # The seed's "submitted" value is the deadline, not a submission date.
                "submitted_on": None,
                "published_on": "2022-03-08",
                "status": "published",
                "judgement": "",
            },
        },
    },
    "Dudley": {
        "summary": (
            "Inspectors looked at Dudley's SEND services in 2019 and came back in 2022. They "
            "looked again in January 2025, under new rules. This page shows what they found "
            "and what the area is doing about it."
        ),
        "plans": {
            "wsoa": {"status": "superseded", "superseded_by": "saap-2022"},
            "app": {
                "ref": "saap-2022",
                "status": "approved",
                "title": "SEND Accelerated Action Plan",
                "judgement": "approved by DfE",
                "judged_by": "DfE",
            },
        },
        "extra_plans": [
            {
                "ref": "strategic-plan-2025",
                "kind": "strategic_plan",
                "title": "Post-inspection action plan",
                "local_name": "Dudley post-SEND inspection action plan",
                "responds_to": "2025-inspection",
                "status": "published",
                "published_on": "2025-04-15",
                "notes": "Post-inspection action plan published 15 April 2025 (inspection notes).",
            }
        ],
    },
    "Essex": {
        "summary": (
            "Inspectors looked at Essex's SEND services in 2019. When they came back in 2022, "
            "they found enough progress on all three weaknesses. A new inspection began in 2026."
        ),
        "plans": {
            "wsoa": {
                "status": "closed",
                # The May 2022 revisit ended external monitoring (revisit outcome).
                "closed_on": "2022-05",
                "judged_by": "Ofsted and CQC",
            },
        },
    },
}

ORGANISATION_KINDS = [
    ("children first", "council_company"),
    ("council", "council"),
    ("clinical commissioning group", "ccg"),
    ("ccg", "ccg"),
    ("icb", "icb"),
    ("integrated care", "icb"),
    ("nhs trust", "nhs_provider"),
    ("foundation trust", "nhs_provider"),
    ("forum", "parent_carer_forum"),
]


def load_seed(path=SEED_FILE):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["areas"]


def _organisation(partner):
    name, _, rest = partner.partition(" (")
    name = name.strip() or partner.strip()
    name = name[0].upper() + name[1:]
    lowered = name.lower()
    kind = next((k for word, k in ORGANISATION_KINDS if word in lowered), "other")
    return {
        "slug": slugify(name)[:80],
        "name": name,
        "kind": kind,
        "description": rest.rstrip(")").strip(),
    }


def _year(value):
    return (value or "")[:4] or "undated"


def _inspection_ref(inspection):
    kind = inspection.get("kind")
    label = {"initial": "inspection", "full": "inspection"}.get(kind, slugify(kind or ""))
    return f"{_year(inspection.get('start_date'))}-{label or 'inspection'}"


def _outcome_code(inspection):
    text = str(inspection.get("outcome") or "").lower()
    kind = inspection.get("kind")
    if kind == "initial":
        return "wsoa_required" if "written statement of action required" in text else ""
    if kind == "revisit":
        return "revisit_reported"
    if kind == "monitoring":
        return "monitoring_reported"
    if "widespread" in text:
        return "3"
    if "inconsistent" in text:
        return "2"
    if "positive experiences" in text:
        return "1"
    return ""


def _finding_text(text, kind):
    """The text, wording and notes of a seed weakness; a weakness without text says so."""
    if not isinstance(text, str) or not text.strip():
        return (
            NOT_CAPTURED_TEXTS.get(kind, NOT_CAPTURED_OTHER),
            "not_captured",
            "The public sources name this finding but not its wording.",
        )
    return _clean_finding_text(text)


def _clean_finding_text(text):
    """Split a seed weakness into the text shown and how it relates to the report."""
    notes = ""
    wording = "verbatim"
    if text.startswith("Theme (not official wording):"):
        return text.split(":", 1)[1].strip().capitalize(), "theme", ""
    match = re.search(r"\s*\(([^()]*)\)\s*$", text)
    if match and any(w in match.group(1) for w in ("paraphrased", "title", "plan area")):
        notes = f"Source note: {match.group(1)}."
        text = text[: match.start()].strip()
        wording = "paraphrase"
    if "[...]" in text:
        notes = "The public source cuts this text short."
        text = text.replace("[...] (truncated in source)", "…").strip()
    return text, wording, notes


_VERDICTS = {
    "sufficient progress": "sufficient_progress",
    "not made sufficient progress": "insufficient_progress",
}


def _date_in(text):
    """The month-year mentioned in a review note such as 'at March 2025 review', as YYYY-MM."""
    months = {
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
        "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    }  # fmt: skip
    match = re.search(r"(" + "|".join(months) + r")\s+(\d{4})", text.lower())
    if not match:
        return None
    return f"{match.group(2)}-{months[match.group(1)]:02d}"


def _count(value):
    """A count the seed gives, or None when it gives none (or not a whole number)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _verdict_counts(seed_inspection):
    """A revisit's result as counts ("sufficient progress in 8 of 12"), when the seed has them."""
    if seed_inspection.get("kind") != "revisit":
        return None, None
    sufficient = _count(seed_inspection.get("sufficient_count"))
    not_sufficient = _count(seed_inspection.get("not_sufficient_count"))
    judged = _count(seed_inspection.get("weakness_count"))
    if judged is None and sufficient is not None and not_sufficient is not None:
        judged = sufficient + not_sufficient
    if not judged or sufficient is None:
        return None, None
    return judged, sufficient


def area_history_from_seed(seed_area):
    """One seed area as an area-history document (see docs/area-history-format.md)."""
    name = seed_area.get("area") or ""
    curation = CURATION.get(name, {})
    organisations = [
        _organisation(partner)
        for partner in seed_area.get("partners") or []
        if isinstance(partner, str) and partner.strip()
    ]

    inspections = []
    by_kind = {}
    for seed_inspection in seed_area.get("inspections") or []:
        ref = _inspection_ref(seed_inspection)
        framework = seed_inspection.get("framework")
        judged, resolved = _verdict_counts(seed_inspection)
        received = curation.get("report_received", {}).get(ref)
        notes = seed_inspection.get("notes") or ""
        if received and curation.get("report_received_note"):
            notes = f"{notes} {curation['report_received_note']}".strip()
        inspection = {
            "ref": ref,
            # An unknown framework is passed on as it is, for the import checks to report.
            "framework": FRAMEWORKS.get(framework, framework),
            "kind": seed_inspection.get("kind"),
            "start_date": seed_inspection.get("start_date"),
            "end_date": seed_inspection.get("end_date"),
            "report_received": received,
            "report_published": seed_inspection.get("report_published"),
            "outcome": _outcome_code(seed_inspection),
            "outcome_text": seed_inspection.get("outcome") or "",
            "findings_judged": judged,
            "findings_resolved": resolved,
            "notes": notes,
            "findings": [],
            "judgements": [],
        }
        inspection["_seed"] = seed_inspection
        inspections.append(inspection)
        by_kind.setdefault(seed_inspection.get("kind"), []).append(inspection)

    # Findings belong to the inspection that made them. A revisit's listed
    # weaknesses are the earlier inspection's findings, carrying the revisit's verdict.
    known_verdicts = []  # (finding ref, verdict source, verdict, text)
    for inspection in inspections:
        seed_inspection = inspection["_seed"]
        weaknesses = [w for w in seed_inspection.get("weaknesses") or [] if isinstance(w, dict)]
        if inspection["kind"] in ("revisit", "monitoring"):
            owner = _previous_finding_inspection(inspections, inspection)
        else:
            owner = inspection
        if owner is None:
            # A revisit-only history: the inspection that made the findings is not
            # in the seed, so there is nothing to attach them or verdicts to.
            _note_unplaced_weaknesses(inspection, weaknesses)
            continue
        for weakness in weaknesses:
            kind = weakness.get("kind") or DEFAULT_FINDING_KINDS.get(owner["framework"])
            text, wording, notes = _finding_text(weakness.get("text"), kind)
            number = weakness.get("number") or _next_number(owner, kind)
            if any(f["kind"] == kind and f["number"] == number for f in owner["findings"]):
                number = _next_number(owner, kind)
            if weakness.get("number") is None:
                notes = (
                    notes + " Numbered in this portal: the report's numbering is not captured."
                ).strip()
            owner["findings"].append(
                {"kind": kind, "number": number, "text": text, "wording": wording, "notes": notes}
            )
            outcome = weakness.get("revisit_outcome")
            if isinstance(outcome, str) and outcome.strip():
                finding_ref = {"inspection": owner["ref"], "kind": kind, "number": number}
                known_verdicts.append((finding_ref, owner, inspection, outcome))

    # Fill in findings whose wording is not captured, up to the stated count.
    for inspection in inspections:
        _fill_not_captured_findings(inspection)

    reviews = _reviews(seed_area, curation)

    for finding_ref, owner, source, outcome in known_verdicts:
        verdict = _VERDICTS.get(outcome)
        if verdict:
            revisit = source if source["kind"] == "revisit" else _revisit_after(inspections, owner)
            if revisit is not None:
                revisit["judgements"].append({"finding": finding_ref, "verdict": verdict})
            continue
        when = _date_in(outcome)
        review = next(
            (r for r in reviews if when and (r.get("held_on") or "").startswith(when)), None
        )
        if review is None:
            continue
        review["judgements"].append(
            {
                "finding": finding_ref,
                "verdict": "closed_by_review" if "closed" in outcome else "still_monitored",
                "commentary": outcome[0].upper() + outcome[1:] + ".",
            }
        )

    for held_on, numbers in curation.get("review_closures", {}).items():
        review = next(r for r in reviews if r.get("held_on") == held_on)
        initial = by_kind["initial"][0]
        for number in numbers:
            review["judgements"].append(
                {
                    "finding": {
                        "inspection": initial["ref"],
                        "kind": "significant_weakness",
                        "number": number,
                    },
                    "verdict": "closed_by_review",
                    "commentary": review.get("result", ""),
                }
            )

    _fill_revisit_counts(inspections)

    plans = _plans(seed_area, curation, by_kind)

    for inspection in inspections:
        del inspection["_seed"]
    return {
        "format": "send-portal-area-history",
        "version": 1,
        "area": {
            "slug": slugify(name),
            "name": name,
            "summary": curation.get("summary", ""),
            "sources": seed_area.get("sources", []),
        },
        "organisations": organisations,
        "inspections": inspections,
        "reviews": reviews,
        "plans": plans,
    }


def _note_unplaced_weaknesses(inspection, weaknesses):
    """Keep what the seed says about weaknesses no inspection in it made, in the notes."""
    if not weaknesses:
        return
    described = []
    for weakness in weaknesses:
        text = weakness.get("text")
        text = text.strip() if isinstance(text, str) and text.strip() else "wording not captured"
        outcome = weakness.get("revisit_outcome")
        described.append(f"{text} ({outcome})" if isinstance(outcome, str) and outcome else text)
    note = (
        "The inspection that found these weaknesses is not in this history, so they are "
        "not recorded as findings: " + "; ".join(described) + "."
    )
    inspection["notes"] = f"{inspection['notes']} {note}".strip()


def _fill_not_captured_findings(inspection):
    """Add findings whose wording is not captured, up to the counts the seed gives."""
    seed = inspection["_seed"]
    if inspection["kind"] == "initial":
        wanted = [("significant_weakness", _count(seed.get("weakness_count")), None)]
    elif inspection["kind"] == "full":
        wanted = [
            (kind, _count(seed.get(key)), kind) for kind, key in FULL_INSPECTION_COUNTS.items()
        ]
    else:
        return
    for kind, count, counted_kind in wanted:
        held = sum(
            1 for f in inspection["findings"] if counted_kind is None or f["kind"] == counted_kind
        )
        for _ in range((count or 0) - held):
            inspection["findings"].append(
                {
                    "kind": kind,
                    "number": _next_number(inspection, kind),
                    "text": NOT_CAPTURED_TEXTS[kind],
                    "wording": "not_captured",
                    "notes": "",
                }
            )


def _next_number(inspection, kind):
    used = {f["number"] for f in inspection["findings"] if f["kind"] == kind}
    number = 1
    while number in used:
        number += 1
    return number


def _previous_finding_inspection(inspections, revisit):
    """The inspection before a revisit or monitoring inspection that made findings, or None."""
    earlier = [
        i
        for i in inspections[: inspections.index(revisit)]
        if i["framework"] == revisit["framework"] and i["kind"] in ("initial", "full")
    ]
    return earlier[-1] if earlier else None


def _revisit_after(inspections, owner):
    later = inspections[inspections.index(owner) + 1 :]
    return next((i for i in later if i["kind"] in ("revisit", "monitoring")), None)


def _fill_revisit_counts(inspections):
    """Give verdicts to not-captured findings so a revisit's counts (8 of 12) hold."""
    for revisit in inspections:
        if revisit["kind"] != "revisit" or revisit["findings_judged"] is None:
            continue
        initial = _previous_finding_inspection(inspections, revisit)
        if initial is None:
            continue  # counts only: the findings themselves are not in this history
        judged = {
            (j["finding"]["kind"], j["finding"]["number"]): j["verdict"]
            for j in revisit["judgements"]
        }
        sufficient = revisit["findings_resolved"] - sum(
            1 for v in judged.values() if v == "sufficient_progress"
        )
        insufficient = (
            revisit["findings_judged"]
            - revisit["findings_resolved"]
            - sum(1 for v in judged.values() if v == "insufficient_progress")
        )
        for finding in initial["findings"]:
            if (finding["kind"], finding["number"]) in judged:
                continue
            if sufficient > 0:
                verdict, sufficient = "sufficient_progress", sufficient - 1
            elif insufficient > 0:
                verdict, insufficient = "insufficient_progress", insufficient - 1
            else:
                break
            revisit["judgements"].append(
                {
                    "finding": {
                        "inspection": initial["ref"],
                        "kind": finding["kind"],
                        "number": finding["number"],
                    },
                    "verdict": verdict,
                    "commentary": (
                        "The public sources give how many weaknesses made sufficient progress "
                        f"({revisit['findings_resolved']} of {revisit['findings_judged']}) but "
                        "not which; "
                        "this verdict keeps that count for a weakness whose wording is not captured."
                    )
                    if finding["wording"] == "not_captured"
                    else "",
                }
            )


def _reviews(seed_area, curation):
    reviews = []
    for index, seed_review in enumerate(
        (seed_area.get("accelerated_plan") or {}).get("reviews", [])
    ):
        held_on = seed_review.get("date")
        reviews.append(
            {
                "ref": f"review-{held_on}" if held_on else f"review-{index + 1}",
                "held_on": held_on,
                "label": seed_review.get("label") or "Progress review",
                "conducted_by": seed_review.get("by") or "DfE and NHS England",
                "result": seed_review.get("result") or "",
                "judgements": [],
            }
        )
    return reviews


def _leading_date(value):
    """'2019-11' from '2019-11'; None from '2022-02-16 (deadline; ...)' or '2020-04 (by ...)'."""
    if not value:
        return None
    match = re.match(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)(.*)$", value.strip())
    if not match:
        return None
    if "deadline" in match.group(2):
        return None
    return match.group(1)


def _plans(seed_area, curation, by_kind):
    plans = []
    overrides = curation.get("plans", {})
    wsoa = seed_area.get("wsoa") or {}
    if wsoa.get("required") and by_kind.get("initial"):
        initial = by_kind["initial"][0]
        plan = {
            "ref": f"wsoa-{_year(initial.get('start_date'))}",
            "kind": "wsoa",
            "title": "Written Statement of Action",
            "responds_to": initial["ref"],
            "status": "judged_fit" if wsoa.get("judgement") else "submitted",
            "submitted_on": _leading_date(wsoa.get("submitted")),
            "judged_on": _leading_date(wsoa.get("judged")),
            "judgement": wsoa.get("judgement") or "",
            "judged_by": "Ofsted and CQC" if wsoa.get("judgement") else "",
            "notes": wsoa.get("notes") or "",
        }
        plan.update(overrides.get("wsoa", {}))
        plans.append(plan)
    app = seed_area.get("accelerated_plan") or {}
    if app.get("required") and by_kind.get("revisit"):
        revisit = by_kind["revisit"][0]
        notes = []
        for key in ("approved_by", "submit_within", "monitoring", "covers"):
            if app.get(key):
                notes.append(f"{key.replace('_', ' ').capitalize()}: {app[key]}.")
        if app.get("contents"):
            notes.append("Contents: " + "; ".join(app["contents"]) + ".")
        plan = {
            "ref": "app",
            "kind": "accelerated_progress_plan",
            "title": "Accelerated Progress Plan",
            "local_name": app.get("name") or "",
            "responds_to": revisit["ref"],
            "findings": "insufficient",
            "status": "approved",
            "judged_by": app.get("approved_by") or "",
            "notes": " ".join(notes),
        }
        plan.update(overrides.get("app", {}))
        plans.append(plan)
    plans.extend(curation.get("extra_plans", []))
    return plans


def seed_documents(path=SEED_FILE):
    """Every seed area as an area-history document, in the seed file's order."""
    return [area_history_from_seed(area) for area in load_seed(path)]
