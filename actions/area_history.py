"""Read, check and import an area-history file (see docs/area-history-format.md).

The whole file is checked before anything is written, so the person fixing a
file sees every problem at once, each with its place in the file. Records are
matched by their keys and saved only when something changed, so importing the
same file twice writes no history.
"""

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    LocalArea,
    Organisation,
    Partnership,
    ProgressReview,
)
from kit.dates import PartialDate, PartialDateError, Precision
from kit.versioning import save_with_history

from .models import Plan, PlanFinding, PlanIntervention

FORMAT = "send-portal-area-history"
VERSION = 1
DEFAULT_CONDUCTED_BY = "DfE and NHS England"
DEFAULT_ISSUED_BY = "Department for Education"

# The order records are written in, which is also the order of the summary.
IMPORTED_MODELS = (
    LocalArea,
    Organisation,
    Partnership,
    Inspection,
    Finding,
    Intervention,
    InterventionFinding,
    ProgressReview,
    Judgement,
    Plan,
    PlanFinding,
    PlanIntervention,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is (``inspections[1].ref``) and what is wrong."""

    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}" if self.path else self.message


class ImportProblems(Exception):
    """The file cannot be imported; ``problems`` says every reason why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class ImportSummary:
    """What an import created, updated and left unchanged, per model."""

    area: str
    filename: str
    dry_run: bool = False
    counts: dict = field(default_factory=lambda: {model: Counter() for model in IMPORTED_MODELS})

    @property
    def created(self):
        return sum(counter["created"] for counter in self.counts.values())

    @property
    def updated(self):
        return sum(counter["updated"] for counter in self.counts.values())

    @property
    def unchanged(self):
        return sum(counter["unchanged"] for counter in self.counts.values())

    def details(self):
        """One line per kind of record, for people who want to see more."""
        return [
            f"{model._meta.verbose_name_plural}: {counter['created']} created, "
            f"{counter['updated']} updated, {counter['unchanged']} unchanged"
            for model, counter in self.counts.items()
            if counter.total()
        ]

    def __str__(self):
        if self.dry_run:
            return (
                f"Checked {self.area} in {self.filename} (dry run, nothing written): "
                f"{self.created} to create, {self.updated} to update, "
                f"{self.unchanged} unchanged."
            )
        return (
            f"Imported {self.area} from {self.filename}: {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged."
        )


# Reading the file ---------------------------------------------------------------------


class _JSONObject(dict):
    """A JSON object that remembers keys given more than once.

    The json module silently keeps only the last value of a repeated key,
    which would lose data without anyone noticing.
    """

    duplicate_keys = ()


def _object_from_pairs(pairs):
    result = _JSONObject()
    duplicates = []
    for key, value in pairs:
        if key in result and key not in duplicates:
            duplicates.append(key)
        result[key] = value
    if duplicates:
        result.duplicate_keys = tuple(duplicates)
    return result


_NOT_AN_OBJECT = "the file must hold one JSON object, starting with { and ending with }"


def load_document(text):
    """Parse the text of an area-history file; raise ImportProblems if it is not JSON."""
    # Some Windows editors start UTF-8 files with a byte order mark.
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportProblems([Problem("", "the file is empty")])
    try:
        document = json.loads(text, object_pairs_hook=_object_from_pairs)
    except json.JSONDecodeError as error:
        raise ImportProblems(
            [
                Problem(
                    f"line {error.lineno}, column {error.colno}",
                    f"the file is not valid JSON ({error.msg})",
                )
            ]
        ) from None
    if not isinstance(document, dict):
        raise ImportProblems([Problem("", _NOT_AN_OBJECT)])
    return document


# Checking single values ---------------------------------------------------------------


class _Invalid(Exception):
    """A value is wrong; the message completes "path: ..."."""


class _Key(NamedTuple):
    check: Any
    required: bool = False


def _show(value):
    """A value as it is written in the file, shortened to fit in a message."""
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _or_list(values, *, quoted=True):
    words = [f'"{value}"' if quoted else str(value) for value in values]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _text(model=None, name=None):
    limit = _max_length(model, name) if model else None

    def check(value):
        if not isinstance(value, str):
            raise _Invalid("must be text")
        if limit and len(value) > limit:
            raise _Invalid(f"must be {limit} characters or fewer (it has {len(value)})")
        return value

    return check


_SLUG = re.compile(r"^[a-z0-9-]+$")


def _slug(model, name):
    limit = _max_length(model, name)

    def check(value):
        if not isinstance(value, str):
            raise _Invalid("must be text")
        if not _SLUG.match(value):
            raise _Invalid(f"{_show(value)} must use only lower-case letters, digits and hyphens")
        if len(value) > limit:
            raise _Invalid(f"must be {limit} characters or fewer (it has {len(value)})")
        return value

    return check


_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


def _url(model, name):
    limit = _max_length(model, name)

    def check(value):
        if not isinstance(value, str):
            raise _Invalid("must be text")
        try:
            _URL_VALIDATOR(value)
        except ValidationError:
            raise _Invalid(
                f"{_show(value)} is not a web address: it must start with https:// or http://"
            ) from None
        if len(value) > limit:
            raise _Invalid(f"must be {limit} characters or fewer (it has {len(value)})")
        return value

    return check


def _choice(values, *, context=""):
    """A check for one of ``values``; ``context`` says whose values they are ("for a review")."""
    values = list(values)

    def check(value):
        if not isinstance(value, str) or value not in values:
            one_of = "one of " if len(values) > 2 else ""
            raise _Invalid(f"must be {one_of}{_or_list(values)}{context}, not {_show(value)}")
        return value

    return check


def _is_whole_number(value):
    # JSON true and false arrive as Python bools, which are ints.
    return isinstance(value, int) and not isinstance(value, bool)


def _finding_number(value):
    if not _is_whole_number(value):
        raise _Invalid("must be a whole number")
    if value < 1:
        raise _Invalid("must be 1 or more")
    limit = 32767  # the largest PositiveSmallIntegerField value on every database
    if value > limit:
        raise _Invalid(f"must be {limit} or less")
    return value


def _whole_number(*, minimum, maximum=32767):
    """A check for a whole number in a range (32767: the largest small integer everywhere)."""

    def check(value):
        if not _is_whole_number(value):
            raise _Invalid("must be a whole number")
        if value < minimum:
            raise _Invalid(f"must be {minimum} or more")
        if value > maximum:
            raise _Invalid(f"must be {maximum} or less")
        return value

    return check


def _date(value):
    try:
        return PartialDate.parse(value)
    except PartialDateError as error:
        raise _Invalid(str(error)) from None


def _sources(value):
    if not isinstance(value, list):
        raise _Invalid("must be a list of text, written in [ ]")
    for index, source in enumerate(value):
        if not isinstance(source, str):
            raise _Invalid(f"item {index + 1} must be text")
        if not source.strip():
            raise _Invalid(f"item {index + 1} is empty")
        # Sources are stored one per line, so a line break would split one in two.
        if "\n" in source or "\r" in source:
            raise _Invalid(f"item {index + 1} must be on a single line")
    return "\n".join(value)


def _list(value):
    if not isinstance(value, list):
        raise _Invalid("must be a list, written in [ ]")
    return value


def _object(value):
    if not isinstance(value, dict):
        raise _Invalid("must be an object, written in { }")
    return value


def _anything(value):
    return value


def _format(value):
    if value != FORMAT:
        raise _Invalid(f'must be "{FORMAT}"')
    return value


def _version(value):
    if not _is_whole_number(value):
        raise _Invalid("must be a whole number")
    if value != VERSION:
        raise _Invalid(f"must be {VERSION} (this portal reads version {VERSION} files only)")
    return value


_TOP_KEYS = {
    "format": _Key(_format, required=True),
    "version": _Key(_version, required=True),
    "area": _Key(_object, required=True),
    "organisations": _Key(_list),
    "inspections": _Key(_list),
    "interventions": _Key(_list),
    "reviews": _Key(_list),
    "plans": _Key(_list),
}

_AREA_KEYS = {
    "slug": _Key(_slug(LocalArea, "slug"), required=True),
    "name": _Key(_text(LocalArea, "name"), required=True),
    "summary": _Key(_text()),
    "local_offer_url": _Key(_url(LocalArea, "local_offer_url")),
    "sources": _Key(_sources),
}

_ORGANISATION_KEYS = {
    "slug": _Key(_slug(Organisation, "slug"), required=True),
    "name": _Key(_text(Organisation, "name"), required=True),
    "kind": _Key(_choice(Organisation.Kind.values), required=True),
    # An organisation that changed kind, such as a CCG that became an ICB.
    "former_kind": _Key(_choice(Organisation.Kind.values)),
    "kind_changed_on": _Key(_date),
    "description": _Key(_text(Partnership, "description")),
    "website": _Key(_url(Organisation, "website")),
}

_INSPECTION_KEYS = {
    "ref": _Key(_slug(Inspection, "ref"), required=True),
    "framework": _Key(_choice(Inspection.Framework.values), required=True),
    "kind": _Key(_choice(Inspection.Kind.values), required=True),
    "start_date": _Key(_date),
    "end_date": _Key(_date),
    "report_received": _Key(_date),
    "report_published": _Key(_date),
    "outcome": _Key(_choice(Inspection.Outcome.values)),
    "outcome_text": _Key(_text()),
    "report_url": _Key(_url(Inspection, "report_url")),
    "public_summary": _Key(_text()),
    # Verdict counts, for a result known only as "sufficient progress in 1 of 13".
    "findings_judged": _Key(_whole_number(minimum=1)),
    "findings_resolved": _Key(_whole_number(minimum=0)),
    "notes": _Key(_text()),
    "sources": _Key(_sources),
    "findings": _Key(_list),
    "judgements": _Key(_list),
}

_FINDING_KEYS = {
    "kind": _Key(_choice(Finding.Kind.values), required=True),
    "number": _Key(_finding_number, required=True),
    "text": _Key(_text(), required=True),
    "wording": _Key(_choice(Finding.Wording.values)),
    "lead_organisation": _Key(_slug(Organisation, "slug")),
    "notes": _Key(_text()),
}

_FINDING_REFERENCE_KEYS = {
    "inspection": _Key(_slug(Inspection, "ref"), required=True),
    "kind": _Key(_choice(Finding.Kind.values), required=True),
    "number": _Key(_finding_number, required=True),
}

_JUDGEMENT_KEYS = {
    "finding": _Key(_object, required=True),
    # Checked with its source, so the message lists only the verdicts that source gives.
    "verdict": _Key(_anything, required=True),
    "commentary": _Key(_text()),
}

_INTERVENTION_KEYS = {
    "ref": _Key(_slug(Intervention, "ref"), required=True),
    "kind": _Key(_choice(Intervention.Kind.values), required=True),
    "title": _Key(_text(Intervention, "title")),
    "issued_on": _Key(_date),
    "lifted_on": _Key(_date),
    "issued_by": _Key(_text(Intervention, "issued_by")),
    "legal_basis": _Key(_text(Intervention, "legal_basis")),
    "covers": _Key(_text()),
    "commissioner": _Key(_text(Intervention, "commissioner")),
    "review_every_months": _Key(_whole_number(minimum=1, maximum=120)),
    "replaced_by": _Key(_slug(Intervention, "ref")),
    # A list of finding references: checked once every finding is known.
    "findings": _Key(_list),
    "public_summary": _Key(_text()),
    "notes": _Key(_text()),
    "sources": _Key(_sources),
}

_REVIEW_KEYS = {
    "ref": _Key(_slug(ProgressReview, "ref"), required=True),
    "kind": _Key(_choice(ProgressReview.Kind.values)),
    "held_on": _Key(_date),
    "label": _Key(_text(ProgressReview, "label")),
    "conducted_by": _Key(_text(ProgressReview, "conducted_by")),
    "intervention": _Key(_slug(Intervention, "ref")),
    "result": _Key(_text()),
    "public_summary": _Key(_text()),
    "sources": _Key(_sources),
    "judgements": _Key(_list),
}

_PLAN_KEYS = {
    "ref": _Key(_slug(Plan, "ref"), required=True),
    "kind": _Key(_choice(Plan.Kind.values), required=True),
    "title": _Key(_text(Plan, "title"), required=True),
    "local_name": _Key(_text(Plan, "local_name")),
    "responds_to": _Key(_slug(Inspection, "ref"), required=True),
    # "all", "insufficient" or a list of finding references: checked with the plans.
    "findings": _Key(_anything),
    "status": _Key(_choice(Plan.Status.values)),
    "submitted_on": _Key(_date),
    "judged_on": _Key(_date),
    "published_on": _Key(_date),
    "closed_on": _Key(_date),
    "judgement": _Key(_text()),
    "judged_by": _Key(_text(Plan, "judged_by")),
    "superseded_by": _Key(_slug(Plan, "ref")),
    # The interventions the plan answers, by ref (e.g. the plan a notice requires).
    "interventions": _Key(_list),
    "public_summary": _Key(_text()),
    "notes": _Key(_text()),
    "sources": _Key(_sources),
}


def _join(path, key):
    return f"{path}.{key}" if path else key


def _record(value, path, keys, problems):
    """Check one JSON object against its keys; return its valid values, or None.

    A null value means "not known", the same as leaving the key out. The
    values that are wrong are left out of the result so later checks do not
    report the same mistake again in other words.
    """
    if not isinstance(value, dict):
        problems.append(Problem(path, "must be an object, written in { }"))
        return None
    problems.extend(
        Problem(_join(path, key), "is given more than once; give it once")
        for key in getattr(value, "duplicate_keys", ())
    )
    cleaned = {"_path": path}
    for key, raw in value.items():
        key_path = _join(path, key)
        if key not in keys:
            hint = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
            suggestion = f' (did you mean "{hint[0]}"?)' if hint else ""
            problems.append(Problem(key_path, f"is not a recognised key{suggestion}"))
            continue
        # An empty string in an optional field is what a blank field holds, so
        # it means "not given", like null.
        if raw is None or (raw == "" and not keys[key].required):
            continue
        if isinstance(raw, str) and not raw.strip():
            problems.append(Problem(key_path, "cannot be empty"))
            continue
        try:
            cleaned[key] = keys[key].check(raw)
        except _Invalid as error:
            problems.append(Problem(key_path, str(error)))
    for key, spec in keys.items():
        if spec.required and value.get(key) is None:
            problems.append(Problem(_join(path, key), "is required"))
    return cleaned


# Checking the whole document -----------------------------------------------------------

_KIND_NOUNS = {
    Inspection.Kind.INITIAL: "initial inspection",
    Inspection.Kind.REVISIT: "revisit",
    Inspection.Kind.FULL: "full inspection",
    Inspection.Kind.MONITORING: "monitoring inspection",
}


def _a(noun):
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


# A revisit and a monitoring inspection only look again at earlier findings.
_FOLLOW_UP_KINDS = (Inspection.Kind.REVISIT, Inspection.Kind.MONITORING)
# Inspections that give verdicts on earlier findings: the follow-ups, and a 2023
# full inspection, which reports on the areas for priority action of the
# inspection before it ("8 of 10 no longer need priority action").
_VERDICT_KINDS = tuple(Judgement.INSPECTION_VERDICTS)
_VERDICT_GIVERS = "only a revisit, a monitoring inspection or a 2023 full inspection"
# A revisit looks again at 2016 findings; a monitoring inspection at the findings
# of a 2023 area SEND inspection. A full inspection may judge any earlier finding.
_JUDGED_FINDING_KINDS = {
    Inspection.Kind.REVISIT: Finding.KINDS_BY_FRAMEWORK[Inspection.Framework.JOINT_2016],
    Inspection.Kind.MONITORING: Finding.KINDS_BY_FRAMEWORK[Inspection.Framework.AREA_SEND_2023],
}


def _in_order(choices, allowed):
    """Allowed values in the order the model declares them, so messages are stable."""
    return [value for value in choices.values if value in allowed]


@dataclass
class _Checked:
    """The document's valid values, indexed for cross-references and for writing."""

    area: dict | None = None
    organisations: list = field(default_factory=list)
    organisations_by_slug: dict = field(default_factory=dict)
    inspections: list = field(default_factory=list)
    inspections_by_ref: dict = field(default_factory=dict)
    findings_by_key: dict = field(default_factory=dict)
    interventions: list = field(default_factory=list)
    interventions_by_ref: dict = field(default_factory=dict)
    reviews: list = field(default_factory=list)
    reviews_by_ref: dict = field(default_factory=dict)
    judgements: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    plans_by_ref: dict = field(default_factory=dict)


def _describe_finding(key):
    inspection, kind, number = key
    return f"{kind} {number} in inspection {inspection}"


def _check_after(problems, *, later, later_path, earlier, earlier_key, message):
    """Report a date that comes before the date it must follow.

    Partial dates are compared fairly, as the models' clean() does: "June
    2017" may be after 12 June 2017, so it is not a problem.
    """
    if later is not None and earlier is not None and later.last_day < earlier.date:
        problems.append(Problem(later_path, f"{message} ({earlier_key} is {earlier.isoformat()})"))


def _check_area(top, checked, problems):
    if not isinstance(top.get("area"), dict):
        return
    area = _record(top["area"], "area", _AREA_KEYS, problems)
    checked.area = area
    if "slug" in area and "name" in area:
        other = LocalArea.objects.filter(name=area["name"]).exclude(slug=area["slug"]).first()
        if other:
            problems.append(
                Problem(
                    "area.name",
                    f"another area in the portal, {other.slug}, already has the name "
                    f'"{area["name"]}"',
                )
            )


def _index_by_key(raw, key, record, index, *, path, problems):
    """Index ``record`` by its key as written, reporting a key used twice in the file.

    A malformed key is indexed too, so references to it do not add a second,
    misleading problem.
    """
    value = raw.get(key)
    if not isinstance(value, str):
        return
    if value in index:
        problems.append(
            Problem(f"{path}.{key}", f"{value} is already used by {index[value]['_path']}")
        )
    else:
        index[value] = record


def _check_organisations(top, checked, problems):
    names = {}
    for index, raw in enumerate(top.get("organisations", [])):
        path = f"organisations[{index}]"
        organisation = _record(raw, path, _ORGANISATION_KEYS, problems)
        if organisation is None:
            continue
        checked.organisations.append(organisation)
        slug = raw.get("slug")
        _index_by_key(
            raw, "slug", organisation, checked.organisations_by_slug, path=path, problems=problems
        )
        name = organisation.get("name")
        if name is not None:
            if name in names:
                problems.append(
                    Problem(f"{path}.name", f'"{name}" is already used by {names[name]}')
                )
            else:
                names[name] = path
        if name is not None and "slug" in organisation:
            # Names are unique across the portal, and organisations are shared
            # between areas, so the name may belong to someone else's partner.
            other = Organisation.objects.filter(name=name).exclude(slug=slug).first()
            if other:
                problems.append(
                    Problem(
                        f"{path}.name",
                        f"another organisation in the portal, {other.slug}, already has the "
                        f'name "{name}"; use the slug {other.slug} to mean that organisation, '
                        "or choose another name",
                    )
                )


def _check_inspections(top, checked, problems):
    for index, raw in enumerate(top.get("inspections", [])):
        path = f"inspections[{index}]"
        inspection = _record(raw, path, _INSPECTION_KEYS, problems)
        if inspection is None:
            continue
        inspection["findings"] = []
        inspection["_type"] = Inspection
        inspection["_raw_judgements"] = raw.get("judgements")
        checked.inspections.append(inspection)
        ref = raw.get("ref")
        _index_by_key(
            raw, "ref", inspection, checked.inspections_by_ref, path=path, problems=problems
        )

        framework, kind = inspection.get("framework"), inspection.get("kind")
        if framework and kind:
            allowed = _in_order(Inspection.Kind, Inspection.KINDS_BY_FRAMEWORK[framework])
            if kind not in allowed:
                problems.append(
                    Problem(
                        f"{path}.kind",
                        f"must be {_or_list(allowed)} for a {framework} framework inspection, "
                        f"not {_show(kind)}",
                    )
                )
                # Forget the kind so later checks do not repeat this mistake.
                del inspection["kind"]
                kind = None
        outcome = inspection.get("outcome")
        if kind and outcome:
            allowed = _in_order(Inspection.Outcome, Inspection.OUTCOMES_BY_KIND[kind])
            if outcome not in allowed:
                problems.append(
                    Problem(
                        f"{path}.outcome",
                        f"must be {_or_list(allowed)} for {_a(_KIND_NOUNS[kind])}, "
                        f"not {_show(outcome)}",
                    )
                )
                inspection["_unreadable_outcome"] = True
        if raw.get("outcome") not in (None, "") and outcome is None:
            inspection["_unreadable_outcome"] = True

        _check_inspection_dates(inspection, path, problems)
        _check_verdict_counts(raw, inspection, path, problems)

        raw_findings = raw.get("findings")
        if kind in _FOLLOW_UP_KINDS and raw_findings:
            problems.append(
                Problem(
                    f"{path}.findings",
                    f"{_a(_KIND_NOUNS[kind])} makes no findings of its own; "
                    "put its verdicts on earlier findings under judgements",
                )
            )
        if isinstance(raw_findings, list):
            _check_findings(
                raw_findings,
                path=path,
                inspection=inspection,
                ref=ref,
                framework=framework,
                makes_findings=kind not in _FOLLOW_UP_KINDS,
                checked=checked,
                problems=problems,
            )
        _check_priority_actions_listed(inspection, path, problems)
        if kind and kind not in _VERDICT_KINDS and raw.get("judgements"):
            problems.append(
                Problem(
                    f"{path}.judgements",
                    f"{_VERDICT_GIVERS} gives verdicts on earlier findings",
                )
            )


def _check_inspection_dates(inspection, path, problems):
    start = inspection.get("start_date")
    _check_after(
        problems,
        later=inspection.get("end_date"),
        later_path=f"{path}.end_date",
        earlier=start,
        earlier_key="start_date",
        message="the inspection cannot end before it starts",
    )
    _check_after(
        problems,
        later=inspection.get("report_published"),
        later_path=f"{path}.report_published",
        earlier=start,
        earlier_key="start_date",
        message="the report cannot be published before the inspection starts",
    )
    _check_after(
        problems,
        later=inspection.get("report_received"),
        later_path=f"{path}.report_received",
        earlier=start,
        earlier_key="start_date",
        message="the report cannot be received before the inspection starts",
    )


def _check_verdict_counts(raw, inspection, path, problems):
    """Counts of verdicts ("1 of 13") belong to an inspection that judges earlier findings."""
    kind = inspection.get("kind")
    judged, resolved = inspection.get("findings_judged"), inspection.get("findings_resolved")
    given = [key for key in ("findings_judged", "findings_resolved") if raw.get(key) is not None]
    if not given:
        return
    if kind and kind not in _VERDICT_KINDS:
        problems.append(
            Problem(
                f"{path}.{given[0]}",
                f"{_VERDICT_GIVERS} judges earlier findings, not {_a(_KIND_NOUNS[kind])}: "
                "remove findings_judged and findings_resolved",
            )
        )
        inspection.pop("findings_judged", None)
        inspection.pop("findings_resolved", None)
        return
    if resolved is not None and raw.get("findings_judged") is None:
        problems.append(
            Problem(
                f"{path}.findings_judged",
                "is required with findings_resolved: give how many findings were judged "
                '(13 in "sufficient progress in 1 of 13")',
            )
        )
    elif judged is not None and resolved is not None and resolved > judged:
        problems.append(
            Problem(
                f"{path}.findings_resolved",
                f"cannot be more than findings_judged ({judged})",
            )
        )


def _check_priority_actions_listed(inspection, path, problems):
    """An outcome 3 inspection lists its areas for priority action."""
    # Outcome 3 is the outcome that comes with areas for priority action: every
    # published outcome 3 report names at least one (see docs/domain-rules.md),
    # so an outcome 3 inspection without any has lost them or has the wrong outcome.
    if (
        inspection.get("kind") == Inspection.Kind.FULL
        and inspection.get("outcome") == Inspection.Outcome.SYSTEMIC
        and not inspection.get("_unreadable_findings")
        and not any(
            finding["kind"] == Finding.Kind.PRIORITY_ACTION for finding in inspection["findings"]
        )
    ):
        problems.append(
            Problem(
                f"{path}.findings",
                'an outcome "3" inspection has at least one area for priority action: list '
                "them with kind area_for_priority_action (with wording not_captured if their "
                "words are not public), or check the outcome",
            )
        )


def _check_findings(
    raw_findings, *, path, inspection, ref, framework, makes_findings, checked, problems
):
    numbers = {}
    for index, raw in enumerate(raw_findings):
        finding_path = f"{path}.findings[{index}]"
        finding = _record(raw, finding_path, _FINDING_KEYS, problems)
        kind, number = (finding.get("kind"), finding.get("number")) if finding else (None, None)
        if not (kind and number):
            # References to this finding cannot be checked; saying so for each
            # one would only repeat the problem already reported here.
            inspection["_unreadable_findings"] = True
        if finding is None:
            continue
        if framework and kind and kind not in Finding.KINDS_BY_FRAMEWORK[framework]:
            allowed = _in_order(Finding.Kind, Finding.KINDS_BY_FRAMEWORK[framework])
            problems.append(
                Problem(
                    f"{finding_path}.kind",
                    f"must be {_or_list(allowed)} for a {framework} framework inspection, "
                    f"not {_show(kind)}",
                )
            )
            inspection["_unreadable_findings"] = True
            kind = None
        if (
            makes_findings
            and kind == Finding.Kind.PRIORITY_ACTION
            and inspection.get("outcome") != Inspection.Outcome.SYSTEMIC
            and not inspection.get("_unreadable_outcome")
        ):
            # The same rule as Finding.clean(), reported here with every other problem.
            problems.append(
                Problem(
                    f"{finding_path}.kind",
                    'areas for priority action come only with outcome "3" (widespread and/or '
                    'systemic failings): give the inspection outcome "3", or use '
                    "area_for_improvement",
                )
            )
        lead = finding.get("lead_organisation")
        if lead and lead not in checked.organisations_by_slug:
            problems.append(
                Problem(
                    f"{finding_path}.lead_organisation",
                    f"there is no organisation {lead} in this file's organisations",
                )
            )
        if not (kind and number):
            continue
        if (kind, number) in numbers:
            problems.append(
                Problem(
                    f"{finding_path}.number",
                    f"{kind} {number} is already used by {numbers[kind, number]}",
                )
            )
            # The finding meant may be a different number; see above.
            inspection["_unreadable_findings"] = True
            continue
        numbers[kind, number] = finding_path
        if makes_findings:
            inspection["findings"].append(finding)
            finding["_inspection"] = inspection
            if isinstance(ref, str):
                finding["_key"] = (ref, kind, number)
                checked.findings_by_key.setdefault(finding["_key"], finding)


def _resolve_finding(raw, path, checked, problems):
    """The finding a reference names, or None with the reason in problems."""
    reference = _record(raw, path, _FINDING_REFERENCE_KEYS, problems)
    if reference is None or not all(key in reference for key in _FINDING_REFERENCE_KEYS):
        return None
    key = (reference["inspection"], reference["kind"], reference["number"])
    finding = checked.findings_by_key.get(key)
    if finding is None:
        inspection = checked.inspections_by_ref.get(key[0])
        if inspection is None:
            problems.append(Problem(path, f"there is no inspection {key[0]} in this file"))
        elif not inspection.get("_unreadable_findings"):
            problems.append(Problem(path, f"there is no {key[1]} {key[2]} in inspection {key[0]}"))
    return finding


def _resolve_finding_list(value, path, checked, problems):
    """The findings a list of references names, each once: [(finding, item path)]."""
    resolved, listed = [], {}
    for index, raw_reference in enumerate(value):
        item_path = f"{path}[{index}]"
        finding = _resolve_finding(raw_reference, item_path, checked, problems)
        if finding is None:
            continue
        if finding["_key"] in listed:
            problems.append(
                Problem(
                    item_path,
                    f"{_describe_finding(finding['_key'])} is already listed at "
                    f"{listed[finding['_key']]}",
                )
            )
            continue
        listed[finding["_key"]] = item_path
        resolved.append((finding, item_path))
    return resolved


def _check_judgements(raw_judgements, *, path, source, checked, problems):
    """Check the verdicts one inspection or review gave on earlier findings."""
    is_review = source["_type"] is ProgressReview
    kind = None if is_review else source.get("kind")
    if is_review:
        allowed, giver, source_date = Judgement.REVIEW_VERDICTS, "review", source.get("held_on")
    elif kind in _VERDICT_KINDS:
        allowed = Judgement.INSPECTION_VERDICTS[kind]
        giver, source_date = _KIND_NOUNS[kind], source.get("start_date")
    else:
        # Not an inspection that judges findings: reported with the inspection.
        allowed = giver = source_date = None
    seen = {}
    for index, raw in enumerate(raw_judgements):
        judgement_path = f"{path}.judgements[{index}]"
        judgement = _record(raw, judgement_path, _JUDGEMENT_KEYS, problems)
        if judgement is None:
            source["_unreadable_judgements"] = True
            continue
        verdict = judgement.get("verdict")
        if verdict is not None:
            if allowed is None:
                check = _choice(Judgement.Verdict.values)
            else:
                check = _choice(_in_order(Judgement.Verdict, allowed), context=f" for {_a(giver)}")
            try:
                check(verdict)
            except _Invalid as error:
                problems.append(Problem(f"{judgement_path}.verdict", str(error)))
                del judgement["verdict"]
        if "verdict" not in judgement or not isinstance(raw.get("finding"), dict):
            source["_unreadable_judgements"] = True
        if not isinstance(raw.get("finding"), dict):
            continue
        finding = _resolve_finding(raw["finding"], f"{judgement_path}.finding", checked, problems)
        if finding is None:
            source["_unreadable_judgements"] = True
        if finding is None or allowed is None:
            continue
        finding_path = f"{judgement_path}.finding"
        if finding["_inspection"] is source:
            problems.append(
                Problem(
                    finding_path,
                    f"{_a(giver)} cannot judge its own findings: give verdicts only on an "
                    "earlier inspection's findings",
                )
            )
            source["_unreadable_judgements"] = True
            continue
        judgement["_finding"] = finding
        judgement["_source"] = source
        checked.judgements.append(judgement)
        if kind in _JUDGED_FINDING_KINDS and finding["kind"] not in _JUDGED_FINDING_KINDS[kind]:
            judged = _in_order(Finding.Kind, _JUDGED_FINDING_KINDS[kind])
            problems.append(
                Problem(
                    finding_path,
                    f"{_a(giver)} can only judge {_or_list(judged, quoted=False)} findings, "
                    f"not {finding['kind']}",
                )
            )
        made_on = finding["_inspection"].get("start_date")
        if source_date and made_on and source_date.last_day < made_on.date:
            problems.append(
                Problem(
                    finding_path,
                    f"the finding is from inspection {finding['_key'][0]}, which started "
                    f"({made_on.isoformat()}) after this {giver} "
                    f"({source_date.isoformat()})",
                )
            )
        if finding["_key"] in seen:
            problems.append(
                Problem(
                    finding_path,
                    f"this {giver} already gives a verdict on "
                    f"{_describe_finding(finding['_key'])}, at {seen[finding['_key']]}",
                )
            )
        else:
            seen[finding["_key"]] = judgement_path


def _check_interventions(top, checked, problems):
    for index, raw in enumerate(top.get("interventions", [])):
        path = f"interventions[{index}]"
        intervention = _record(raw, path, _INTERVENTION_KEYS, problems)
        if intervention is None:
            continue
        checked.interventions.append(intervention)
        _index_by_key(
            raw, "ref", intervention, checked.interventions_by_ref, path=path, problems=problems
        )
        _check_after(
            problems,
            later=intervention.get("lifted_on"),
            later_path=f"{path}.lifted_on",
            earlier=intervention.get("issued_on"),
            earlier_key="issued_on",
            message="an intervention cannot be lifted before it is issued",
        )
        intervention["_findings"] = []
        if isinstance(raw.get("findings"), list):
            intervention["_findings"] = _resolve_finding_list(
                raw["findings"], f"{path}.findings", checked, problems
            )
    _check_replacements(
        checked.interventions, checked.interventions_by_ref, "replaced_by", "intervention", problems
    )


def _check_reviews(top, checked, problems):
    for index, raw in enumerate(top.get("reviews", [])):
        path = f"reviews[{index}]"
        review = _record(raw, path, _REVIEW_KEYS, problems)
        if review is None:
            continue
        review["_type"] = ProgressReview
        review["_raw_judgements"] = raw.get("judgements")
        checked.reviews.append(review)
        _index_by_key(raw, "ref", review, checked.reviews_by_ref, path=path, problems=problems)

        target = review.get("intervention")
        if target is None and review.get("kind") == ProgressReview.Kind.INTERVENTION_REVIEW:
            if raw.get("intervention") is None:
                problems.append(
                    Problem(
                        f"{path}.intervention",
                        "is required for an intervention_review: give the ref of the "
                        "intervention it reviewed, or choose another kind",
                    )
                )
        elif target is not None:
            intervention = checked.interventions_by_ref.get(target)
            if intervention is None:
                problems.append(
                    Problem(
                        f"{path}.intervention", f"there is no intervention {target} in this file"
                    )
                )
            else:
                held, issued = review.get("held_on"), intervention.get("issued_on")
                if held and issued and held.last_day < issued.date:
                    problems.append(
                        Problem(
                            f"{path}.held_on",
                            "an intervention cannot be reviewed before it is issued "
                            f"({target} was issued on {issued.isoformat()})",
                        )
                    )


def _check_all_judgements(checked, problems):
    """Verdicts are checked once every finding in the file is known."""
    for record in [*checked.inspections, *checked.reviews]:
        if isinstance(record["_raw_judgements"], list):
            _check_judgements(
                record["_raw_judgements"],
                path=record["_path"],
                source=record,
                checked=checked,
                problems=problems,
            )
    for inspection in checked.inspections:
        _check_counts_fit_verdicts(inspection, checked, problems)


def _verdicts_given_by(source, checked):
    """The verdicts an inspection or review gives, one per finding (a repeat is a problem)."""
    verdicts = {}
    for judgement in checked.judgements:
        if judgement["_source"] is source and "verdict" in judgement:
            verdicts.setdefault(judgement["_finding"]["_key"], judgement["verdict"])
    return list(verdicts.values())


def _check_counts_fit_verdicts(inspection, checked, problems):
    """Verdict counts and the verdicts listed must tell the same story."""
    judged, resolved = inspection.get("findings_judged"), inspection.get("findings_resolved")
    if judged is None:
        return
    path = inspection["_path"]
    verdicts = _verdicts_given_by(inspection, checked)
    if len(verdicts) > judged:
        problems.append(
            Problem(
                f"{path}.findings_judged",
                f"is {judged}, but judgements gives verdicts on {len(verdicts)} findings: "
                "correct the count or the verdicts",
            )
        )
        return
    if resolved is None or resolved > judged:
        return
    resolving = sum(verdict in Judgement.RESOLVED_VERDICTS for verdict in verdicts)
    unresolved = len(verdicts) - resolving
    if resolving > resolved:
        problems.append(
            Problem(
                f"{path}.findings_resolved",
                f"is {resolved}, but judgements resolves {resolving} findings: "
                "correct the count or the verdicts",
            )
        )
    elif unresolved > judged - resolved:
        problems.append(
            Problem(
                f"{path}.findings_resolved",
                f"is {resolved} of {judged}, leaving {judged - resolved} unresolved, but "
                f"judgements leaves {unresolved} unresolved: correct the count or the verdicts",
            )
        )


def _insufficient_findings(revisit, checked):
    """The findings a revisit judged insufficient_progress, in file order."""
    return [
        judgement["_finding"]
        for judgement in checked.judgements
        if judgement["_source"] is revisit
        and judgement.get("verdict") == Judgement.Verdict.INSUFFICIENT
    ]


def _check_plan_interventions(plan, *, path, checked, problems):
    """Each intervention a plan answers is named by a ref listed in this file, once."""
    seen = set()
    for index, ref in enumerate(plan.get("interventions", [])):
        where = f"{path}.interventions[{index}]"
        if not isinstance(ref, str) or not ref.strip():
            problems.append(Problem(where, "must be the ref of an intervention in this file"))
        elif ref not in checked.interventions_by_ref:
            problems.append(Problem(where, f"there is no intervention {ref} in this file"))
        elif ref in seen:
            problems.append(Problem(where, f"lists {ref} twice"))
        else:
            seen.add(ref)


def _check_plans(top, checked, problems):
    for index, raw in enumerate(top.get("plans", [])):
        path = f"plans[{index}]"
        plan = _record(raw, path, _PLAN_KEYS, problems)
        if plan is None:
            continue
        checked.plans.append(plan)
        _index_by_key(raw, "ref", plan, checked.plans_by_ref, path=path, problems=problems)

        kind = plan.get("kind")
        answers = None
        responds_to = plan.get("responds_to")
        if responds_to:
            answers = checked.inspections_by_ref.get(responds_to)
            if answers is None:
                problems.append(
                    Problem(
                        f"{path}.responds_to",
                        f"there is no inspection {responds_to} in this file",
                    )
                )
            elif kind and answers.get("kind"):
                allowed = _in_order(Inspection.Kind, Plan.RESPONDS_TO[kind])
                if answers["kind"] not in allowed:
                    wanted = " or ".join(_a(_KIND_NOUNS[value]) for value in allowed)
                    problems.append(
                        Problem(
                            f"{path}.responds_to",
                            f"{_a(kind)} answers {wanted}, but {responds_to} is "
                            f"{_a(_KIND_NOUNS[answers['kind']])}",
                        )
                    )
                    answers = None
                else:
                    _check_plan_fits_outcome(plan, answers, checked, problems)
            else:
                answers = None
        plan["_answers"] = answers
        _check_plan_findings(raw, plan=plan, kind=kind, checked=checked, problems=problems)
        _check_plan_interventions(plan, path=path, checked=checked, problems=problems)

        _check_after(
            problems,
            later=plan.get("judged_on"),
            later_path=f"{path}.judged_on",
            earlier=plan.get("submitted_on"),
            earlier_key="submitted_on",
            message="a plan cannot be judged before it is submitted",
        )
        _check_after(
            problems,
            later=plan.get("closed_on"),
            later_path=f"{path}.closed_on",
            earlier=plan.get("published_on"),
            earlier_key="published_on",
            message="a plan cannot close before it is published",
        )
    _check_replacements(checked.plans, checked.plans_by_ref, "superseded_by", "plan", problems)


def _check_plan_fits_outcome(plan, answers, checked, problems):
    """Does the inspection's outcome call for this kind of plan? Plan.clean()'s own rule."""
    if answers.get("_unreadable_outcome"):
        return
    judged, resolved = answers.get("findings_judged"), answers.get("findings_resolved")
    if judged is None or resolved is None:
        if answers.get("_unreadable_judgements"):
            return  # some verdicts cannot be read: already a problem
        # Without counts, the verdicts listed say whether everything was resolved.
        verdicts = _verdicts_given_by(answers, checked)
        judged, resolved = (
            (len(verdicts), sum(v == Judgement.Verdict.SUFFICIENT for v in verdicts))
            if verdicts
            else (None, None)
        )
    # An unsaved inspection stands for the file's, so the model's own rule decides.
    inspection = Inspection(
        kind=answers["kind"],
        outcome=answers.get("outcome", ""),
        findings_judged=judged,
        findings_resolved=resolved,
    )
    problem = Plan(kind=plan["kind"])._outcome_problem(inspection)
    if problem:
        problems.append(Problem(f"{plan['_path']}.responds_to", problem))


def _check_plan_findings(raw, *, plan, kind, checked, problems):
    """Work out the findings a plan addresses; record them as plan["_findings"]."""
    path = f"{plan['_path']}.findings"
    accelerated = kind == Plan.Kind.ACCELERATED
    answers = plan["_answers"]
    value = raw.get("findings")
    if value is None or value == "":
        value = "insufficient" if accelerated else "all"
    plan["_findings"] = []
    if (
        accelerated
        and answers is not None
        and value != "insufficient"
        and not answers.get("_raw_judgements")
    ):
        # Only counts such as "1 of 13" are public: which findings the revisit left
        # without sufficient progress, and so which the plan takes on, is not.
        problems.append(
            Problem(
                path,
                f"revisit {answers['ref']} gives no verdict on each finding, so which findings "
                "this plan addresses is not public: leave findings out to record the plan "
                "without them, or give the revisit's verdict on each finding under its "
                "judgements",
            )
        )
        return
    if value == "all":
        if accelerated:
            problems.append(
                Problem(
                    path,
                    f'must be "insufficient" or a list of findings for {_a(kind)}: it addresses '
                    "the findings its revisit judged insufficient_progress",
                )
            )
        elif answers is not None and kind == Plan.Kind.PRIORITY_ACTION:
            # A priority action plan answers the areas for priority action only.
            plan["_findings"] = [
                finding
                for finding in answers["findings"]
                if finding["kind"] == Finding.Kind.PRIORITY_ACTION
            ]
        elif answers is not None:
            plan["_findings"] = list(answers["findings"])
        return
    if value == "insufficient":
        if kind and not accelerated:
            problems.append(
                Problem(
                    path,
                    f'"insufficient" is only for an accelerated_progress_plan; for {_a(kind)} '
                    'use "all" or list the findings',
                )
            )
        elif answers is not None:
            plan["_findings"] = _insufficient_findings(answers, checked)
        return
    if not isinstance(value, list):
        problems.append(
            Problem(
                path,
                f'must be "all", "insufficient" or a list of finding references, not {_show(value)}',
            )
        )
        return
    listed = _resolve_finding_list(value, path, checked, problems)
    plan["_findings"] = [finding for finding, _item_path in listed]
    if answers is None:
        return
    if accelerated:
        _check_listed_insufficient(listed, answers, path, checked, problems)
        return
    for finding, item_path in listed:
        if finding["_inspection"] is not answers:
            problems.append(
                Problem(
                    item_path,
                    f"{_describe_finding(finding['_key'])} is not a finding of "
                    f"{answers['ref']}, the inspection this plan answers",
                )
            )


def _check_listed_insufficient(listed, revisit, path, checked, problems):
    """An accelerated plan lists exactly the findings its revisit judged insufficient."""
    # Compare keys: the records refer to each other, so comparing them as
    # dicts would recurse without end.
    expected = _insufficient_findings(revisit, checked)
    expected_keys = {finding["_key"] for finding in expected}
    listed_keys = {finding["_key"] for finding, _item_path in listed}
    missing = [finding for finding in expected if finding["_key"] not in listed_keys]
    extra = [finding for finding, _item_path in listed if finding["_key"] not in expected_keys]
    if missing or extra:
        changes = []
        if missing:
            changes.append("add " + ", ".join(_describe_finding(f["_key"]) for f in missing))
        if extra:
            changes.append("remove " + ", ".join(_describe_finding(f["_key"]) for f in extra))
        problems.append(
            Problem(
                path,
                "an accelerated_progress_plan must address exactly the findings its "
                f"revisit {revisit['ref']} judged insufficient_progress: " + "; ".join(changes),
            )
        )


def _check_replacements(records, by_ref, key, noun, problems):
    """Each ``key`` names another record of the file, and no records replace each other in a loop."""
    reported_loops = set()
    for record in records:
        target = record.get(key)
        if not target:
            continue
        path = f"{record['_path']}.{key}"
        if target not in by_ref:
            problems.append(Problem(path, f"there is no {noun} {target} in this file"))
            continue
        if target == record.get("ref"):
            problems.append(Problem(path, f"{_a(noun)} cannot replace itself"))
            continue
        # Follow the chain of replacements; coming back to this record is a loop,
        # which also means there is no order in which they could be saved.
        chain = [record.get("ref")]
        current = by_ref[target]
        while current is not None and current.get("ref") not in chain:
            chain.append(current.get("ref"))
            next_ref = current.get(key)
            current = by_ref.get(next_ref) if next_ref else None
        if current is not None and current.get("ref") == record.get("ref"):
            loop = frozenset(chain)
            if loop not in reported_loops:
                reported_loops.add(loop)
                problems.append(
                    Problem(
                        path,
                        f"the {noun}s replace each other in a loop: "
                        + " → ".join([*chain, record.get("ref")]),
                    )
                )


_SECTIONS = [
    "",
    "format",
    "version",
    "area",
    "organisations",
    "inspections",
    "interventions",
    "reviews",
    "plans",
]
_PATH_START = re.compile(r"^([^.\[]*)(?:\[(\d+)\])?")


def _problem_order(problem):
    """Sort by section and record, keeping each record's problems in the order found."""
    section, index = _PATH_START.match(problem.path).groups()
    position = _SECTIONS.index(section) if section in _SECTIONS else 0
    return (position, int(index) if index is not None else -1)


def _check(document):
    problems = []
    checked = _Checked()
    if not isinstance(document, dict):
        return [Problem("", _NOT_AN_OBJECT)], checked
    top = _record(document, "", _TOP_KEYS, problems)
    # Sections that are not lists were reported above; treat them as empty.
    for section in ("organisations", "inspections", "interventions", "reviews", "plans"):
        top.setdefault(section, [])
    _check_area(top, checked, problems)
    _check_organisations(top, checked, problems)
    _check_inspections(top, checked, problems)
    _check_interventions(top, checked, problems)
    _check_reviews(top, checked, problems)
    _check_all_judgements(checked, problems)
    _check_plans(top, checked, problems)
    return sorted(problems, key=_problem_order), checked


def validate(document):
    """Every problem in the document, each with its place in the file; [] if it can be imported."""
    problems, _checked = _check(document)
    return problems


# Writing ---------------------------------------------------------------------------------


def _text_value(record, key, default=""):
    return record.get(key, default)


def _date_values(name, value):
    """The date and precision fields for a PartialDate (or None: not known)."""
    if value is None:
        return {name: None, f"{name}_precision": Precision.DAY}
    return {name: value.date, f"{name}_precision": value.precision}


@dataclass
class _Writer:
    """Saves records that are new or changed, with the import's history user and reason."""

    user: Any
    reason: str
    summary: ImportSummary
    problems: list = field(default_factory=list)

    def save(self, model, *, path, lookup, values, file_keys, about=""):
        """Save one record; None, with its problems noted, if the model refuses it.

        ``about`` names the record in each problem when the path alone does
        not (one finding among those a plan addresses).
        """
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values)
            outcome = "created"
        else:
            changed = {
                name: value for name, value in values.items() if getattr(instance, name) != value
            }
            if not changed:
                self.summary.counts[model]["unchanged"] += 1
                return instance
            for name, value in changed.items():
                setattr(instance, name, value)
            outcome = "updated"
        try:
            save_with_history(instance, by=self.user, reason=self.reason)
        except ValidationError as error:
            self.problems.extend(_problems_from(error, path=path, file_keys=file_keys, about=about))
            return None
        self.summary.counts[model][outcome] += 1
        return instance


