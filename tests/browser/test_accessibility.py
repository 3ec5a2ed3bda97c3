"""axe-core finds no WCAG 2.0, 2.1 or 2.2 A or AA problem on any board page.

Each page is checked as a signed-in person sees it in Chromium: the area
administrator, who is shown every link, with updates in every state, a change
log, evidence, and forms both empty and showing their errors. Beyond the
pages named here, every board page linked from My area and the action page is
found and checked too.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import expect

from actions.models import Milestone
from inspections.models import Membership
from kit.versioning import save_with_history
from progress import withdrawal, workflow
from progress.models import ProgressUpdate

from .conftest import describe_violations, run_axe, sign_in, write_draft

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CRAWL_LIMIT = 40
# Links that download a file rather than show a page.
DOWNLOAD = re.compile(r"/board/[^/]+/evidence/\d+/$|\.(xlsx|csv)$")


class Checker:
    """Runs axe on each page it is shown and keeps what it finds, for one report at the end."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.checked = []
        self.problems = {}

    def check(self, label=None):
        expect(self.page.locator("h1")).to_have_count(1)
        where = label or self.page.url.removeprefix(self.base_url)
        self.checked.append(where)
        violations = run_axe(self.page)
        if violations:
            self.problems[where] = describe_violations(where, violations)

    def visit(self, path, label=None):
        response = self.page.goto(f"{self.base_url}{path}")
        assert response.ok, f"{path} answered {response.status}"
        self.check(label)

    def assert_clean(self):
        report = [line for lines in self.problems.values() for line in lines]
        assert not self.problems, (
            f"axe found problems on {len(self.problems)} of {len(self.checked)} pages:\n"
            + "\n".join(report)
        )


@pytest.fixture
def checker(page, live_server):
    return Checker(page, live_server.url)


@pytest.fixture
def updates(cast):
    """Updates in every state on the action, so every button and log entry shows."""
    # A second area, so that the board home lists areas rather than redirecting.
    Membership.objects.create(
        user=cast.area_admin, area=cast.other_area, role=Membership.Role.BOARD_MEMBER
    )
    Milestone.objects.create(
        action=cast.action, title="Clinic staffed", due_date="2025-09-30", completed_on=None
    )
    Milestone.objects.create(
        action=cast.action, title="Clinic opens", due_date="2025-03-31", completed_on="2025-03-20"
    )

    def step(update, slug, by, **kwargs):
        return workflow.apply_transition(
            update, slug, by=by, expected_version=update.version, **kwargs
        )

    periods = [(f"2024-{m:02}-01", f"2024-{m:02}-28") for m in range(1, 7)]
    made = {}
    for state, (start, end) in zip(
        ["draft", "submitted", "returned", "approved", "published", "withdrawn"],
        periods,
        strict=True,
    ):
        update = write_draft(
            cast,
            period_start=start,
            period_end=end,
            delivery_status="on_track",
            status_change_reason="Staff recruited.",
        )
        if state != "draft":
            step(update, "submit", cast.board_member)
        if state == "returned":
            step(update, "return", cast.officer, reason="Say which posts are filled.")
        if state in ("approved", "published", "withdrawn"):
            step(update, "approve", cast.officer, reason="Agreed at the board.")
        if state in ("published", "withdrawn"):
            step(update, "publish", cast.officer)
        if state == "withdrawn":
            withdrawal.withdraw_update(
                update, by=cast.officer, reason="The dates in this update were wrong."
            )
        update.refresh_from_db()
        made[state] = update
    assert {u.state for u in ProgressUpdate.objects.all()} == set(ProgressUpdate.State.values)
    return made


def test_public_and_sign_in_pages(checker, cast):
    checker.visit("/", "public home")
    checker.visit("/areas/testshire/", "public area page")
    checker.visit("/accounts/login/", "sign-in page")
    page = checker.page
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    checker.check("sign-in page with errors")
    checker.visit("/accounts/password/reset/", "password reset page")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    checker.check("password reset page with errors")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send reset link").click()
    checker.check("password reset link sent")
    checker.assert_clean()


