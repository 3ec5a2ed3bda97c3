"""Records with their children in one query (kit.loading) and queries compiled once
(kit.prepared), prepared once on each PostgreSQL connection."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DataError, connection, transaction
from django.db.models import Count, Q
from django.db.models.sql import compiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections.models import Finding, Inspection, Judgement, LocalArea
from kit import prepared as prepared_module
from kit.loading import Children, PreparedChildren, with_children
from kit.prepared import Prepared, PreparedSQL, server_sql
from progress.models import Measure, MeasureValue, ProgressUpdate
from tests.factories import make_area, make_finding, make_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas():
    """Two areas: one with an inspection of three findings, two of them judged; one with none."""
    judged = make_area(slug="judged")
    make_area(slug="empty")
    earlier = make_inspection(area=judged, start="2018-03")
    revisits = [
        make_inspection(
            area=judged,
            start=start,
            ref=f"{start[:4]}-revisit",
            kind=Inspection.Kind.REVISIT,
            outcome=Inspection.Outcome.REVISIT_REPORTED,
        )
        for start in ("2020-05", "2022-05")
    ]
    findings = [make_finding(inspection=earlier, number=n) for n in (1, 2, 3)]
    for finding, judged_by in ((findings[0], revisits), (findings[2], revisits[1:])):
        for revisit in judged_by:
            Judgement.objects.create(
                finding=finding, inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
            )
    return judged


def compilations(monkeypatch):
    """A list that grows by one each time Django makes a query's SQL."""
    compiled = []
    real = compiler.SQLCompiler.as_sql
    monkeypatch.setattr(
        compiler.SQLCompiler,
        "as_sql",
        lambda self, *args, **kwargs: compiled.append(1) or real(self, *args, **kwargs),
    )
    return compiled


def judged_by_prefetch(area_slug):
    return list(
        Finding.objects.filter(inspection__area__slug=area_slug)
        .order_by("number")
        .prefetch_related("judgements")
    )


def test_children_come_as_prefetch_related_would_leave_them(areas, django_assert_num_queries):
    expected = judged_by_prefetch("judged")
    with django_assert_num_queries(1):
        loaded = with_children(
            Finding.objects.filter(inspection__area=areas).order_by("number"), "judgements"
        )
    with django_assert_num_queries(0):
        assert [f.pk for f in loaded] == [f.pk for f in expected]
        assert [[j.pk for j in f.judgements.all()] for f in loaded] == [
            sorted(j.pk for j in f.judgements.all()) for f in expected
        ]
        # Each child knows its parent without asking.
        assert all(j.finding is f for f in loaded for j in f.judgements.all())
        # Every field as the database holds it.
        assert [(f.text, f.kind, f.inspection_id) for f in loaded] == [
            (f.text, f.kind, f.inspection_id) for f in expected
        ]


def test_a_parent_without_children_comes_once_with_none(areas):
    (area,) = with_children(LocalArea.objects.filter(slug="empty"), "inspections")
    assert area.slug == "empty"
    assert list(area.inspections.all()) == []
    assert with_children(LocalArea.objects.filter(slug="nowhere"), "inspections") == []


def test_two_relations_come_once_each_in_their_order(areas):
    (area,) = with_children(
        LocalArea.objects.filter(slug="judged"),
        Children("inspections", order_by=("-start_date",)),
        "measures",
    )
    assert [i.ref for i in area.inspections.all()] == [
        "2022-revisit",
        "2020-revisit",
        "2018-inspection",
    ]
    assert list(area.measures.all()) == []


def test_a_condition_keeps_only_some_children(areas):
    first = Finding.objects.get(inspection__area=areas, number=1)
    loaded = with_children(
        Finding.objects.filter(inspection__area=areas).order_by("number"),
        Children("judgements", condition=Q(judgements__pk=first.judgements.first().pk)),
    )
    assert [len(f.judgements.all()) for f in loaded] == [1, 0, 0]


def test_a_prepared_query_compiles_once_and_reads_what_the_queryset_reads(areas, monkeypatch):
    compiled = compilations(monkeypatch)
    by_slug = PreparedChildren(
        LocalArea,
        lambda slug: LocalArea.objects.filter(slug=slug),
        str,
        relations=("inspections",),
    )
    (judged,) = by_slug("judged")
    (empty,) = by_slug("empty")
    assert len(compiled) == 1  # the second area used the SQL made for the first
    assert [i.ref for i in judged.inspections.all()] == [
        "2018-inspection",
        "2020-revisit",
        "2022-revisit",
    ]
    assert (empty.slug, list(empty.inspections.all())) == ("empty", [])
    assert by_slug("nowhere") == []