def _problems_from(error, *, path, file_keys, about=""):
    """Turn a model's ValidationError into problems placed in the file where possible.

    A message about a field the file has goes to that key (``plans[2].status``);
    any other, and a message about the record as a whole, to the record itself.
    """
    problems = []
    prefix = f"{about}: " if about else ""
    for name, messages in error.message_dict.items():
        key = name.removesuffix("_precision")
        where = _join(path, key) if name != NON_FIELD_ERRORS and key in file_keys else path
        problems.extend(Problem(where, prefix + message) for message in messages)
    return problems


def _replacements_first(records, key):
    """Records ordered so each one's replacement (named by ``key``) is saved before it."""
    by_ref = {record["ref"]: record for record in records}
    ordered, placed = [], set()

    def place(record):
        if record["ref"] in placed:
            return
        target = record.get(key)
        if target:
            place(by_ref[target])
        placed.add(record["ref"])
        ordered.append(record)

    for record in records:
        place(record)
    return ordered


def _write_area(record, writer):
    """Save the local area itself; None if it could not be saved."""
    return writer.save(
        LocalArea,
        path="area",
        lookup={"slug": record["slug"]},
        values={
            "name": record["name"],
            "summary": _text_value(record, "summary"),
            "local_offer_url": _text_value(record, "local_offer_url"),
            "sources": _text_value(record, "sources"),
        },
        file_keys=_AREA_KEYS,
    )


