"""A real-shaped area's whole story, imported once and read as a parent would read it.

The documented example (docs/examples/area-history-example.json) holds the
cases that real areas' histories brought up: an Improvement Notice replaced
by a statutory direction with a SEND commissioner, a revisit known only by
its counts, an outcome-3 inspection recorded without the inspectors' words,
and a 2023 full inspection judging the earlier areas for priority action.
Here it goes through import_area, and then the public area page, the open
data and a public progress report's PDF (read back as text) must each tell
that story.
"""

import copy
import datetime
import io
import json
import re

import pypdf
import pytest
from django.core.cache import cache
from django.urls import reverse

from actions.area_history import import_document
from actions.models import Plan
from inspections.models import LocalArea
from progress.pdf import html_to_pdf
from progress.reports import PUBLIC, build_report_context, render_report_html

from .actions.area_history.conftest import _EXAMPLE

pytestmark = pytest.mark.django_db

OUTCOME_3 = "widespread and/or systemic failings"


@pytest.fixture
def area():
    document = copy.deepcopy(_EXAMPLE)
    # Keep the statutory direction in force, as it would be while a parent reads the page.
    for intervention in document["interventions"]:
        if intervention["ref"] == "statutory-direction-2025":
            intervention.pop("lifted_on", None)
    import_document(document, filename="area.json")
    cache.clear()
    return LocalArea.objects.get(slug=document["area"]["slug"])


def plain(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_area_page_tells_the_whole_story(client, area):
    page = plain(client.get(reverse("public:area", args=[area.slug])).text)

    # Where it stands: the intervention in force comes first.
    assert "Under a statutory direction" in page
    assert "SEND commissioner" in page
    # Every outcome from its code, even without the inspectors' words.
    assert OUTCOME_3 in page
    assert "A written statement of action is required" in page
    # Counts where per-finding verdicts are not public, and a later inspection's verdicts.
    assert "Sufficient progress on 2 of 3 findings" in page
    assert "No longer needing priority action on 2 of 2 findings" in page
    # Interventions on the timeline, with their summaries for families.
    assert "Improvement Notice" in page
    assert "told the council it must improve SEND services" in page
    # Internal notes never.
    assert "Invented for the documentation." not in page


def test_the_open_data_holds_the_same_story(client, area):
    response = client.get(reverse("public:area-open-data-history-json", args=[area.slug]))
    assert response.status_code == 200
    text = json.dumps(json.loads(response.content), ensure_ascii=False)
    assert OUTCOME_3 in text
    assert "section 497A(4B) Education Act 1996" in text
    assert "Alex Example, SEND commissioner" in text
    assert "improvement-notice-2024" in text
    assert "Invented for the documentation." not in text

    csv = client.get(
        reverse("public:area-open-data-history-csv", args=[area.slug, "interventions"])
    ).content.decode("utf-8-sig")
    assert "statutory-direction-2025" in csv
    assert "improvement-notice-2024" in csv


def test_the_public_pdf_report_tells_it_too():
    document = copy.deepcopy(_EXAMPLE)
    import_document(document, filename="area.json")
    plan = Plan.objects.get(ref="priority-action-plan-2024")
    context = build_report_context(
        plan,
        audience=PUBLIC,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        number=1,
    )
    pdf = html_to_pdf(render_report_html(context))
    text = re.sub(
        r"\s+",
        " ",
        "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages),
    )
    assert OUTCOME_3 in text
    assert "Statutory direction" in text
    assert "Improvement Notice" in text
    assert "Invented for the documentation." not in text
