"""Fixtures for plan and deadline tests, built from tests/factories.py."""

import pytest

from inspections.models import Inspection
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