def _write_organisations(records, area, writer):
    """Save each organisation and its partnership with the area; return them by slug."""
    organisations = {}
    for order, record in enumerate(records):
        values = {"name": record["name"], "kind": record["kind"]}
        if "former_kind" in record or "kind_changed_on" in record:
            values["former_kind"] = _text_value(record, "former_kind")
            values.update(_date_values("kind_changed_on", record.get("kind_changed_on")))
        # An organisation can partner several areas; a file that does not give
        # its website leaves the one another area's file gave alone.
        if "website" in record:
            values["website"] = record["website"]
        organisation = writer.save(
            Organisation,
            path=record["_path"],
            lookup={"slug": record["slug"]},
            values=values,
            file_keys=_ORGANISATION_KEYS,
        )
        if organisation is None:
            continue
        organisations[record["slug"]] = organisation
        writer.save(
            Partnership,
            path=record["_path"],
            lookup={"area_id": area.pk, "organisation_id": organisation.pk},
            values={"description": _text_value(record, "description"), "order": order},
            file_keys={"description"},
        )
    return organisations


def _inspection_values(record):
    """The field values of an inspection record, as saved on the model."""
    return {
        "framework": record["framework"],
        "kind": record["kind"],
        **_date_values("start_date", record.get("start_date")),
        **_date_values("end_date", record.get("end_date")),
        **_date_values("report_received", record.get("report_received")),
        **_date_values("report_published", record.get("report_published")),
        "outcome": _text_value(record, "outcome"),
        "outcome_text": _text_value(record, "outcome_text"),
        "report_url": _text_value(record, "report_url"),
        "public_summary": _text_value(record, "public_summary"),
        "findings_judged": record.get("findings_judged"),
        "findings_resolved": record.get("findings_resolved"),
        "notes": _text_value(record, "notes"),
        "sources": _text_value(record, "sources"),
    }


