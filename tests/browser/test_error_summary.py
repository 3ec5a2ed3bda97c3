"""Every link in an error summary moves keyboard focus into its field.

An outside audit found links that went nowhere: a date's link went to the
wrapper round its three boxes and a radio group's to an id no element has,
so focus stayed on the link. Each form is sent empty (or wrong) and then each
link is followed with the keyboard: focus must land on a control that takes
an answer, and that control must sit in the form group showing that error.
"""

import pytest
from playwright.sync_api import expect

from progress import workflow

from .conftest import sign_in, write_draft

# Where focus went, and the error message of the form group around it.
FOCUSED_JS = """
() => {
  const el = document.activeElement;
  const group = el && el.closest('.govuk-form-group--error');
  return {
    tag: el ? el.tagName.toLowerCase() : null,
    id: el ? el.id : null,
    error: group ? group.querySelector('.govuk-error-message')?.innerText || '' : null,
  };
}
"""


def follow_every_summary_link(page):
    """Press Enter on each summary link in turn; return what each one reached."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    links = summary.locator("a")
    count = links.count()
    assert count > 0
    reached = []
    for index in range(count):
        link = links.nth(index)
        message, target = link.inner_text().strip(), link.get_attribute("href")
        link.focus()
        page.keyboard.press("Enter")
        focused = page.evaluate(FOCUSED_JS)
        assert focused["tag"] in ("input", "select", "textarea"), (
            f"The link “{message}” ({target}) left focus on a {focused['tag']}"
        )
        assert f"#{focused['id']}" == target, f"“{message}” went to #{focused['id']}"
        assert message in (focused["error"] or ""), (
            f"“{message}” focused #{focused['id']}, outside the group that shows the error"
        )
        reached.append(target)
    return reached


@pytest.fixture
def approved(cast):
    update = write_draft(cast)
    for slug, by in (("submit", cast.board_member), ("approve", cast.officer)):
        workflow.apply_transition(
            update, slug, by=by, expected_version=update.version, reason="Agreed."
        )
        update.refresh_from_db()
    return update


def test_the_update_forms_summary_links_reach_the_date_boxes(page, live_server, cast):
    sign_in(page, live_server, "bilal")
    page.goto(f"{live_server.url}/board/testshire/actions/{cast.action.pk}/updates/new/")
    page.get_by_label("Internal narrative").fill("")
    for box in page.locator(".govuk-date-input input").all():
        box.fill("")
    page.get_by_role("button", name="Save").click()
    reached = follow_every_summary_link(page)
    assert "#id_period_start_0" in reached
    assert "#id_period_end_0" in reached


def test_the_report_forms_summary_links_reach_the_radios_and_dates(page, live_server, cast):
    sign_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}/board/testshire/reports/")
    page.get_by_role("button", name="Generate the report").click()
    reached = follow_every_summary_link(page)
    assert "#id_audience_1" in reached
    assert "#id_period_start_0" in reached


def test_the_add_member_forms_summary_links_reach_the_role_radios(page, live_server, cast):
    sign_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/board/testshire/members/new/")
    page.get_by_role("button", name="Add person").click()
    reached = follow_every_summary_link(page)
    assert any(target.startswith("#id_role_") for target in reached), reached


def test_the_publish_pages_summary_links_reach_the_date_and_time(page, live_server, cast, approved):
    sign_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}/board/testshire/updates/{approved.pk}/publish/")
    page.get_by_label("At a date and time I choose").check()
    page.get_by_role("button", name="Publish").click()
    reached = follow_every_summary_link(page)
    assert reached == ["#id_publish_date_0", "#id_publish_time"]
