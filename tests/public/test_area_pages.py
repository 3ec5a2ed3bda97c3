"""The home page and an area's history page (read-only, no sign-in)."""

import pytest
from django.urls import reverse

from inspections.models import Inspection, Judgement
from tests.factories import (
    make_area,
    make_finding,
    make_inspection,
    make_plan,
    make_review,
)


def build_history(area, *, inspections):
    """An area with ``inspections`` WSOA inspections, each with 3 findings, a revisit and a plan."""
    for index in range(inspections):
        year = 2010 + 2 * index
        inspection = make_inspection(
            area=area,
            ref=f"{year}-inspection",
            start=f"{year}-03",
            received=f"{year}-05-16",
            published=f"{year}-05-16",
            outcome=Inspection.Outcome.WSOA_REQUIRED,
        )
        findings = [make_finding(inspection=inspection, number=n) for n in (1, 2, 3)]
        revisit = make_inspection(
            area=area,
            ref=f"{year + 1}-revisit",
            kind=Inspection.Kind.REVISIT,
            start=f"{year + 1}-11-01",
            outcome=Inspection.Outcome.REVISIT_REPORTED,
        )
        for finding in findings:
            Judgement.objects.create(
                finding=finding, inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
            )
        review = make_review(area=area, ref=f"review-{year}", held=f"{year + 1}-06", label="Review")
        Judgement.objects.create(
            finding=findings[0], review=review, verdict=Judgement.Verdict.CLOSED
        )
        make_plan(inspection=inspection, findings=findings, submitted=f"{year}-07-01")


@pytest.mark.django_db
def test_home_lists_every_area_with_a_link(client):
    worcestershire = make_area(slug="worcestershire", name="Worcestershire")
    make_inspection(area=worcestershire, start="2018-03")
    make_area(slug="essex", name="Essex")
    response = client.get(reverse("public:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/areas/essex/"' in page
    assert 'href="/areas/worcestershire/"' in page
    assert "Joint local area SEND inspection in 2018" in page


@pytest.mark.django_db
def test_area_page_shows_findings_verdicts_and_due_dates(client):
    area = make_area(slug="worcestershire", name="Worcestershire")
    build_history(area, inspections=1)
    response = client.get(reverse("public:area", kwargs={"slug": "worcestershire"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Worcestershire</h1>' in page
    assert "Joint local area SEND inspection, March 2010" in page
    assert "Area of significant weakness 3:</strong> Weakness 3" in page
    assert "Sufficient progress" in page
    assert "Closed by DfE review" in page
    # Draft plans are internal: the public page does not list them.
    assert "Written statement of action for" not in page


@pytest.mark.django_db
def test_an_unknown_area_is_not_found(client):
    response = client.get(reverse("public:area", kwargs={"slug": "nowhere"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_area_page_queries_do_not_grow_with_the_history(client, django_assert_num_queries):
    small = make_area(slug="small")
    build_history(small, inspections=1)
    large = make_area(slug="large")
    build_history(large, inspections=5)
    # The area; published reports; inspections; their findings; the findings'
    # verdicts; public plans (none: they are drafts); the next scheduled
    # publication, which caps how long the page is cached.
    with django_assert_num_queries(7):
        client.get(reverse("public:area", kwargs={"slug": "small"}))
    with django_assert_num_queries(7):
        response = client.get(reverse("public:area", kwargs={"slug": "large"}))
    assert response.content.decode().count("Sufficient progress") == 15
