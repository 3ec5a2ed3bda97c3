"""A report's introduction: written when asking for it, checked for plain English, shown first."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from kit.versioning import save_with_history
from progress.models import REPORT_INTRODUCTION_MAX_CHARACTERS, ProgressReport
from tests.progress import test_report_pages as report_pages
from tests.progress.test_report_pages import pdf_text, report_url, reports_url

pytestmark = pytest.mark.django_db

published_update = report_pages.published_update  # a public update on the cast's plan

SIMPLE = (
    "This report covers the last six months. We opened two new clinics. "
    "Most children now wait less than six weeks."
)
HARD = (
    "Notwithstanding considerable organisational restructuring, the partnership's strategic "
    "prioritisation of multi-agency arrangements has facilitated the implementation of a "
    "comprehensive framework, which stakeholders endorsed."
)
CONFIRM = "Publish anyway: I have checked the wording"


def ask(client, cast, audience, introduction, capture, **extra):
    with capture(execute=True):
        return client.post(
            reports_url(cast),
            {
                "plan": cast.plan.pk,
                "audience": audience,
                "period_start_0": "1",
                "period_start_1": "1",
                "period_start_2": "2025",
                "period_end_0": "31",
                "period_end_1": "12",
                "period_end_2": "2025",
                "introduction": introduction,
                **extra,
            },
            follow=True,
        )


def reasons(report):
    return [record.history_change_reason for record in report.history.order_by("history_id")]


def test_a_public_reports_introduction_comes_first_with_its_reading_age_in_the_history(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    response = ask(client, cast, "public", SIMPLE, django_capture_on_commit_callbacks)
    report = ProgressReport.objects.get()
    assert report.introduction == SIMPLE
    assert report.state == ProgressReport.State.READY, report.error
    age = re.search(
        r"The introduction has a reading age of (\d+), within the limit of 12\.",
        response.content.decode(),
    )
    assert age, "the officer is told the introduction's reading age"
    assert reasons(report)[0] == f"Report requested; reading age {age.group(1)}"

    # At the top of the report: after the cover, before the contents and the summary.
    html = report.html
    assert html.index('<section id="introduction">') < html.index('id="contents-heading"')
    assert html.index('<section id="introduction">') < html.index('<section id="summary">')
    assert f"<p>{SIMPLE}</p>" in html
    words = " ".join(pdf_text(report.pdf.open("rb").read()).split())
    assert "Introduction This report covers the last six months." in words

    client.post(report_url(cast, report), {"action": "publish"})
    report.refresh_from_db()
    assert report.state == ProgressReport.State.PUBLISHED
    assert reasons(report)[-1] == f"Published as report 1; reading age {age.group(1)}"


def test_a_hard_public_introduction_must_be_confirmed_before_the_report_is_made(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    response = ask(client, cast, "public", HARD, django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert response.status_code == 200
    assert not ProgressReport.objects.exists()
    found = re.search(r"The introduction has a reading age of (\d+), above the limit of 12", page)
    assert found, page[:3000]
    assert "Check the wording" in page  # the check's details: long sentences, jargon
    assert "stakeholder" in page
    assert CONFIRM in page
    assert escape(HARD) in page  # nothing typed is lost

    response = ask(
        client, cast, "public", HARD, django_capture_on_commit_callbacks, confirm_wording="on"
    )
    report = ProgressReport.objects.get()
    age = found.group(1)
    assert reasons(report)[0] == (
        f"Report requested; reading age {age}, above 12: published after checking the wording"
    )
    client.post(report_url(cast, report), {"action": "publish"})
    report.refresh_from_db()
    assert reasons(report)[-1] == f"Published as report 1; reading age {age}, above 12"


def test_the_confirmation_box_appears_only_when_the_wording_is_above_the_limit(
    client, cast, published_update
):
    client.force_login(cast.officer)
    page = client.get(reports_url(cast)).content.decode()
    assert "Introduction (optional)" in page
    assert CONFIRM not in page


def test_a_board_packs_introduction_is_internal_and_not_checked(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    response = ask(client, cast, "board_pack", HARD, django_capture_on_commit_callbacks)
    assert "reading age" not in response.content.decode()
    report = ProgressReport.objects.get()
    assert reasons(report)[0] == "Report requested"
    assert '<section id="introduction">' in report.html
    client.post(report_url(cast, report), {"action": "publish"})
    report.refresh_from_db()
    assert reasons(report)[-1] == "Published as report 1"


def test_a_report_without_an_introduction_has_no_introduction_section(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    ask(client, cast, "public", "   ", django_capture_on_commit_callbacks)
    report = ProgressReport.objects.get()
    assert report.introduction == ""
    assert 'id="introduction"' not in report.html
    assert reasons(report)[0] == "Report requested"
    client.post(report_url(cast, report), {"action": "publish"})
    report.refresh_from_db()
    assert reasons(report)[-1] == "Published as report 1"


def test_an_introduction_that_is_too_long_is_refused_with_a_clear_message(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    too_long = "We met. " * (REPORT_INTRODUCTION_MAX_CHARACTERS // 8 + 1)
    response = ask(client, cast, "public", too_long, django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert "The introduction must be 2,000 characters or fewer" in page
    assert "There is a problem" in page
    assert not ProgressReport.objects.exists()


def test_the_database_refuses_an_introduction_that_is_too_long(cast):
    report = ProgressReport(
        plan=cast.plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        introduction="x" * (REPORT_INTRODUCTION_MAX_CHARACTERS + 1),
    )
    with pytest.raises(ValidationError, match="2,000 characters or fewer"):
        save_with_history(report, by=cast.officer, reason="test")


def test_markup_in_an_introduction_reaches_the_report_only_as_words(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    text = 'We met <img src="http://127.0.0.1:9/x.png"> twice.'
    ask(client, cast, "board_pack", text, django_capture_on_commit_callbacks)
    report = ProgressReport.objects.get()
    assert "&lt;img src=" in report.html
    assert "<img" not in report.html


def test_a_board_member_cannot_ask_for_a_report_with_an_introduction(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.board_member)
    response = ask(client, cast, "public", SIMPLE, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


def test_an_unpublished_reports_introduction_is_never_public(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    ask(
        client,
        cast,
        "public",
        "We met families in May about zebra crossings.",
        django_capture_on_commit_callbacks,
    )
    report = ProgressReport.objects.get()
    client.logout()
    page = client.get(reverse("public:area", kwargs={"slug": cast.area.slug})).content.decode()
    assert "zebra crossings" not in page
    assert str(report.uuid) not in page
    url = reverse("public:public-report", kwargs={"slug": cast.area.slug, "uuid": report.uuid})
    assert client.get(url).status_code == 404
