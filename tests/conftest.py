"""Shared test fixtures. Module-specific fixtures live beside their tests."""

import pytest

from tests.cast import make_cast


@pytest.fixture
def cast(db):
    """Officer, board member and area administrator of Testshire; an outsider from Otherton."""
    return make_cast()
