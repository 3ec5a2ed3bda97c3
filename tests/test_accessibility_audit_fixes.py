"""What an outside accessibility audit found on the board pages, each checked without a browser.

The browser checks (error summary links, reflow at 320 px, 200% text) are in
tests/browser/test_error_summary.py and tests/browser/test_reflow_and_zoom.py.
"""

import datetime
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Plan, PlanImport
from kit.forms import GovDateField, PortalFormMixin, error_summary_links
from progress.forms import ReportRequestForm, TransitionForm
from progress.models import ProgressReport
from tests.actions import workbooks
from tests.actions.conftest import plan_cast  # noqa: F401  (a fixture)
from tests.browser.conftest import write_draft
from tests.factories import make_inspection, make_plan

STATIC = Path(settings.BASE_DIR) / "static" / "govuk" / "govuk-frontend.min.css"
STYLES = Path(settings.BASE_DIR) / "assets" / "_styles.scss"


class Example(PortalFormMixin, forms.Form):
    role = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    kinds = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    when = GovDateField(what="the date")
    name = forms.CharField()

    def clean(self):
        raise forms.ValidationError("Something is wrong with the whole form")


def test_error_summary_links_go_to_a_control_that_takes_focus():
    form = Example(data={"when_1": "3"})
    assert not form.is_valid()
    assert error_summary_links(form) == [
        ("id_role_1", "Something is wrong with the whole form"),
        ("id_role_1", "This field is required."),
        ("id_kinds_1", "This field is required."),
        ("id_when_0", "The date must include a day"),
        ("id_when_2", "The date must include a year"),
        ("id_name", "This field is required."),
    ]


def test_the_publish_forms_radios_with_a_reveal_count_from_nought():
    form = TransitionForm(
        data={"when": "soon", "version": "1"},
        transition=SimpleNamespace(slug="publish", label="Publish"),
    )
    assert not form.is_valid()
    assert [target for target, _ in error_summary_links(form)] == ["id_when_0"]


def test_the_publish_forms_time_is_a_gov_uk_text_input():
    form = TransitionForm(transition=SimpleNamespace(slug="publish", label="Publish"))
    widget = form.fields["publish_time"].widget
    assert isinstance(widget, forms.TextInput)
    assert "govuk-input--width-5" in widget.attrs["class"]


def test_date_boxes_ask_phones_for_a_number_pad():
    field = GovDateField(what="the date")
    assert [w.attrs.get("inputmode") for w in field.widget.widgets] == ["numeric"] * 3


def test_every_portal_style_is_in_the_compiled_stylesheet():
    """assets/_styles.scss and static/govuk/govuk-frontend.min.css are kept in step."""
    css = STATIC.read_text()
    classes = set(re.findall(r"\.(portal-[\w-]+)", STYLES.read_text()))
    assert {"portal-table-container", "portal-filters__row", "portal-area-list"} <= classes
    missing = sorted(name for name in classes if f".{name}" not in css)
    assert not missing, f"Run scripts/build-frontend: {missing} are not in the CSS"
    assert ".govuk-breadcrumbs__list-item" in css


def board_url(cast, name, **kwargs):
    return reverse(name, kwargs={"area_slug": cast.area.slug, **kwargs})


def test_the_action_pages_breadcrumbs_use_gov_uk_classes(client, cast):
    client.force_login(cast.officer)
    page = client.get(board_url(cast, "board:action", pk=cast.action.pk)).content.decode()
    assert "govuk-breadcrumbs__item" not in page
    assert page.count('class="govuk-breadcrumbs__list-item"') == 2
    assert 'aria-current="page">Action' in page


def test_a_new_update_starts_where_the_last_one_ended(client, cast):
    client.force_login(cast.board_member)
    new = board_url(cast, "progress:update-create", action_pk=cast.action.pk)
    first = client.get(new).content.decode()
    assert 'name="period_start_0" value=' not in first  # no update yet: nothing to go on
    write_draft(cast, period_start=datetime.date(2025, 4, 1), period_end=datetime.date(2025, 6, 30))
    page = client.get(new).content.decode()
    for name, value in (
        ("period_start_0", "1"),
        ("period_start_1", "7"),
        ("period_start_2", "2025"),
    ):
        assert re.search(rf'name="{name}"[^>]*value="{value}"', page), name
    assert 'inputmode="numeric"' in page


@pytest.fixture
def ready_report(cast):
    return ProgressReport.objects.create(
        plan=cast.plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        state=ProgressReport.State.READY,
        html="<p>The report</p>",
        sha256="ab" * 32,
        requested_by=cast.officer,
    )


def test_publishing_a_report_asks_first_and_says_it_cannot_be_undone(client, cast, ready_report):
    client.force_login(cast.officer)
    url = board_url(cast, "progress:report", pk=ready_report.pk)
    page = client.get(url).content.decode()
    assert 'name="action" value="publish"' not in page  # one click does not publish
    assert f'href="{url}?confirm=publish#publish"' in page
    assert ">Draft</strong>" in page
    assert "A fingerprint of the file" in page
    assert "SHA-256 of the PDF" not in page

    confirm = client.get(url, {"confirm": "publish"}).content.decode()
    assert "You cannot undo this." in confirm
    assert 'name="action" value="publish"' in confirm
    assert "Yes, publish this report" in confirm
    ready_report.refresh_from_db()
    assert ready_report.state == ProgressReport.State.READY  # looking publishes nothing


def test_a_board_member_is_not_offered_the_confirmation(client, cast, ready_report):
    client.force_login(cast.board_member)
    url = board_url(cast, "progress:report", pk=ready_report.pk)
    page = client.get(url, {"confirm": "publish"}).content.decode()
    assert "Yes, publish this report" not in page
    assert client.post(url, {"action": "publish"}).status_code == 403


def test_the_report_form_lists_open_plans_before_replaced_ones(cast):
    old = make_inspection(area=cast.area, ref="2016-inspection", start="2016-03")
    replaced = make_plan(inspection=old, status=Plan.Status.SUPERSEDED, ref="old-wsoa")
    replaced_later_pk = make_plan(
        inspection=make_inspection(area=cast.area, ref="2017-revisit", start="2017-03"),
        status=Plan.Status.CLOSED,
        ref="closed-plan",
    )
    plans = list(ReportRequestForm(area=cast.area).fields["plan"].queryset)
    assert plans[0] == cast.plan
    assert set(plans[1:]) == {replaced, replaced_later_pk}


def test_discarding_an_import_does_not_say_success(client, plan_cast):  # noqa: F811
    client.force_login(plan_cast.officer)
    kwargs = {"area_slug": plan_cast.area.slug, "plan_pk": plan_cast.plan.pk}
    client.post(
        reverse("actions:plan-import", kwargs=kwargs),
        {"spreadsheet": SimpleUploadedFile("wsoa.xlsx", workbooks.messy_plan())},
    )
    record = PlanImport.objects.get()
    response = client.post(
        reverse("actions:plan-import-preview", kwargs={**kwargs, "uuid": record.uuid}),
        {"action": "discard"},
        follow=True,
    )
    page = response.content.decode()
    assert "Nothing was imported from wsoa.xlsx." in page
    assert ">Success</h2>" not in page
    assert "govuk-notification-banner--success" not in page
