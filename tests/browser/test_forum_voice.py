"""The parent carer forum's voice in a real browser: it acknowledges and challenges, the board replies.

Fay, the forum's representative, signs in, acknowledges one published update
and challenges another (meeting the error summary on the way); Olivia, an
officer, finds the challenge and replies. A visitor then reads both on the
public finding page and in "You said, we did". axe-core checks every new page
as it is seen, errors included.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Plan
from inspections.models import Membership
from progress.models import ForumReply, ForumResponse, ProgressUpdate
from tests.cast import make_user
from tests.factories import make_action

from .conftest import describe_violations, main_text, run_axe, sign_in, sign_out

CHALLENGE = "Families still wait a year for an assessment. When will that change?"
REPLY = "We will open two more clinics in May. We will tell families the wait in every letter."
HARD_REPLY = (
    "The partnership's strategic prioritisation of multi-agency commissioning arrangements, "
    "notwithstanding considerable organisational restructuring, has facilitated comprehensive "
    "implementation of additional diagnostic capacity."
)


class Axe:
    """Runs axe on each page it is shown; the test fails at the end with everything found."""

    def __init__(self, page):
        self.page = page
        self.checked = []
        self.problems = []

    def check(self, label):
        expect(self.page.locator("h1")).to_have_count(1)
        self.checked.append(label)
        self.problems += describe_violations(label, run_axe(self.page))

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def published(action, *, summary):
    return ProgressUpdate.objects.create(
        action=action,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        delivery_status="on_track",
        impact_status="some_evidence",
        narrative="Internal: two posts are still empty.",
        public_summary=summary,
        state=ProgressUpdate.State.PUBLISHED,
        publish_at=timezone.now() - datetime.timedelta(days=1),
    )


@pytest.fixture
def forum_world(cast):
    cache.clear()
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    fay = make_user("fay", first_name="Fay", last_name="Forum")
    Membership.objects.create(user=fay, area=cast.area, role=Membership.Role.FORUM)
    second = make_action(plan=cast.plan, finding=cast.action.finding, lead=cast.council, ref="1.2")
    cast.first_update = published(cast.action, summary="The new clinic opened in March.")
    cast.second_update = published(second, summary="We hired three speech therapists.")
    cast.second_action = second
    yield cast
    cache.clear()


def test_the_forum_acknowledges_and_challenges_and_the_board_replies(
    page, live_server, forum_world
):
    world = forum_world
    axe = Axe(page)

    # Fay signs in and lands on the forum's page: the board's internal pages are not hers.
    sign_in(page, live_server, "fay")
    expect(page).to_have_url(f"{live_server.url}/board/testshire/forum/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The parent carer forum’s page")
    navigation = page.get_by_role("navigation", name="Board menu")
    expect(navigation.get_by_role("link", name="Forum page")).to_be_visible()
    expect(navigation.get_by_role("link", name="My area", exact=True)).to_have_count(0)
    assert "Internal: two posts" not in main_text(page)
    axe.check("the forum's page")

    # She acknowledges the first update, with a note.
    first = page.locator(f"#update-{world.first_update.pk}")
    first.get_by_role("link", name=re.compile("^Acknowledge")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Acknowledge the update on action 1.1"
    )
    axe.check("acknowledge page")
    page.get_by_label("A short note (optional)").fill("Good to see the clinic open.")
    page.get_by_role("button", name="Acknowledge the update").click()
    expect(page.get_by_role("alert")).to_contain_text("You acknowledged the update on action 1.1")
    first = page.locator(f"#update-{world.first_update.pk}")
    expect(first).to_contain_text("The parent carer forum acknowledged this update on")
    expect(first.get_by_role("link", name=re.compile("^Acknowledge"))).to_have_count(0)

    # She challenges the second, first forgetting to write anything.
    second = page.locator(f"#update-{world.second_update.pk}")
    second.get_by_role("link", name=re.compile("^Challenge")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Challenge the update on action 1.2")
    # The character count works with JavaScript, and the page works without it.
    expect(page.locator(".govuk-character-count__status")).to_contain_text("1,500 characters")
    axe.check("challenge page")
    page.get_by_role("button", name="Publish the challenge").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter your challenge")).to_be_visible()
    axe.check("challenge page with errors")
    page.get_by_label("Your challenge").fill(CHALLENGE)
    page.get_by_role("button", name="Publish the challenge").click()
    expect(page.get_by_role("alert")).to_contain_text("You challenged the update on action 1.2")
    second = page.locator(f"#update-{world.second_update.pk}")
    expect(second).to_contain_text(CHALLENGE)
    expect(second).to_contain_text("The board has not replied yet.")
    axe.check("the forum's page with responses")
    challenge = ForumResponse.objects.get(kind="challenge")
    assert challenge.responded_by.username == "fay"
    assert ForumResponse.objects.filter(kind="acknowledge").get().text == (
        "Good to see the clinic open."
    )
    sign_out(page)

    # Olivia, an officer, finds the challenge waiting and replies.
    sign_in(page, live_server, "olivia")
    page.get_by_role("navigation", name="Board menu").get_by_role(
        "link", name="Forum challenges"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The parent carer forum’s challenges")
    expect(page.locator(f"#challenge-{challenge.pk}")).to_contain_text(CHALLENGE)
    axe.check("the forum's challenges")
    page.locator(f"#challenge-{challenge.pk}").get_by_role(
        "link", name=re.compile("^Reply")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reply to the forum’s challenge on action 1.2"
    )
    axe.check("reply page")
    page.get_by_role("button", name="Publish the reply").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the board’s reply")
    axe.check("reply page with errors")
    # Too hard to read: the plain-English check, and the box to publish anyway.
    page.get_by_label("The board’s reply").fill(HARD_REPLY)
    page.get_by_role("button", name="Publish the reply").click()
    expect(page.get_by_role("alert")).to_contain_text("above the limit of")
    expect(page.locator("#wording-check")).to_contain_text("Reading age")
    expect(page.get_by_label("Publish anyway: I have checked the wording")).not_to_be_checked()
    axe.check("reply page with the wording check")
    assert not ForumReply.objects.exists()
    page.get_by_label("The board’s reply").fill(REPLY)
    page.get_by_role("button", name="Publish the reply").click()
    expect(page.get_by_role("alert")).to_contain_text("Reply published.")
    expect(page).to_have_url(re.compile(rf"/actions/{world.second_action.pk}/#update-"))
    card = page.locator(f"#update-{world.second_update.pk}")
    expect(card).to_contain_text("The board replied on")
    expect(card).to_contain_text(REPLY)
    expect(card).to_contain_text("Written by Fay Forum for the forum; reply by Olivia Officer")
    axe.check("action page with the forum's challenge and the reply")
    answer = ForumReply.objects.get()
    assert (answer.challenge, answer.replied_by.username) == (challenge, "olivia")
    sign_out(page)

    # A visitor reads both on the public finding page, and in "You said, we did".
    page.goto(f"{live_server.url}/areas/testshire/findings/{world.action.finding_id}/")
    text = main_text(page)
    assert "The parent carer forum acknowledged this update on" in text
    assert "“Good to see the clinic open.”" in text
    assert "The parent carer forum challenged this update on" in text and CHALLENGE in text
    assert "The board replied on" in text and REPLY in text
    for name in ("Fay", "Olivia"):
        assert name not in text
    axe.check("public finding page")
    page.goto(f"{live_server.url}/areas/testshire/you-said-we-did/")
    forum_part = main_text(page).split("What the parent carer forum asked the board", 1)[1]
    assert CHALLENGE in forum_part and REPLY in forum_part
    axe.check("public You said, we did")

    assert len(axe.checked) == 12
    axe.assert_clean()
