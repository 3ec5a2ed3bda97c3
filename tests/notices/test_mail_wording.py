"""Every email reads plainly (reading age 12 or under), and its text and HTML versions say the same."""

import re
from html.parser import HTMLParser

import pytest

from kit.plain_english import check_wording
from notices.kinds import ABOUT, BOARD_KINDS, Kind
from notices.outbox import message_context, render_message

SITE = "http://127.0.0.1:8000"
UPDATE = {
    "area_name": "Testshire",
    "action_ref": "1.1",
    "action_title": "Open a new speech and language clinic",
    "period": "1 April 2025 to 30 June 2025",
    "by_name": "Olivia Officer",
    "author_name": "Bilal Board",
    "return_reason": "Please add the date the clinic opens.",
    "publish_date": "3 July 2025",
    "publish_time": "9:00am",
    "action_url": f"{SITE}/board/testshire/actions/1/#update-1",
    "public_url": f"{SITE}/areas/testshire/",
}
ACTION = {
    "ref": "1.1",
    "title": "Open a new speech and language clinic",
    "due": "31 March 2026",
    "why": "No update yet.",
    "url": f"{SITE}/board/testshire/actions/1/",
    "update_url": f"{SITE}/board/testshire/actions/1/updates/new/",
}


class Area:
    name = "Testshire"


# Each kind's template, with the context its sender gives it.
FORUM = {
    "area_name": "Testshire",
    "action_ref": "1.1",
    "action_title": "Open a new clinic",
    "period": "1 April 2025 to 30 June 2025",
    "challenge": "When will the waits come down? Families still wait a year.",
    "asked_on": "3 November 2026",
}
EXAMPLES = {
    Kind.UPDATE_SUBMITTED: ("update_submitted", {**UPDATE, "name": "Ada Admin"}),
    Kind.UPDATE_RETURNED: ("update_returned", {**UPDATE, "name": "Bilal Board"}),
    Kind.UPDATE_APPROVED: ("update_approved", {**UPDATE, "name": "Bilal Board"}),
    Kind.UPDATE_PUBLISHED: ("update_published", {**UPDATE, "name": "Bilal Board", "later": False}),
    Kind.PUBLICATION_DONE: (
        "publication_done",
        {**UPDATE, "name": "Bilal Board", "is_author": True},
    ),
    Kind.REPORT_READY: (
        "report_ready",
        {
            "name": "Omar Officer",
            "area_name": "Testshire",
            "audience": "Public report",
            "period": "1 January 2025 to 31 December 2025",
            "report_url": f"{SITE}/board/testshire/reports/1/",
        },
    ),
    Kind.FORUM_CHALLENGE: (
        "forum_challenge",
        {
            **FORUM,
            "name": "Omar Officer",
            "reply_url": f"{SITE}/board/testshire/forum-challenges/1/reply/",
        },
    ),
    Kind.FORUM_REPLY: (
        "forum_reply",
        {
            **FORUM,
            "name": "Fay Forum",
            "reply": "We will open two new clinics in May. Families can book a visit online.",
            "forum_url": f"{SITE}/board/testshire/forum/",
        },
    ),
    Kind.MEETING_REMINDER: (
        "meeting_reminder",
        {
            "name": "Bilal Board",
            "area_name": "Testshire",
            "meeting_date": "8 December 2026",
            "meeting_title": "SEND improvement board",
            "working_days": 5,
            "period_text": "since the board met on 3 November 2026",
            "since": "3 November 2026",
            "todo_url": f"{SITE}/board/testshire/todo/",
            "actions": [ACTION, {**ACTION, "ref": "1.2", "due": ""}],
        },
    ),
    Kind.OFFICER_DIGEST: (
        "officer_digest",
        {
            "name": "Olivia Officer",
            "area_name": "Testshire",
            "week_of": "30 November 2026",
            "horizon_days": 30,
            "todo_url": f"{SITE}/board/testshire/todo/",
            "to_approve": [{**ACTION, "author": "Bilal Board", "submitted": "27 November 2026"}],
            "to_publish": [{**ACTION, "approved": "28 November 2026"}],
            "overdue": [{**ACTION, "lead": "Bilal Board", "delivery": "at risk"}],
            "deadlines": [
                {
                    "plan": "Written statement of action",
                    "label": "Progress review",
                    "text": "The progress review is due by 12 January 2027.",
                    "overdue": False,
                    "due": None,
                }
            ],
        },
    ),
    Kind.PUBLIC_DIGEST: (
        "public_digest",
        {
            "area": Area(),
            "updates": [
                {
                    "title": "Action 1.1: Open a new speech and language clinic",
                    "period": "1 April 2025 to 30 June 2025",
                    "delivery": "On track",
                    "impact": "Some evidence",
                    "summary": "We opened the clinic in May. Families can now book a visit.",
                    "url": f"{SITE}/areas/testshire/findings/1/#action-1",
                }
            ],
            "reports": [{"title": "Report 1", "url": f"{SITE}/areas/testshire/reports/x/"}],
            "area_url": f"{SITE}/areas/testshire/",
        },
    ),
    Kind.SUBSCRIPTION_CONFIRM: (
        "subscription_confirm",
        {"area": Area(), "confirm_url": f"{SITE}/follow/confirm/abc/", "days": 7},
    ),
}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def html_words(html):
    parser = _Text()
    parser.feed(html)
    return set(re.findall(r"[A-Za-z]{4,}", " ".join(parser.parts)))


