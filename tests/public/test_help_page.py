"""Help and contact: where a parent, a visitor or a board member turns for help."""

import pytest
from django.core import checks
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from public import accessibility as statement_facts
from send_portal.checks import check_contact_details
from tests.factories import make_area

pytestmark = pytest.mark.django_db


@override_settings(
    PORTAL_OPERATOR="Testshire County Council and NHS Testshire",
    PORTAL_CONTACT_EMAIL="send-portal@testshire.example",
    PORTAL_ACCESSIBILITY_EMAIL="send-access@testshire.example",
)
def test_the_help_page_says_who_runs_the_site_and_where_to_write(client):
    area = make_area(slug="testshire", name="Testshire")
    area.local_offer_url = "https://testshire.example/offer"
    area.save()
    make_area(slug="otherton", name="Otherton")

    page = client.get(reverse("public:help")).content.decode()

    assert "This website is run by Testshire County Council and NHS Testshire." in page
    assert 'href="mailto:send-portal@testshire.example"' in page
    assert 'href="mailto:send-access@testshire.example"' in page
    # A parent is sent to the area's Local Offer, SENDIASS and the school, never asked about a child.
    offer = '<a class="govuk-link" href="https://testshire.example/offer">Testshire Local Offer</a>'
    assert offer in page
    assert "Otherton Local Offer" not in page  # it has no Local Offer address to give
    assert "never show anything about one child" in page
    assert "SENDIASS" in page
    # Board members are told how to get back in.
    assert reverse("password_reset") in page
    assert "recovery codes" in page


def test_every_page_links_to_help_from_its_footer(client, cast):
    for url in (reverse("public:home"), reverse("public:glossary")):
        page = client.get(url).content.decode()
        link = f'<a class="govuk-footer__link" href="{reverse("public:help")}">Help and contact</a>'
        assert link in page
    client.force_login(cast.board_member)
    response = client.get(reverse("board:home"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("public:help") in page


def test_check_deploy_warns_while_the_contact_details_are_not_set(settings):
    settings.PORTAL_OPERATOR = ""
    settings.PORTAL_CONTACT_EMAIL = " "
    settings.PORTAL_ACCESSIBILITY_EMAIL = ""
    (warning,) = check_contact_details()
    assert warning.id == "send_portal.W004"
    assert warning.level == checks.WARNING
    assert "PORTAL_OPERATOR, PORTAL_ACCESSIBILITY_EMAIL, PORTAL_CONTACT_EMAIL" in warning.msg

    settings.PORTAL_OPERATOR = "Testshire County Council"
    settings.PORTAL_CONTACT_EMAIL = "send@testshire.example"
    settings.PORTAL_ACCESSIBILITY_EMAIL = "access@testshire.example"
    assert check_contact_details() == []


def test_the_accessibility_statement_has_no_placeholders_and_names_what_fails(client, settings):
    settings.PORTAL_OPERATOR = "Testshire County Council and NHS Testshire"
    settings.PORTAL_ACCESSIBILITY_EMAIL = "send-access@testshire.example"
    page = client.get(reverse("public:accessibility")).content.decode()

    assert "This website is run by Testshire County Council and NHS Testshire." in page
    assert 'href="mailto:send-access@testshire.example"' in page
    assert "{{" not in page and "example.org" not in page and "[" not in page.split("<main")[1]
    # It claims only what is tested: 300% zoom, 320 px reflow and 200% text (the browser tests).
    assert "400%" not in page
    assert "zoom in up to 300%" in page and "320 pixels" in page and "twice as big" in page
    # The PDFs are covered, with each known problem and a date to fix it by.
    assert "PDF" in page
    for problem in statement_facts.PDF_PROBLEMS:
        assert escape(problem) in page
    assert f"We plan to fix these by {statement_facts.PDF_FIX_BY:%-d %B %Y}." in page
    assert "191" in page
    assert f"This website was last tested on {statement_facts.TESTED:%-d %B %Y}." in page
    assert reverse("public:help") in page


@override_settings(PORTAL_OPERATOR="", PORTAL_CONTACT_EMAIL="", PORTAL_ACCESSIBILITY_EMAIL="")
def test_without_contact_details_the_pages_send_people_to_their_council_not_to_made_up_ones(
    client,
):
    """As in the demo, before a deployment says who runs it: nothing invented is shown."""
    area = make_area(slug="testshire", name="Testshire")
    area.local_offer_url = "https://testshire.example/offer"
    area.save()
    for name in ("public:help", "public:accessibility"):
        page = client.get(reverse(name)).content.decode()
        main = page.split("<main")[1]
        assert "mailto:" not in main and "example.org" not in main and "{{" not in main
        assert "This website does not have its own email address yet." in main
        assert "run by the council and NHS partners of the local areas it shows" in main
        assert f'href="{reverse("public:help")}#your-child"' in main
    help_page = client.get(reverse("public:help")).content.decode()
    assert 'id="your-child"' in help_page and "Testshire Local Offer" in help_page