def _write_inspections(records, area, organisations, writer):
    """Save each inspection and its findings; return (inspections by ref, findings by key)."""
    inspections, findings = {}, {}
    for record in records:
        inspection = writer.save(
            Inspection,
            path=record["_path"],
            lookup={"area_id": area.pk, "ref": record["ref"]},
            values=_inspection_values(record),
            file_keys=_INSPECTION_KEYS,
        )
        if inspection is None:
            continue
        inspections[record["ref"]] = inspection
        _write_findings(record["findings"], inspection, organisations, findings, writer)
    return inspections, findings


def _write_findings(records, inspection, organisations, findings, writer):
    """Save one inspection's findings, adding each saved one to ``findings`` by its key."""
    for record in records:
        lead = organisations.get(record.get("lead_organisation"))
        finding = writer.save(
            Finding,
            path=record["_path"],
            lookup={
                "inspection_id": inspection.pk,
                "kind": record["kind"],
                "number": record["number"],
            },
            values={
                "text": record["text"],
                "wording": record.get("wording", Finding.Wording.VERBATIM),
                "lead_organisation_id": lead.pk if lead else None,
                "notes": _text_value(record, "notes"),
            },
            file_keys=_FINDING_KEYS,
        )
        if finding is not None:
            findings[record["_key"]] = finding


