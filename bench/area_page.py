"""Benchmark: the public area page of a large synthetic area.

Builds one area with 14 findings × 20 actions × 12 published updates and
10 measures × 24 values in a throwaway test database (in-memory SQLite, or
PostgreSQL when DATABASE_URL is set), then renders the area page many times
and prints the median and 95th-percentile server time (and the process's CPU
time, steadier on a busy machine) and the query count, both uncached (the
cache cleared before each request) and cached, each with its target. Two more
areas, with twice and four times the actions per finding, show that the time
grows no faster than the page and the query count not at all.

Requests go through Django's WSGI handler as a server sends them, not the test
client (bench/server.py says why). Run with `make bench`. Prints figures;
asserts nothing about time.
"""

import datetime
import logging
import os
import statistics
import sys
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
# Figures only: not a log line for every request measured.
logging.disable(logging.INFO)

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.server import CountQueries, Server  # noqa: E402

FINDINGS, ACTIONS, UPDATES, MEASURES, VALUES = 14, 20, 12, 10, 24
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
TARGET_MS, TARGET_QUERIES = 20, 10


def build(slug="benchshire", name="Benchshire", actions_per_finding=ACTIONS):
    from actions.models import ActionItem, Plan, PlanFinding
    from inspections.models import Finding, Inspection, LocalArea, Organisation, Partnership
    from progress.models import Measure, MeasureValue, ProgressUpdate

    area = LocalArea.objects.create(slug=slug, name=name)
    council = Organisation.objects.create(
        slug=f"{slug}-council", name=f"{name} Council", kind="council"
    )
    Partnership.objects.create(area=area, organisation=council)
    inspection = Inspection.objects.create(
        area=area,
        ref="2024-inspection",
        framework="2023",
        kind="full",
        start_date=datetime.date(2024, 4, 8),
        report_received=datetime.date(2024, 6, 3),
        report_published=datetime.date(2024, 6, 10),
        outcome="3",
        outcome_text="There are widespread and/or systemic failings.",
    )
    findings = Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            kind=(kind := "area_for_priority_action" if n <= 4 else "area_for_improvement"),
            kind_rank=Finding.KIND_RANK[kind],  # as save() sets it; bulk_create does not
            number=n if n <= 4 else n - 4,
            text=f"Finding {n}: leaders should improve the timeliness of support. " * 2,
            families_summary="Families should see shorter waits and clearer information.",
        )
        for n in range(1, FINDINGS + 1)
    )
    plan = Plan.objects.create(
        area=area,
        ref="pap-2024",
        kind="priority_action_plan",
        title="Priority action plan",
        responds_to=inspection,
        status="published",
    )
    PlanFinding.objects.bulk_create(PlanFinding(plan=plan, finding=f) for f in findings)
    actions = ActionItem.objects.bulk_create(
        ActionItem(
            plan=plan,
            ref=f"{i}.{j}",
            finding=finding,
            title=f"Action {i}.{j} to improve support",
            lead_organisation=council,
            start_date=datetime.date(2024, 7, 1),
            due_date=datetime.date(2026, 3, 31),
            success_criteria="Families notice the difference.",
            public_summary="What this action does, in plain words.",
        )
        for i, finding in enumerate(findings, start=1)
        for j in range(1, actions_per_finding + 1)
    )
    now = timezone.now()
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action=action,
            period_start=datetime.date(2024, 7, 1) + datetime.timedelta(days=30 * k),
            period_end=datetime.date(2024, 7, 28) + datetime.timedelta(days=30 * k),
            delivery_status="on_track",
            impact_status="some_evidence",
            narrative="Internal narrative.",
            public_summary=f"Published summary {k}.",
            state="published",
            publish_at=now - datetime.timedelta(days=400 - 30 * k),
        )
        for action in actions
        for k in range(UPDATES)
    )
    for m in range(MEASURES):
        measure = Measure.objects.create(
            area=area,
            slug=f"measure-{m}",
            name=f"Measure {m}",
            definition="A definition.",
            source="A source.",
            unit="percent",
            baseline=Decimal("40"),
            target=Decimal("60"),
            national_comparator=Decimal("46.4"),
            national_comparator_label="England, 2024",
        )
        MeasureValue.objects.bulk_create(
            MeasureValue(
                measure=measure,
                period_end=datetime.date(2023, 1, 31) + datetime.timedelta(days=31 * v),
                numerator=40 + v,
                denominator=100,
                value=Decimal(40 + v),
            )
            for v in range(VALUES)
        )
    if connection.vendor == "postgresql":  # as autovacuum would, before anyone reads them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return area