def test_prepared_values_of_every_kind_and_converted_fields(areas):
    measure = Measure.objects.create(
        area=areas,
        slug="waits",
        name="Waits",
        definition="A definition.",
        source="A source.",
        unit="percent",
        baseline=Decimal("40.5"),
    )
    for month in (1, 2, 3):
        MeasureValue.objects.create(
            measure=measure,
            period_end=datetime.date(2025, month, 28),
            value=Decimal(f"4{month}.25"),
        )
    rows = Prepared(
        lambda area_id, name, after: (
            MeasureValue.objects.filter(
                measure__area_id=area_id, measure__name=name, period_end__gt=after
            )
            .order_by("period_end")
            .values_list("period_end", "value")
        ),
        int,
        str,
        datetime.date,
    )
    assert rows(areas.pk, "Waits", datetime.date(2025, 1, 31)) == [
        (datetime.date(2025, 2, 28), Decimal("42.25")),
        (datetime.date(2025, 3, 28), Decimal("43.25")),
    ]
    assert rows(areas.pk, "Other", datetime.date(2025, 1, 31)) == []
    published = Prepared(
        lambda when: ProgressUpdate.objects.filter(publish_at__lte=when).values_list("pk"),
        datetime.datetime,
    )
    assert published(timezone.now()) == []


def test_a_query_whose_sql_changes_with_its_values_cannot_be_prepared(areas):
    contains = Prepared(
        lambda text: Finding.objects.filter(text__contains=text).values_list("pk"), str
    )
    with pytest.raises(ImproperlyConfigured, match="do not reach its SQL unchanged"):
        contains("timeliness")
    records = Prepared(lambda pk: Finding.objects.filter(pk=pk), int)
    with pytest.raises(ImproperlyConfigured, match="values_list"):
        records(1)
    with pytest.raises(ImproperlyConfigured, match="cannot take a float"):
        Prepared(lambda number: Finding.objects.values_list("pk"), float)
    naive = Prepared(
        lambda when: ProgressUpdate.objects.filter(publish_at__lte=when).values_list("pk"),
        datetime.datetime,
    )
    with pytest.raises(ValueError, match="aware"):
        naive(datetime.datetime(2025, 1, 1))


def test_a_list_of_keys_is_compiled_once_for_each_length(
    areas, monkeypatch, django_assert_num_queries
):
    empty = LocalArea.objects.get(slug="empty")
    compiled = compilations(monkeypatch)
    refs = Prepared(
        lambda ids, kind: (
            Inspection.objects.filter(area__in=ids, kind=kind)
            .order_by("start_date")
            .values_list("ref")
        ),
        list,
        str,
    )
    revisit = Inspection.Kind.REVISIT
    assert refs([areas.pk], revisit) == [("2020-revisit",), ("2022-revisit",)]
    assert refs([empty.pk], revisit) == []
    assert len(compiled) == 1
    assert refs([empty.pk, areas.pk], revisit) == [("2020-revisit",), ("2022-revisit",)]
    assert refs([areas.pk, empty.pk], revisit) == [("2020-revisit",), ("2022-revisit",)]
    assert len(compiled) == 2  # one more length
    with django_assert_num_queries(0):
        assert refs([], revisit) == []


# On PostgreSQL, prepared once on each connection's server session (PREPARE, then EXECUTE).

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side prepared statements are PostgreSQL's"
)


def _refs():
    return Prepared(
        lambda area_id: (
            Inspection.objects.filter(area_id=area_id).order_by("start_date").values_list("ref")
        ),
        int,
    )


def _run_sql(prepared, *values):
    with CaptureQueriesContext(connection) as captured:
        rows = prepared(*values)
    return rows, [query["sql"] for query in captured]


REFS = [("2018-inspection",), ("2020-revisit",), ("2022-revisit",)]


