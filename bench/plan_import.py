"""Benchmark: importing and exporting action-plan spreadsheets.

For plans of 100, 500 and 1,500 actions (each with two milestones) laid out
like a real WSOA (title block, a heading row per finding, text dates), in a
throwaway test database (in-memory SQLite, or PostgreSQL when DATABASE_URL
is set), prints: the time to check and read the XLSX, to analyse it into a
preview (with its query count), to confirm it (all rows written with
history, with its query count), to preview the same file again (nothing to
change), to confirm a corrected file that changes every action and
milestone (with its query count), and to export the plan back to XLSX; and
the process's peak memory at the end.

Targets: a real plan (well under 500 actions) previews in about a second;
confirming 1,500 actions takes at most 1.5 s.
Run with `make bench`. Prints figures; asserts nothing about time.
"""

import datetime
import logging
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django

django.setup()
# Figures only: not a log line for every request measured.
logging.disable(logging.INFO)

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from tests.actions.workbooks import xlsx_bytes  # noqa: E402

SIZES = (100, 500, 1500)
FINDINGS = 10
CONFIRM_TARGET = (1500, 1.5)  # actions, seconds


def build(size):
    from django.contrib.auth import get_user_model

    from actions.models import Plan
    from inspections.models import (
        Finding,
        Inspection,
        LocalArea,
        Membership,
        Organisation,
        Partnership,
    )

    area = LocalArea.objects.create(slug=f"bench{size}", name=f"Benchshire {size}")
    council = Organisation.objects.create(
        slug=f"bench{size}-council", name=f"Benchshire {size} Council", kind="council"
    )
    Partnership.objects.create(area=area, organisation=council)
    inspection = Inspection.objects.create(
        area=area, ref="2018-inspection", framework="2016", kind="initial"
    )
    Finding.objects.bulk_create(
        Finding(inspection=inspection, kind="significant_weakness", number=n, text=f"Weakness {n}")
        for n in range(1, FINDINGS + 1)
    )
    plan = Plan.objects.create(
        area=area,
        ref="wsoa",
        kind="wsoa",
        title="Written statement of action",
        responds_to=inspection,
    )
    user = get_user_model().objects.create_user(f"officer{size}", first_name="Olivia")
    Membership.objects.create(user=user, area=area, role="officer")
    return plan, user, council


def workbook(size, council, *, corrected=False):
    """The plan as a spreadsheet; ``corrected`` changes every action's RAG and due date and
    marks every first milestone done."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "WSOA"
    sheet.append(["Benchshire Written Statement of Action"])
    sheet.append([])
    sheet.append(
        [
            "Ref",
            "Action",
            "Lead organisation",
            "Lead officer",
            "Start date",
            "Due date",
            "Success criteria",
            "RAG",
        ]
    )
    per = size // FINDINGS
    for f in range(1, FINDINGS + 1):
        sheet.append([f"Area of weakness {f}: Weakness {f}"])
        for a in range(1, per + 1):
            sheet.append(
                [
                    f"{f}.{a}",
                    f"Action {f}.{a}: improve the timeliness of support " * 2,
                    council.name,
                    "Olivia",
                    "1/9/2024",
                    f"{(a % 28) + 1}/{4 if corrected else 3}/2026",
                    "Families notice the difference in how quickly they are helped.",
                    "Green" if corrected else "Amber",
                ]
            )
    milestones = book.create_sheet("Milestones")
    milestones.append(["Action ref", "Milestone", "Due date", "Completed on"])
    for f in range(1, FINDINGS + 1):
        for a in range(1, per + 1):
            for m in (1, 2):
                done = datetime.date(2025, 2, 20) if corrected and m == 1 else None
                milestones.append(
                    [f"{f}.{a}", f"Milestone {m}", datetime.date(2025, 3 * m, 1), done]
                )
    return xlsx_bytes(book)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def counted(function, *args, **kwargs):
    """(result, seconds, queries) of a call."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result, seconds = timed(function, *args, **kwargs)
    return result, seconds, len(queries)


def confirm(plan, book, user):
    """Preview ``book`` (untimed) and confirm it: (seconds, queries, seconds of this process's
    CPU) of the confirmation. The CPU time shows how much of a slow figure is a busy machine."""
    from actions.plan_import import analyse, apply

    analysis = analyse(plan, book)
    assert not analysis.problems, analysis.problems[:3]
    assert analysis.changes
    cpu = time.process_time()
    _, seconds, queries = counted(
        apply, plan, book, None, by=user, filename="plan.xlsx", expected_digest=analysis.digest
    )
    return seconds, queries, time.process_time() - cpu


def main():
    from actions.plan_export import export_workbook
    from actions.plan_import import analyse
    from actions.spreadsheets import read_spreadsheet

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    confirmed = {}
    try:
        print(f"Plan import and export ({connection.vendor})")
        print(
            f"{'actions':>8} {'file':>8} {'read':>7} {'preview':>8} {'queries':>8} "
            f"{'confirm':>8} {'queries':>8} {'again':>7} {'change':>7} {'queries':>8} "
            f"{'export':>7}"
        )
        for size in SIZES:
            plan, user, council = build(size)
            content = workbook(size, council)
            book, read = timed(read_spreadsheet, content, "plan.xlsx")
            analysis, preview, preview_queries = counted(analyse, plan, book)
            assert not analysis.problems, analysis.problems[:3]
            confirmed[size] = confirm(plan, book, user)
            again, repeat = timed(analyse, plan, book)
            assert not again.changes
            corrected = read_spreadsheet(workbook(size, council, corrected=True), "plan.xlsx")
            change = confirm(plan, corrected, user)
            assert not analyse(plan, corrected).changes  # every change was written
            _, export = timed(export_workbook, plan, by=user, updates={})
            print(
                f"{size:>8} {len(content) // 1024:>6}KB {read:>6.2f}s {preview:>7.2f}s "
                f"{preview_queries:>8} {confirmed[size][0]:>7.2f}s {confirmed[size][1]:>8} "
                f"{repeat:>6.2f}s {change[0]:>6.2f}s {change[1]:>8} {export:>6.2f}s"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"Peak memory of the process: {peak:.0f} MB")
        size, target = CONFIRM_TARGET
        seconds, queries, cpu = confirmed[size]
        print(
            f"Confirming {size:,} actions: {seconds:.2f}s ({cpu:.2f}s of it this process's CPU) "
            f"in {queries} queries (target: ≤ {target} s {'met' if seconds <= target else 'MISSED'})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
