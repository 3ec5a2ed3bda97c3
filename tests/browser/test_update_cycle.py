"""An update's whole life in a real browser: written, submitted, approved and published."""

import re

from playwright.sync_api import expect

from actions.models import ActionItem
from progress.models import ProgressUpdate

from .conftest import fill_date, main_text, sign_in, sign_out


def test_a_board_member_writes_and_an_officer_approves_and_publishes(page, live_server, cast):
    # Bilal, a board member, signs in and finds the action from My area.
    sign_in(page, live_server, "bilal")
    page.get_by_role("link", name="My area").first.click()
    expect(page).to_have_url(f"{live_server.url}/board/testshire/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My area")
    page.get_by_role("link", name=re.compile(r"^1\.1 ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1.1")
    assert "No updates yet." in main_text(page)

    # He writes an update that moves the action on.
    page.get_by_role("link", name="Write an update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New update on action 1.1")
    fill_date(page, "Start of the period covered", 1, 4, 2025)
    fill_date(page, "End of the period covered", 30, 6, 2025)
    page.get_by_role("group", name="Delivery status").get_by_label("On track").check()
    page.get_by_role("group", name="Impact on children, young people and families").get_by_label(
        "Some evidence of impact"
    ).check()
    page.get_by_label("Reason for the change of status").fill("Clinic staff now in post.")
    page.get_by_label("Internal narrative").fill("Four of six posts filled; two interviews booked.")
    page.get_by_label("Summary for families").fill("The new clinic has most of its staff.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Draft update saved.")
    update = ProgressUpdate.objects.get()
    assert update.state == ProgressUpdate.State.DRAFT
    assert update.author == cast.board_member
    assert str(update.period_start) == "2025-04-01"
    assert str(update.period_end) == "2025-06-30"
    assert (update.delivery_status, update.impact_status) == ("on_track", "some_evidence")
    assert update.narrative == "Four of six posts filled; two interviews booked."
    card = page.locator(f"#update-{update.pk}")
    expect(card).to_contain_text("Draft")
    expect(card).to_contain_text("Bilal Board")

    # He submits it for approval, confirming on the next page.
    card.get_by_role("link", name=re.compile("^Submit for approval")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submit for approval")
    expect(page.locator("main")).to_contain_text("Clinic staff now in post.")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("alert")).to_contain_text("Update submitted for approval.")
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    assert update.submitted_at is not None
    # A board member may not approve, and his draft can no longer be edited.
    card = page.locator(f"#update-{update.pk}")
    expect(card).to_contain_text("Submitted")
    expect(card.get_by_role("link", name=re.compile("^(Approve|Edit)"))).to_have_count(0)
    sign_out(page)
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/board/testshire/todo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # Olivia, an officer, finds it on her to-do list.
    sign_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}/board/testshire/todo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My to-do")
    waiting = page.get_by_role("heading", name="Updates waiting for your approval")
    expect(waiting).to_be_visible()
    link = page.get_by_role("link", name="Update on 1.1 Action 1.1")
    expect(link).to_have_count(1)
    expect(page.locator("main li", has=link)).to_contain_text("from Bilal Board")
    link.click()
    expect(page).to_have_url(re.compile(rf"#update-{update.pk}$"))

    # She approves it.
    card = page.locator(f"#update-{update.pk}")
    card.get_by_role("link", name=re.compile("^Approve")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve")
    expect(page.locator("main")).to_contain_text("Four of six posts filled")
    page.get_by_label("Comment (optional)").fill("Matches the workforce report.")
    page.get_by_role("button", name="Approve only").click()
    expect(page.get_by_role("alert")).to_contain_text("Update approved.")
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED
    assert update.approved_by == cast.officer
    action = ActionItem.objects.get(pk=cast.action.pk)
    assert (action.delivery_status, action.impact_status) == ("on_track", "some_evidence")
    delivery = page.locator(".govuk-summary-list__row", has_text="Delivery").first
    expect(delivery).to_contain_text("On track")

    # And publishes it now.
    page.locator(f"#update-{update.pk}").get_by_role("link", name=re.compile("^Publish")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish")
    when = page.get_by_role("group", name="When should it appear on the public page?")
    expect(when.get_by_label("Now")).to_be_checked()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Update published.")
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED
    assert update.publish_at is not None
    expect(page.locator(f"#update-{update.pk}")).to_contain_text("Published")
    # Nothing is left to do to a published update but withdraw it, with a reason.
    links = page.locator(f"#update-{update.pk}").get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_text(re.compile("^Withdraw"))

    # The change log tells every step, who took it and why.
    log = page.locator(".portal-log-entry")
    subject = "Update for 1 April 2025 to 30 June 2025"
    entries = [
        (entry.locator("h3").inner_text(), entry.locator("p").inner_text()) for entry in log.all()
    ]
    update_steps = [(h, p.split(" – why: ", 1)[-1]) for h, p in entries if h.startswith(subject)]
    # Newest first, each with who took the step and why.
    assert update_steps == [
        (f"{subject}: changed by Olivia Officer", "“Published; reading age 6”"),
        (f"{subject}: changed by Olivia Officer", "“Approved: Matches the workforce report.”"),
        (f"{subject}: changed by Bilal Board", "“Submitted for approval”"),
        (f"{subject}: created by Bilal Board", "“Draft update started”"),
    ]
    # The action's statuses changed on approval, with the reason the update gave.
    assert (
        "Action: changed by Olivia Officer",
        "“Approved update for 1 April 2025 to 30 June 2025: Clinic staff now in post.”",
    ) in [(h, p.split(" – why: ", 1)[-1]) for h, p in entries]