@postgresql_only
def test_each_query_is_prepared_once_on_a_connection_in_the_same_round_trip(areas):
    refs = _refs()
    empty = LocalArea.objects.get(slug="empty")
    rows, sent = _run_sql(refs, areas.pk)
    assert rows == REFS
    assert len(sent) == 1
    name = sent[0].removeprefix("PREPARE ").split(" ", 1)[0]
    assert name.startswith("kit_prepared_")
    assert sent[0].endswith(f"; EXECUTE {name}({areas.pk})")
    assert "$1" in sent[0]
    assert _run_sql(refs, areas.pk) == (REFS, [f"EXECUTE {name}({areas.pk})"])
    assert _run_sql(refs, empty.pk) == ([], [f"EXECUTE {name}({empty.pk})"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
        assert cursor.fetchall() == [(1,)]


def _refs_by_hand(built):
    def sql(connection):
        built.append(connection.alias)
        qn = connection.ops.quote_name
        table = qn(Inspection._meta.db_table)
        return (
            f"SELECT {qn('ref')} FROM {table} WHERE {qn('area_id')} = %s "  # noqa: S608 - test
            f"ORDER BY {qn('start_date')}"
        )

    return PreparedSQL(sql)


def test_sql_written_by_hand_is_built_once_and_runs_with_each_value(areas):
    built = []
    refs = _refs_by_hand(built)
    empty = LocalArea.objects.get(slug="empty")
    assert refs(areas.pk) == REFS == _refs()(areas.pk)
    assert refs(empty.pk) == []
    assert built == ["default"]  # its SQL made once for the database, then kept


@postgresql_only
def test_sql_written_by_hand_is_prepared_once_on_a_connection_too(areas):
    refs = _refs_by_hand([])
    rows, sent = _run_sql(refs, areas.pk)
    assert rows == REFS
    name = sent[0].removeprefix("PREPARE ").split(" ", 1)[0]
    assert name.startswith("kit_prepared_") and "$1" in sent[0]
    assert _run_sql(refs, areas.pk) == (REFS, [f"EXECUTE {name}({areas.pk})"])


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again_and_a_rollback_keeps_what_was_prepared(areas):
    refs = _refs()
    _, sent = _run_sql(refs, areas.pk)
    assert sent[0].startswith("PREPARE ")
    connection.close()
    rows, sent = _run_sql(refs, areas.pk)
    assert (rows, sent[0].startswith("PREPARE ")) == (REFS, True)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert refs(areas.pk) == REFS
        raise RuntimeError("rolled back")
    rows, sent = _run_sql(refs, areas.pk)
    assert (rows, sent[0].startswith("EXECUTE ")) == (REFS, True)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_first_run_leaves_its_name_unused_and_the_next_run_prepares_afresh(areas):
    refs = _refs()
    with pytest.raises(DataError):
        refs(10**30)  # out of the key's range: the server refuses the EXECUTE
    _, sent = _run_sql(refs, areas.pk)
    assert sent[0].startswith("PREPARE ")
    assert _run_sql(refs, areas.pk)[0] == REFS


@postgresql_only
def test_switched_off_or_past_the_limit_the_plain_sql_runs(areas, settings, monkeypatch):
    settings.DATABASE_SERVER_PREPARES = False
    rows, sent = _run_sql(_refs(), areas.pk)
    assert rows == REFS and sent[0].startswith("SELECT ")
    settings.DATABASE_SERVER_PREPARES = True
    monkeypatch.setattr(prepared_module, "MAX_PREPARED_PER_CONNECTION", 0)
    rows, sent = _run_sql(_refs(), areas.pk)
    assert rows == REFS and sent[0].startswith("SELECT ")


def test_the_servers_sql_numbers_each_parameter_and_keeps_literal_percent_signs():
    assert server_sql("SELECT 'a%%b' WHERE x = %s AND y IN (%s, %s)") == (
        "SELECT 'a%%b' WHERE x = $1 AND y IN ($2, $3)"
    )


def test_an_annotation_is_selected_after_the_fields_or_not_at_all(areas):
    counted = Prepared(
        lambda area_id: (
            Inspection.objects.filter(area_id=area_id)
            .annotate(verdicts=Count("judgements"))
            .order_by("start_date")
            .values_list("ref", "verdicts")
        ),
        int,
    )
    assert counted(areas.pk) == [("2018-inspection", 0), ("2020-revisit", 1), ("2022-revisit", 2)]
    first = Prepared(
        lambda area_id: (
            Inspection.objects.filter(area_id=area_id)
            .annotate(verdicts=Count("judgements"))
            .values_list("verdicts", "ref")
        ),
        int,
    )
    with pytest.raises(ImproperlyConfigured, match="then its annotations"):
        first(areas.pk)