def _write_interventions(records, *, area, findings, writer):
    """Save each intervention, replacements first, then the findings it covers; return them by ref."""
    interventions = {}
    for record in _replacements_first(records, "replaced_by"):
        replacement = interventions.get(record.get("replaced_by"))
        if record.get("replaced_by") and replacement is None:
            continue  # its replacement could not be saved: already a problem
        intervention = writer.save(
            Intervention,
            path=record["_path"],
            lookup={"area_id": area.pk, "ref": record["ref"]},
            values={
                "kind": record["kind"],
                "title": _text_value(record, "title"),
                **_date_values("issued_on", record.get("issued_on")),
                **_date_values("lifted_on", record.get("lifted_on")),
                "issued_by": record.get("issued_by", DEFAULT_ISSUED_BY),
                "legal_basis": _text_value(record, "legal_basis"),
                "covers": _text_value(record, "covers"),
                "commissioner": _text_value(record, "commissioner"),
                "review_every_months": record.get("review_every_months"),
                "replaced_by_id": replacement.pk if replacement else None,
                "public_summary": _text_value(record, "public_summary"),
                "notes": _text_value(record, "notes"),
                "sources": _text_value(record, "sources"),
            },
            file_keys=_INTERVENTION_KEYS,
        )
        if intervention is None:
            continue
        interventions[record["ref"]] = intervention
        for finding_record, item_path in record["_findings"]:
            finding = findings.get(finding_record["_key"])
            if finding is None:
                continue
            # Created one by one, never with .findings.add(), which writes no history.
            writer.save(
                InterventionFinding,
                path=item_path,
                lookup={"intervention_id": intervention.pk, "finding_id": finding.pk},
                values={},
                file_keys=(),
            )
    return interventions


