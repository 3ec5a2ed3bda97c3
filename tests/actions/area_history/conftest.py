"""Fixtures for the inspections tests: the example area-history file and table counts."""

import copy
import json
from pathlib import Path

import pytest

from actions.area_history import IMPORTED_MODELS

EXAMPLE_PATH = (
    Path(__file__).resolve().parents[3] / "docs" / "examples" / "area-history-example.json"
)
_EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def example_document():
    """A fresh copy of the documented example file, safe to change in a test."""
    return copy.deepcopy(_EXAMPLE)


@pytest.fixture
def write_document(tmp_path):
    """Write a document to a JSON file in a temporary folder and return its path."""

    def write(document, name="area.json"):
        path = tmp_path / name
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        return path

    return write


def table_counts():
    """Rows in every table the importer writes to, and in their history tables."""
    counts = {}
    for model in IMPORTED_MODELS:
        counts[model._meta.label] = model.objects.count()
        counts[f"{model._meta.label} history"] = model.history.count()
    return counts


@pytest.fixture
def counts():
    return table_counts
