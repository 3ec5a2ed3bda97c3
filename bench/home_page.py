"""Benchmark: the public home page with many local areas.

Builds invented areas ("Benchshire 1", "Benchshire 2", ...) in a throwaway
test database (in-memory SQLite, or PostgreSQL when DATABASE_URL is set). Each
area's history goes in through `manage.py import_area`, from an area-history
document made here in one of several shapes (docs/area-history-format.md):
a 2016 inspection with its WSOA and revisit, an outcome 3 inspection with its
priority action plan and an Improvement Notice, a later full inspection, or no
inspection at all. Areas with a published plan are then given actions, updates,
measures and a board meeting, as the board would add them.

Prints the median and 95th-percentile server time, CPU time and query count
of the home page, not cached, at half the areas and at all of them: when one
area has changed since the page was cached (its row alone is built again; the
target applies here) and cold (every row built, as after a deploy). The query
count must not grow with the number of areas.

Requests go through Django's WSGI handler as a server sends them (bench/server.py).
Run with `make bench`. Prints figures; asserts nothing about time.
"""

import copy
import datetime
import io
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
# Figures only: not a log line for every request measured.
logging.disable(logging.INFO)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.server import CountQueries, Server  # noqa: E402

AREAS = int(os.environ.get("BENCH_AREAS", "154"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
TARGET_MS = 25
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "area-history-example.json"

# Which of the example's inspections each shape of history keeps, in turn.
SHAPES = (
    ("2017-inspection", "2019-revisit", "2023-inspection", "2026-inspection"),
    ("2017-inspection", "2019-revisit"),
    ("2023-inspection",),
    ("2023-inspection", "2026-inspection"),
    (),
    ("2017-inspection",),
)


def _refers_to(reference, kept):
    return isinstance(reference, dict) and reference.get("inspection") in kept


def area_document(n, example):
    """An invented area's history: the example's, renamed and cut to one of the shapes."""
    doc = copy.deepcopy(example)
    kept = set(SHAPES[n % len(SHAPES)])
    name, slug = f"Benchshire {n}", f"benchshire-{n}"
    doc["area"].update(
        slug=slug,
        name=name,
        summary=f"{name} is an invented area used to measure the home page.",
        local_offer_url=f"https://www.example.org/{slug}/local-offer",
        sources=["Invented for a benchmark: this is not a real local area."],
    )
    renamed = {}
    for organisation in doc["organisations"]:
        new_slug = organisation["slug"].replace("exampleshire", slug)
        renamed[organisation["slug"]] = new_slug
        organisation["slug"] = new_slug
        organisation["name"] = organisation["name"].replace("Exampleshire", name)
        organisation.pop("website", None)
    inspections = [i for i in doc["inspections"] if i["ref"] in kept]
    for inspection in inspections:
        for finding in inspection.get("findings", []):
            if "lead_organisation" in finding:
                finding["lead_organisation"] = renamed[finding["lead_organisation"]]
        inspection["judgements"] = [
            j for j in inspection.get("judgements", []) if _refers_to(j["finding"], kept)
        ]
    doc["inspections"] = inspections
    if "2023-inspection" in kept:
        for intervention in doc["interventions"]:
            if "commissioner" in intervention:
                intervention["commissioner"] = "A SEND commissioner"
    else:
        doc["interventions"] = []
    interventions = {i["ref"] for i in doc["interventions"]}
    doc["reviews"] = [
        review
        for review in doc["reviews"]
        if "intervention" not in review or review["intervention"] in interventions
    ]
    for review in doc["reviews"]:
        review["judgements"] = [
            j for j in review.get("judgements", []) if _refers_to(j["finding"], kept)
        ]
    plans = [p for p in doc["plans"] if p["responds_to"] in kept]
    refs = {p["ref"] for p in plans}
    for plan in plans:
        if plan.get("superseded_by") not in refs:
            plan.pop("superseded_by", None)
            if plan["status"] == "superseded":
                plan["status"] = "published"
        plan["interventions"] = [i for i in plan.get("interventions", []) if i in interventions]
        if isinstance(plan.get("findings"), list):
            plan["findings"] = [f for f in plan["findings"] if _refers_to(f, kept)]
    doc["plans"] = plans
    return doc


def import_areas(numbers, folder):
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for n in numbers:
        path = Path(folder) / f"benchshire-{n}.json"
        path.write_text(json.dumps(area_document(n, example)), encoding="utf-8")
        call_command("import_area", str(path), stdout=io.StringIO())


def add_delivery(numbers):
    """Actions, published updates, measures and a board meeting for each area with an open plan."""
    from actions.models import ActionItem, Plan
    from progress.models import BoardMeeting, Measure, MeasureValue, ProgressUpdate

    now = timezone.now()
    slugs = [f"benchshire-{n}" for n in numbers]
    for plan in Plan.objects.filter(area__slug__in=slugs, status="published").select_related(
        "area", "responds_to"
    ):
        findings = list(plan.responds_to.findings.order_by("pk"))
        lead = plan.area.partnerships.order_by("pk").first().organisation
        actions = ActionItem.objects.bulk_create(
            ActionItem(
                plan=plan,
                ref=f"{i}.{j}",
                finding=finding,
                title=f"Action {i}.{j} to improve support",
                lead_organisation=lead,
                start_date=datetime.date(2024, 4, 1),
                due_date=datetime.date(2025 + j % 2, 3, 31),
                public_summary="What this action does, in plain words.",
            )
            for i, finding in enumerate(findings, start=1)
            for j in range(1, 6)
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                action=action,
                period_start=datetime.date(2024, 4, 1) + datetime.timedelta(days=91 * k),
                period_end=datetime.date(2024, 6, 28) + datetime.timedelta(days=91 * k),
                delivery_status=("on_track", "at_risk", "delivered")[(action.pk + k) % 3],
                impact_status="some_evidence",
                narrative="Internal narrative.",
                public_summary=f"Published summary {k}.",
                state="published",
                publish_at=now - datetime.timedelta(days=400 - 91 * k),
            )
            for action in actions
            for k in range(3)
        )
        for m in range(2):
            measure = Measure.objects.create(
                area=plan.area,
                plan=plan,
                slug=f"measure-{m}",
                name=f"Measure {m}",
                definition="A definition.",
                source="A source.",
                unit="percent",
                baseline=Decimal("40"),
                target=Decimal("60"),
            )
            MeasureValue.objects.bulk_create(
                MeasureValue(
                    measure=measure,
                    period_end=datetime.date(2024, 3, 31) + datetime.timedelta(days=91 * v),
                    numerator=40 + v,
                    denominator=100,
                    value=Decimal(40 + v),
                )
                for v in range(6)
            )
        BoardMeeting.objects.create(
            area=plan.area,
            held_on=timezone.localdate() + datetime.timedelta(days=30),
            title="Improvement board",
            is_published=True,
        )


def measure(server, *, cold):
    """Median and p95 ms, CPU ms and query counts of the home page, not cached.

    ``cold``: nothing cached (after a deploy, or a change every area shares), so
    every area's row is built. Otherwise one area has changed since the page was
    cached (the usual reason the page is not in the cache): its row alone is built.
    """
    from inspections.models import LocalArea
    from public.cache import clear_area, clear_public_cache

    slugs = list(LocalArea.objects.order_by("name").values_list("slug", flat=True))
    server.get("/")
    times, cpu, queries = [], [], set()
    for run in range(RUNS):
        if cold:
            clear_public_cache()
        else:
            clear_area(slugs[run % len(slugs)])  # as a save in that area does
        with CountQueries() as counted:
            start, start_cpu = time.perf_counter(), time.process_time()
            status, _ = server.get("/")
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert status == 200
        queries.add(counted.queries)
    times.sort()
    return (
        statistics.median(times),
        times[int(len(times) * 0.95) - 1],
        statistics.median(cpu),
        sorted(queries),
    )


def report(count, figures, *, cold):
    median, p95, cpu, queries = figures
    line = (
        f"home page uncached, {count} areas, "
        + ("cold, every row built" if cold else "one area changed")
        + f" ({connection.vendor}, {RUNS} runs): median {median:.1f} ms, p95 {p95:.1f} ms "
        f"(CPU {cpu:.1f} ms), {', '.join(map(str, queries))} queries"
    )
    if not cold:
        line += f" – target ≤ {TARGET_MS} ms: {'met' if median <= TARGET_MS else 'not met'}"
    print(line)


def main():
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        half = AREAS // 2
        server = Server()
        results = {}
        with tempfile.TemporaryDirectory() as folder:
            for numbers in (range(1, half + 1), range(half + 1, AREAS + 1)):
                import_areas(numbers, folder)
                add_delivery(numbers)
                server.get("/")  # warm up templates and connections
                count = numbers[-1]
                results[count] = measure(server, cold=False)
                report(count, results[count], cold=False)
                cold = measure(server, cold=True)
                report(count, cold, cold=True)
        flat = max(results[half][3]) == max(results[AREAS][3])
        print(
            f"home page queries at {half} and {AREAS} areas: at most {max(results[half][3])} and "
            f"{max(results[AREAS][3])} – target the same at any number of areas: "
            f"{'met' if flat else 'not met'}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
