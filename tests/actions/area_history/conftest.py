"""Fixtures for the area-history tests: the example file, table counts and refusals."""

import copy
import json
from pathlib import Path

import pytest

from actions.area_history import IMPORTED_MODELS, ImportProblems, import_document, validate

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


def finding_ref(inspection, kind, number):
    """A finding reference as the file writes it."""
    return {"inspection": inspection, "kind": kind, "number": number}


@pytest.fixture(params=["empty database", "example already imported"])
def rejected(request, db, example_document, counts):
    """Check that a document is refused with exactly these problems and changes nothing.

    Run twice: on an empty database, and after the example has been imported,
    so a refused file neither creates records nor touches the ones there.
    """
    if request.param == "example already imported":
        import_document(copy.deepcopy(example_document), filename="first.json")

    def check(document, expected):
        before = counts()
        assert [str(problem) for problem in validate(document)] == expected
        with pytest.raises(ImportProblems) as error:
            import_document(document, filename="bad.json")
        assert [str(problem) for problem in error.value.problems] == expected
        assert counts() == before

    return check


@pytest.fixture
def refused_when_written(db, counts):
    """Check a document that passes the file checks but that the models refuse.

    The models' own rules (their clean()) still reach the person as problems
    at the right place in the file, and nothing is written.
    """

    def check(document, expected):
        before = counts()
        assert validate(document) == []
        with pytest.raises(ImportProblems) as error:
            import_document(document, filename="bad.json")
        assert [str(problem) for problem in error.value.problems] == expected
        assert counts() == before

    return check


def area_document(slug="northshire", name="Northshire", **sections):
    """A small area-history document: the area, then any sections given (inspections=...)."""
    return {
        "format": "send-portal-area-history",
        "version": 1,
        "area": {"slug": slug, "name": name},
        **{section: copy.deepcopy(records) for section, records in sections.items()},
    }


def numbered_findings(kind, count, *, text="Finding {number}.", **extra):
    """Findings 1 to ``count`` of one kind, for histories with many."""
    return [
        {"kind": kind, "number": number, "text": text.format(number=number), **extra}
        for number in range(1, count + 1)
    ]