def test_every_board_page(checker, live_server, cast, updates):
    page = checker.page
    sign_in(page, live_server, "ada")
    area = "/board/testshire"
    action = f"{area}/actions/{cast.action.pk}/"

    checker.visit("/board/", "board home (two areas)")
    checker.visit(f"{area}/", "My area")
    checker.visit(f"{area}/?delivery_status=on_track&overdue=on", "My area, filtered")
    checker.visit(f"{area}/todo/", "My to-do")
    checker.visit("/accounts/password/change/", "password change page")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    checker.check("password change page with errors")

    # The new update form, empty and then showing its errors.
    checker.visit(f"{area}/actions/{cast.action.pk}/updates/new/", "new update form")
    page.get_by_role("group", name="Start of the period covered").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Start of the period covered").get_by_label("Month").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    checker.check("new update form with errors")

    draft, submitted, approved = updates["draft"], updates["submitted"], updates["approved"]
    checker.visit(f"{area}/updates/{draft.pk}/edit/", "update edit form")
    page.get_by_label("Internal narrative").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the internal narrative")
    checker.check("update edit form with errors")
    # Someone else saves meanwhile: the page then shows what they changed.
    draft.narrative = "Olivia's correction."
    save_with_history(draft, expected_version=draft.version, by=cast.officer, reason="Draft edited")
    page.get_by_label("Internal narrative").fill("Ada's wording.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#conflict")).to_contain_text("Olivia Officer")
    checker.check("update edit form showing a conflict")

    # Evidence: the upload page, its errors, then a real upload.
    checker.visit(f"{area}/updates/{draft.pk}/evidence/", "evidence upload page")
    page.get_by_role("button", name="Upload evidence").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    checker.check("evidence upload page with errors")
    page.get_by_label("Title of the evidence").fill("Workshop minutes")
    page.get_by_label("File").set_input_files(
        {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("group", name="Who can see it").get_by_role("radio").first.check()
    page.get_by_role("button", name="Upload evidence").click()
    expect(page.get_by_role("alert")).to_contain_text("uploaded")

    # The action page, with every state of update, evidence and a long change log.
    checker.visit(action, "action page")
    expect(page.locator(".portal-log-entry")).not_to_have_count(0)
    expect(page.locator(".portal-update")).to_have_count(len(ProgressUpdate.State.values))
    checker.visit(f"{action}?as_at_0=1&as_at_1=6&as_at_2=2025#as-at", "action page as at a date")
    checker.visit(f"{action}?as_at_0=31&as_at_1=2&as_at_2=2025", "action page, bad as-at date")

    # Each workflow step's page, and the return page's error.
    for update, slug in [
        (draft, "submit"),
        (submitted, "approve"),
        (submitted, "return"),
        (approved, "publish"),
    ]:
        checker.visit(f"{area}/updates/{update.pk}/{slug}/", f"{slug} page")
    checker.visit(f"{area}/updates/{submitted.pk}/return/")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the reason")
    checker.check("return page with errors")
    checker.visit(f"{area}/updates/{approved.pk}/publish/")
    page.get_by_label("At a date and time I choose").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the publication date")
    checker.check("publish page with errors")

    checker.assert_clean()


def shape(url):
    """A page's kind: its path with record numbers blanked, and the names of its query."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"/\d+/", "/N/", parts.path), tuple(keys)


def test_every_board_page_linked_from_my_area_and_the_action_page(
    checker, live_server, cast, updates
):
    """Follow the links, so that a page added later is checked without being named here.

    One page of each kind (the same path but for record numbers) is enough:
    the crawl then covers more kinds of page within its limit.
    """
    page = checker.page
    sign_in(page, live_server, "ada")
    origin = live_server.url
    start = [f"{origin}/board/testshire/", f"{origin}/board/testshire/actions/{cast.action.pk}/"]
    queue, seen = deque(start), {shape(url) for url in start}
    while queue and len(checker.checked) < CRAWL_LIMIT:
        url = queue.popleft()
        response = page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        checker.check()
        for href in page.locator("a[href]").evaluate_all("links => links.map(a => a.href)"):
            link = urldefrag(href).url
            path = urlsplit(link).path
            if (
                link.startswith(f"{origin}/board/")
                and not DOWNLOAD.search(path)
                and shape(link) not in seen
            ):
                seen.add(shape(link))
                queue.append(link)
    print(f"Checked {len(checker.checked)} pages; {len(queue)} left unvisited.")
    print(*checker.checked, sep="\n")
    assert len(checker.checked) >= 10
    checker.assert_clean()
