"""The "Approve several updates" page in a real browser: axe, and the error summary's links.

An officer opens the page from My to-do, sends it empty, follows each error
summary link with the keyboard (the checkbox group's link must put focus on
its first checkbox), then ticks both updates and approves and publishes them.
The page with its errors must also reflow at 320 CSS px and take 200% text.
"""

import datetime
import re

from playwright.sync_api import expect

from progress import workflow

from .conftest import describe_violations, run_axe, sign_in, write_draft
from .test_error_summary import follow_every_summary_link
from .test_reflow_and_zoom import NARROW, sideways_scroll, text_zoom_problems


def submitted(cast, **fields):
    update = write_draft(cast, **fields)
    workflow.apply_transition(
        update, "submit", by=cast.board_member, expected_version=update.version
    )
    return update


def assert_axe_clean(page, where):
    violations = run_axe(page)
    assert not violations, "\n".join(describe_violations(where, violations))


def test_approving_several_updates_with_the_keyboard_and_axe(page, live_server, cast):
    submitted(cast)
    submitted(
        cast,
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 9, 30),
        public_summary="The clinic now opens on Saturdays.",
    )
    sign_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}/board/testshire/todo/")
    page.get_by_role("link", name="Approve several updates at once").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve several updates")
    assert_axe_clean(page, "the approve-several page")

    page.get_by_role("button", name="Approve the updates I ticked").click()

    expect(page).to_have_title(re.compile(r"^Error: Approve several updates – Testshire"))
    reached = follow_every_summary_link(page)
    assert reached == ["#id_updates_1", "#id_publish_1", "#id_reason"]
    # The checkbox group's link put focus on its first checkbox, named by its label.
    page.locator(".govuk-error-summary a").first.focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("checkbox", name="Action 1.1: Action 1.1 (1 April 2025 to 30 June 2025)")
    ).to_be_focused()
    assert_axe_clean(page, "the approve-several page with its errors")
    # Reflow at 320 CSS px, and text alone at 200%, with the errors showing.
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    assert not sideways_scroll(page), sideways_scroll(page)
    page.set_viewport_size({"width": 1024, "height": 768})
    assert text_zoom_problems(page) == ""
    page.set_viewport_size(size)
    page.reload()  # the form sent again (still empty): back to normal text, errors showing
    expect(page.locator(".govuk-error-summary")).to_be_visible()

    group = page.get_by_role("group", name="Which updates do you approve?")
    for box in group.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("radio", name="Yes, approve them and publish them now").check()
    page.get_by_label("Why are you approving them?").fill("Agreed at the board.")
    page.get_by_role("button", name="Approve the updates I ticked").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Approved and published 2 of 2 updates"
    )
    assert_axe_clean(page, "the approve-several result page")