def _write_reviews(records, *, area, interventions, writer):
    """Save each progress review; return them by ref."""
    reviews = {}
    for record in records:
        reviewed = interventions.get(record.get("intervention"))
        if record.get("intervention") and reviewed is None:
            continue  # its intervention could not be saved: already a problem
        review = writer.save(
            ProgressReview,
            path=record["_path"],
            lookup={"area_id": area.pk, "ref": record["ref"]},
            values={
                "kind": record.get("kind", ProgressReview.Kind.PROGRESS_REVIEW),
                **_date_values("held_on", record.get("held_on")),
                "label": _text_value(record, "label"),
                "conducted_by": record.get("conducted_by", DEFAULT_CONDUCTED_BY),
                "intervention_id": reviewed.pk if reviewed else None,
                "result": _text_value(record, "result"),
                "public_summary": _text_value(record, "public_summary"),
                "sources": _text_value(record, "sources"),
            },
            file_keys=_REVIEW_KEYS,
        )
        if review is not None:
            reviews[record["ref"]] = review
    return reviews


def _write_judgements(records, *, findings, inspections, reviews, writer):
    """Save each judgement whose finding and source (inspection or review) were saved."""
    for record in records:
        finding = findings.get(record["_finding"]["_key"])
        source = record["_source"]
        if source["_type"] is ProgressReview:
            given_by = {"review_id": getattr(reviews.get(source["ref"]), "pk", None)}
        else:
            given_by = {"inspection_id": getattr(inspections.get(source["ref"]), "pk", None)}
        if finding is None or None in given_by.values():
            continue  # its finding or source could not be saved: already a problem
        writer.save(
            Judgement,
            path=record["_path"],
            lookup={"finding_id": finding.pk, **given_by},
            values={
                "verdict": record["verdict"],
                "commentary": _text_value(record, "commentary"),
            },
            file_keys=_JUDGEMENT_KEYS,
        )