def measure(server, url, *, clear_cache):
    from public.cache import clear_public_cache

    times, cpu, queries = [], [], set()
    for _ in range(RUNS):
        if clear_cache:
            clear_public_cache()
        with CountQueries() as counted:
            start, start_cpu = time.perf_counter(), time.process_time()
            status, body = server.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert status == 200
        queries.add(counted.queries)
    times.sort()
    return (
        statistics.median(times),
        times[int(len(times) * 0.95) - 1],
        sorted(queries),
        len(body),
        statistics.median(cpu),
    )


def _queries(queries):
    return "/".join(map(str, queries)) + (" query" if queries == [1] else " queries")


def _met(median, queries, target_ms, target_queries):
    return "met" if median <= target_ms and max(queries) <= target_queries else "not met"


def main():
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    vendor = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(connection.vendor)
    try:
        area = build()
        server = Server()
        print(
            f"{FINDINGS} findings x {ACTIONS} actions x {UPDATES} updates, "
            f"{MEASURES} measures x {VALUES} values; {RUNS} runs on {vendor}"
        )
        for name, url, targets in (
            ("area page", f"/areas/{area.slug}/", (TARGET_MS, TARGET_QUERIES)),
            ("measures page", f"/areas/{area.slug}/measures/", None),
            ("home page", "/", None),
        ):
            server.get(url)  # warm up templates and connections
            median, p95, queries, size, cpu = measure(server, url, clear_cache=True)
            line = (
                f"{name} uncached ({vendor}): median {median:.1f} ms, p95 {p95:.1f} ms "
                f"(CPU {cpu:.1f} ms), {_queries(queries)}, {size / 1024:.0f} KiB"
            )
            if targets:
                line += (
                    f" – target ≤ {targets[0]} ms, ≤ {targets[1]} queries: "
                    f"{_met(median, queries, *targets)}"
                )
            print(line)
            median, p95, queries, _, cpu = measure(server, url, clear_cache=False)
            print(f"{name} cached: median {median:.2f} ms, p95 {p95:.2f} ms, {_queries(queries)}")
        # Linear, not worse: the same area with 2x and 4x the actions.
        rows = [(1, area)] + [
            (times, build(f"benchshire-{times}x", f"Benchshire {times}x", ACTIONS * times))
            for times in (2, 4)
        ]
        figures = []
        for times, each in rows:
            url = f"/areas/{each.slug}/"
            server.get(url)
            median, _, queries, _, cpu = measure(server, url, clear_cache=True)
            figures.append((times, median, cpu, queries))
        (_, base, base_cpu, _), (_, _, _, _), (_, top, top_cpu, _) = figures
        per_action = (top - base) / (FINDINGS * ACTIONS * 3)
        per_action_cpu = (top_cpu - base_cpu) / (FINDINGS * ACTIONS * 3)
        flat = len({tuple(q) for *_, q in figures}) == 1
        print(
            "area page uncached at 1x/2x/4x actions ("
            + "/".join(str(FINDINGS * ACTIONS * times) for times, *_ in figures)
            + "): median "
            + " / ".join(f"{median:.1f}" for _, median, _, _ in figures)
            + " ms (CPU "
            + " / ".join(f"{cpu:.1f}" for _, _, cpu, _ in figures)
            + f" ms), {per_action:.3f} ms per extra action (CPU {per_action_cpu:.3f}); queries "
            + " / ".join(str(max(q)) for *_, q in figures)
            + f" – target: time linear, queries the same: {'met' if flat else 'not met'}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
