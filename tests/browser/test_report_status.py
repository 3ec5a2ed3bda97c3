"""A report being made: the page says its new state where a screen reader hears it, and never reloads."""

import datetime

from playwright.sync_api import expect

from progress.models import ProgressReport

from .conftest import sign_in


def queued_report(cast):
    return ProgressReport.objects.create(
        plan=cast.plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
    )


def test_the_report_page_says_when_the_report_is_ready_without_reloading(page, live_server, cast):
    report = queued_report(cast)
    sign_in(page, live_server, "bilal")
    page.goto(f"{live_server.url}/board/testshire/reports/{report.pk}/")
    state = page.locator("#report-state")
    expect(state).to_have_attribute("aria-live", "polite")
    expect(state).to_have_text("Waiting to be generated")
    # Mark the page: a reload would lose the mark and move focus to the top.
    page.evaluate("() => { window.portalNotReloaded = true; }")
    page.get_by_role("link", name="Check again whether the report is ready").focus()

    ProgressReport.objects.filter(pk=report.pk).update(state=ProgressReport.State.READY)

    expect(state).to_have_text("Ready to check", timeout=15000)
    working = page.locator("#report-working")
    expect(working).to_have_text("The report is ready to check. Show the finished report.")
    assert page.evaluate("() => window.portalNotReloaded === true")
    page.get_by_role("link", name="Show the finished report").click()
    expect(page.locator("#report-state")).to_have_text("Ready to check")


def test_without_javascript_the_page_offers_a_link_and_does_not_reload(browser, live_server, cast):
    report = queued_report(cast)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, "bilal")
        response = page.goto(f"{live_server.url}/board/testshire/reports/{report.pk}/")
        assert "refresh" not in {name.lower() for name in response.headers}
        ProgressReport.objects.filter(pk=report.pk).update(state=ProgressReport.State.READY)
        page.get_by_role("link", name="Check again whether the report is ready").click()
        expect(page.locator("#report-state")).to_have_text("Ready to check")
    finally:
        context.close()