def _plan_values(record, *, answers, replacement):
    """The field values of a plan record, given the inspection it answers and its replacement."""
    return {
        "kind": record["kind"],
        "title": record["title"],
        "local_name": _text_value(record, "local_name"),
        "responds_to_id": answers.pk,
        # A plan in a public history is a real plan: one whose status the
        # sources do not give is "not known", not a hidden draft.
        "status": record.get("status", Plan.Status.UNKNOWN),
        **_date_values("submitted_on", record.get("submitted_on")),
        **_date_values("judged_on", record.get("judged_on")),
        **_date_values("published_on", record.get("published_on")),
        **_date_values("closed_on", record.get("closed_on")),
        "judgement": _text_value(record, "judgement"),
        "judged_by": _text_value(record, "judged_by"),
        "superseded_by_id": replacement.pk if replacement else None,
        "public_summary": _text_value(record, "public_summary"),
        "notes": _text_value(record, "notes"),
        "sources": _text_value(record, "sources"),
    }


def _write_plans(records, *, area, inspections, findings, interventions, writer):
    """Save each plan whose inspection was saved, replacements first, then its findings."""
    plans = {}
    for record in _replacements_first(records, "superseded_by"):
        answers = inspections.get(record["responds_to"])
        if answers is None:
            continue
        replacement = plans.get(record.get("superseded_by"))
        plan = writer.save(
            Plan,
            path=record["_path"],
            lookup={"area_id": area.pk, "ref": record["ref"]},
            values=_plan_values(record, answers=answers, replacement=replacement),
            file_keys=_PLAN_KEYS,
        )
        if plan is None:
            continue
        plans[record["ref"]] = plan
        _write_plan_findings(record, plan, findings, writer)
        _write_plan_interventions(record, plan, interventions, writer)