def rendered(kind):
    template, context = EXAMPLES[kind]
    user = object() if ABOUT[kind].board else None  # the footer differs with an account
    full = message_context(
        context,
        kind=kind,
        user=user,
        unsubscribe_url=f"{SITE}/notices/unsubscribe/token/",
    )
    return render_message(template, full)


def test_every_kind_has_an_example_here():
    assert set(EXAMPLES) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind))
def test_each_email_has_a_reading_age_of_12_or_under(kind):
    subject, text, _ = rendered(kind)

    check = check_wording(f"{subject}.\n{text}")
    assert check.reading_age <= 12, (kind, check.summary(), text)
    assert not check.long_sentences, check.long_sentences


@pytest.mark.parametrize("kind", list(Kind))
def test_each_email_has_a_plain_subject_and_a_footer_saying_why(kind):
    subject, text, html = rendered(kind)

    assert subject and "\n" not in subject and "{" not in subject
    assert f"You got this email because {ABOUT[kind].because}." in text
    assert f"{SITE}/notices/unsubscribe/token/" in text
    assert f'href="{SITE}/notices/unsubscribe/token/"' in html
    if kind in BOARD_KINDS:
        assert f"{SITE}/accounts/email-notices/" in text
    for broken in ("{{", "{%", "&amp;#x27;", "&#x27;", "None"):
        assert broken not in text


@pytest.mark.parametrize("kind", list(Kind))
def test_the_text_and_html_versions_say_the_same(kind):
    _, text, html = rendered(kind)

    text_words = set(re.findall(r"[A-Za-z]{4,}", re.sub(r"https?://\S+", "", text)))
    missing = text_words - html_words(html)
    # The HTML puts links behind words, so only the words before a bare link may differ.
    assert len(missing) <= 8, missing


def test_text_from_people_is_escaped_in_html_and_left_alone_in_text():
    template, context = EXAMPLES[Kind.UPDATE_RETURNED]
    context = {**context, "return_reason": "Use <b>dates</b> & “quotes”, it's fine"}
    _, text, html = render_message(template, message_context(context, kind=Kind.UPDATE_RETURNED))

    assert "Use <b>dates</b> & “quotes”, it's fine" in text
    assert "&lt;b&gt;dates&lt;/b&gt; &amp;" in html
