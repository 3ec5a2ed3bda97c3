"""No input gives a server error: every board form, given random and boundary values.

Each form page in the permission matrix's table (every board URL), and each
workflow step, is opened as someone allowed to use it. The form on the page
is filled as a browser would send it, then one or a few of its fields are
replaced by awkward values chosen for the field's type: huge numbers, a
100,000-character text, a null character, right-to-left and emoji text,
negative numbers, a 30-digit day in a date. The answer may be a page with
errors, a redirect or a refusal, never a 500. The values are chosen by a
seeded random generator, so a failure can be repeated, and the number of
cases is bounded, so the test stays quick.
"""

import random

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from tests.test_permission_matrix import (  # the table of board URLs, and its scene
    BOARD_URLS,
    TRANSITION_PERMISSIONS,
    _update,
    board,  # noqa: F401 - a fixture
)

pytestmark = pytest.mark.django_db

CASES_PER_FORM = 4
HUGE_TEXT = "x" * 100_000

TEXTS = [
    "",
    " ",
    HUGE_TEXT,
    "a\x00b",
    "\u202eevil\u202c 😀 ẞ 中文",
    "<script>alert(1)</script>",
    "-1",
    "9" * 26,
    "' OR 1=1 --",
    "%s%n{0}",
]
NUMBERS = ["9" * 26, "-" + "9" * 26, "-1", "0", "1e309", "NaN", "inf", "1.5", "", "abc", "9" * 5000]
DATE_PARTS = ["9" * 30, "0", "-1", "32", "13", "", "x", "99999", "٣"]
CHOICES = ["not-a-choice", "", HUGE_TEXT, "\x00"]


def awkward_values(name, field, rng):
    """(data key, value) pairs that replace what a browser would send for ``field``."""
    widget = field.widget
    if isinstance(widget, forms.MultiWidget):
        parts = [f"{name}_{index}" for index in range(len(widget.widgets))]
        return {part: rng.choice(DATE_PARTS) for part in parts}
    if isinstance(field, forms.FileField):
        return {}
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return {name: rng.choice(NUMBERS)}
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return {name: [rng.choice(CHOICES + NUMBERS)]}
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return {name: rng.choice(CHOICES + NUMBERS)}
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
        return {name: rng.choice(["2025-02-30", "9" * 30, "99999-01-01", "-1", HUGE_TEXT])}
    if isinstance(field, forms.BooleanField):
        return {name: rng.choice(["on", "", HUGE_TEXT])}
    return {name: rng.choice(TEXTS)}


def browser_data(form):
    """What a browser would send from the unedited page."""
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        key = form.add_prefix(name)
        if isinstance(field.widget, forms.MultiWidget):
            values = field.widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(values or []):
                data[f"{key}_{index}"] = "" if part is None else str(part)
            continue
        if value is None or isinstance(field, forms.FileField):
            continue
        if isinstance(value, bool):
            if value:
                data[key] = "on"
            continue
        if isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)
    return data


def find_form(response):
    context = getattr(response, "context", None)
    if not context:
        return None
    for name in ("form", "formset"):
        try:
            form = context[name]
        except KeyError:
            continue
        if isinstance(form, forms.BaseForm):
            return form
    return None


def people_who_may(cast):
    return [cast.area_admin, cast.officer, cast.board_member, cast.forum]


def fuzz(client, url, people, rng):
    """Open ``url`` as the first person it opens for and post awkward values; the statuses."""
    for person in people:
        client.force_login(person)
        page = client.get(url)
        if page.status_code == 200:
            break
    else:
        return []
    assert page.status_code != 500, f"GET {url}"
    form = find_form(page)
    if form is None:
        return []
    base = browser_data(form)
    statuses = []
    names = list(form.fields)
    for _ in range(CASES_PER_FORM):
        data = dict(base)
        for name in rng.sample(names, k=min(len(names), rng.randint(1, 3))):
            data.update(awkward_values(form.add_prefix(name), form.fields[name], rng))
        response = client.post(url, data)
        assert response.status_code != 500, f"POST {url} with {sorted(data)}: 500"
        statuses.append(response.status_code)
    return statuses


def test_no_board_form_answers_random_and_boundary_values_with_a_server_error(board):  # noqa: F811
    client = Client(raise_request_exception=False)
    rng = random.Random(13)
    posted = 0
    for name in sorted(BOARD_URLS):
        _, kwargs = BOARD_URLS[name]
        url = reverse(name, kwargs=kwargs(board))
        posted += len(fuzz(client, url, people_who_may(board), rng))
    assert posted >= 20 * CASES_PER_FORM  # the walk really reached the forms


@pytest.mark.parametrize("step", sorted(TRANSITION_PERMISSIONS))
def test_no_workflow_step_answers_awkward_values_with_a_server_error(board, step):  # noqa: F811
    client = Client(raise_request_exception=False)
    rng = random.Random(step)
    update = _update(board)
    url = reverse(
        "progress:update-transition",
        kwargs={"area_slug": board.area.slug, "pk": update.pk, "transition": step},
    )
    for version in ("9" * 26, "-1", "", "abc", str(2**63)):
        client.force_login(board.area_admin)
        response = client.post(url, {"version": version, "reason": "x", "when": "now"})
        assert response.status_code != 500
    fuzz(client, url, people_who_may(board), rng)


def test_the_four_reported_server_errors_are_form_errors_now(board):  # noqa: F811
    client = Client(raise_request_exception=False)
    # A 100,000-character username at sign-in.
    response = client.post(reverse("login"), {"username": HUGE_TEXT, "password": "x"})
    assert response.status_code == 200
    # A 30-digit day in a date field.
    client.force_login(board.board_member)
    url = reverse(
        "progress:update-create",
        kwargs={"area_slug": board.area.slug, "action_pk": board.action.pk},
    )
    response = client.post(
        url,
        {
            "period_start_0": "9" * 30,
            "period_start_1": "4",
            "period_start_2": "2025",
            "period_end_0": "30",
            "period_end_1": "6",
            "period_end_2": "2025",
            "delivery_status": "not_started",
            "impact_status": "no_evidence_yet",
            "narrative": "Words",
            "public_summary": "Words",
        },
    )
    assert response.status_code == 200
    assert "must be a real date" in response.text
    # A 26-digit hidden version.
    update = _update(board)
    edit = reverse("progress:update-edit", kwargs={"area_slug": board.area.slug, "pk": update.pk})
    response = client.post(
        edit,
        {
            "period_start_0": "1",
            "period_start_1": "4",
            "period_start_2": "2025",
            "period_end_0": "30",
            "period_end_1": "6",
            "period_end_2": "2025",
            "delivery_status": "not_started",
            "impact_status": "no_evidence_yet",
            "narrative": "Words",
            "public_summary": "Words",
            "version": "9" * 26,
        },
    )
    assert response.status_code in (200, 409)
    # A narrative of 2.3 million characters: a clear message, nothing saved.
    response = client.post(
        edit,
        {
            "period_start_0": "1",
            "period_start_1": "4",
            "period_start_2": "2025",
            "period_end_0": "30",
            "period_end_1": "6",
            "period_end_2": "2025",
            "delivery_status": "not_started",
            "impact_status": "no_evidence_yet",
            "narrative": "x" * 2_300_000,
            "public_summary": "Words",
            "version": str(update.version),
        },
    )
    assert response.status_code == 200
    assert "must be 20000 characters or fewer" in response.text
    update.refresh_from_db()
    assert update.narrative == "Internal words"