def _write_plan_interventions(record, plan, interventions, writer):
    """Link a saved plan to each intervention it answers that was saved."""
    for index, ref in enumerate(record.get("interventions", [])):
        intervention = interventions.get(ref)
        if intervention is None:
            continue
        writer.save(
            PlanIntervention,
            path=f"{record['_path']}.interventions[{index}]",
            lookup={"plan_id": plan.pk, "intervention_id": intervention.pk},
            values={},
            file_keys=(),
        )


def _write_plan_findings(record, plan, findings, writer):
    """Link a saved plan to each of its findings that was saved."""
    for finding_record in record["_findings"]:
        finding = findings.get(finding_record["_key"])
        if finding is None:
            continue
        # Created one by one, never with plan.findings.add(), which writes no history.
        writer.save(
            PlanFinding,
            path=f"{record['_path']}.findings",
            lookup={"plan_id": plan.pk, "finding_id": finding.pk},
            values={},
            file_keys=(),
            about=_describe_finding(finding_record["_key"]),
        )


def _write(checked, writer):
    """Write a checked document, in the order of IMPORTED_MODELS; stop if the area fails."""
    area = _write_area(checked.area, writer)
    if area is None:
        return
    organisations = _write_organisations(checked.organisations, area, writer)
    inspections, findings = _write_inspections(checked.inspections, area, organisations, writer)
    interventions = _write_interventions(
        checked.interventions, area=area, findings=findings, writer=writer
    )
    reviews = _write_reviews(checked.reviews, area=area, interventions=interventions, writer=writer)
    _write_judgements(
        checked.judgements,
        findings=findings,
        inspections=inspections,
        reviews=reviews,
        writer=writer,
    )
    _write_plans(
        checked.plans,
        area=area,
        inspections=inspections,
        findings=findings,
        interventions=interventions,
        writer=writer,
    )


def import_document(document, *, filename, user=None, dry_run=False):
    """Check the document and, if it has no problems, write it in one transaction.

    Raises ImportProblems (and writes nothing) if the document or any record
    in it is not valid. With ``dry_run`` everything is done and then rolled
    back, so the summary says what an import would change.
    """
    reason = f"Imported from {filename}"
    with transaction.atomic():
        problems, checked = _check(document)
        if problems:
            raise ImportProblems(problems)
        summary = ImportSummary(area=checked.area["name"], filename=filename, dry_run=dry_run)
        writer = _Writer(user=user, reason=reason, summary=summary)
        _write(checked, writer)
        if writer.problems:
            # Raising inside the atomic block undoes everything already saved.
            raise ImportProblems(sorted(writer.problems, key=_problem_order))
        if dry_run:
            transaction.set_rollback(True)
    return summary
