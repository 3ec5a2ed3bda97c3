"""The report's web preview: styled, with a skip link into <main> and a way back, and no axe findings.

The outside audit found the preview unstyled (its <base> element was refused by the
portal's own content security policy), with no <main>, no skip link and no way back;
axe's one finding on the whole site was there.
"""

import datetime

from playwright.sync_api import expect

from progress import report_services
from progress.models import ProgressReport

from .conftest import sign_in
from .test_accessibility import Checker


def test_the_preview_is_styled_skips_to_main_goes_back_and_passes_axe(page, live_server, cast):
    report = report_services.request_report(
        plan=cast.plan,
        audience=ProgressReport.Audience.BOARD,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        by=cast.officer,
    )
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY, report.error
    sign_in(page, live_server, "bilal")
    checker = Checker(page, live_server.url)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    checker.visit(f"/board/testshire/reports/{report.pk}/preview/", "report preview")
    checker.assert_clean()
    assert not errors, errors  # nothing refused by the content security policy

    # The report's own stylesheet applies (the print styles' body font, not the browser's).
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "Arial" in font or "Liberation" in font, font

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the report")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()

    page.get_by_role("link", name="Back to the report’s page").click()
    expect(page).to_have_url(f"{live_server.url}/board/testshire/reports/{report.pk}/")
