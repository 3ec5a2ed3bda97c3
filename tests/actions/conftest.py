"""Fixtures for plan and deadline tests, built from tests/factories.py."""

import pytest

from inspections.models import Inspection, Organisation
from tests.factories import (
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
    make_plan,
)


@pytest.fixture
def area(db):
    return make_area()


@pytest.fixture
def council(db, area):
    organisation = make_organisation()
    make_partner(area=area, organisation=organisation)
    return organisation


@pytest.fixture
def inspection(area):
    """A 2016-framework inspection that required a WSOA, with two significant weaknesses."""
    inspection = make_inspection(
        area=area,
        start="2018-03-12",
        end="2018-03-16",
        received="2018-05-16",
        published="2018-05-24",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    make_finding(inspection=inspection, number=1)
    make_finding(inspection=inspection, number=2)
    return inspection


@pytest.fixture
def plan(inspection):
    return make_plan(inspection=inspection, findings=list(inspection.findings.all()))


@pytest.fixture
def plan_cast(cast):
    """Testshire's WSOA addresses weakness 1 so far; weaknesses 2 and 3 are in the report."""
    inspection = cast.plan.responds_to
    cast.finding1 = cast.action.finding
    cast.finding1.text = "Weakness 1"
    cast.finding1.save()
    cast.finding2 = make_finding(inspection=inspection, number=2, text="Waiting times for therapy")
    cast.finding3 = make_finding(inspection=inspection, number=3, text="Quality of EHC plans")
    cast.icb = make_organisation(
        slug="testshire-icb", name="NHS Testshire ICB", kind=Organisation.Kind.ICB
    )
    make_partner(area=cast.area, organisation=cast.icb, order=1)
    cast.action.lead_officer = None
    cast.action.save()
    return cast
