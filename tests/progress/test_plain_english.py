"""The plain-English check on public text: its scores, and where the board meets it."""

import datetime
import threading

import nltk
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from actions.models import Plan
from kit import plain_english
from kit.plain_english import (
    CheckedText,
    check_wording,
    history_note,
    parse_word_list,
    passive_phrases,
    terms_to_explain,
    word_list,
)
from kit.templatetags.plain_english import ACRONYMS, acronyms_from
from progress import workflow
from progress.models import ProgressUpdate, YouSaidWeDid
from tests.html_forms import form_values

SIMPLE = (
    "We opened a new clinic in May. Families can book a visit online. "
    "Most children now wait less than six weeks."
)
COMPLEX = (
    "The local area partnership's strategic prioritisation of multi-agency co-production "
    "arrangements, notwithstanding considerable organisational restructuring, has facilitated "
    "the implementation of a comprehensive graduated approach framework, which was endorsed by "
    "stakeholders across the SEND system and is being monitored by the ICB."
)
CONFIRM = "Publish anyway: I have checked the wording"


def terms(text):
    return {term.term: term for term in terms_to_explain(text)}


# Scores


def test_a_simple_text_has_a_low_reading_age_and_is_easy_to_read():
    check = check_wording(SIMPLE)
    assert 5 <= check.reading_age <= 9
    assert check.reading_ease >= 70
    assert check.words == 21
    assert not check.above_level
    assert not check.long_sentences


def test_a_complex_text_has_a_high_reading_age_and_is_hard_to_read():
    check = check_wording(COMPLEX)
    assert check.reading_age >= 20
    assert check.reading_ease <= 20
    assert check.above_level
    assert check.summary("The summary") == (
        f"The summary has a reading age of {check.reading_age}, above the limit of 12. "
        "To look at: 1 long sentence, 2 passive phrases and 7 words to explain or replace."
    )
    assert check_wording(SIMPLE).summary() == (
        f"The text has a reading age of {check_wording(SIMPLE).reading_age}, within the limit of 12."
    )


def test_the_reading_age_is_the_flesch_kincaid_grade_plus_five_from_textstat():
    from textstat.textstat import textstatistics

    calculator = textstatistics()
    calculator.set_lang("en-GB")
    check = check_wording(COMPLEX)
    grade = calculator.flesch_kincaid_grade(COMPLEX)
    assert check.grade == pytest.approx(grade, abs=0.05)
    assert check.reading_age == round(grade + 5)
    assert calculator.flesch_reading_ease(COMPLEX) < 0
    assert check.reading_ease == 0  # kept within 0 to 100
    simple = check_wording(SIMPLE)
    assert simple.reading_ease == pytest.approx(calculator.flesch_reading_ease(SIMPLE), abs=0.05)
    assert check_wording("We met. It went well.").reading_ease == 100


def test_a_very_easy_text_has_a_reading_age_of_at_least_five():
    assert check_wording("We met. It went well.").reading_age == 5


def test_empty_or_blank_text_is_not_scored():
    assert check_wording("") is None
    assert check_wording("  \n\n ") is None
    assert check_wording(None) is None


def test_the_check_never_downloads_a_dictionary(monkeypatch):
    # textstat fetches NLTK's pronouncing dictionary from the internet for "en" and
    # "en_*"; the portal's "en-GB" counts syllables with Pyphen instead.
    def no_download(*args, **kwargs):
        raise AssertionError("The check tried to download something")

    monkeypatch.setattr(nltk, "download", no_download)
    monkeypatch.setattr(nltk.data, "find", no_download)
    check = check_wording(
        "A sentence nobody has checked before, about a brand new respite service."
    )
    assert check.reading_age > 5


def test_the_limit_comes_from_the_setting(settings):
    settings.PLAIN_ENGLISH_MAX_READING_AGE = 6
    check = check_wording(SIMPLE)
    assert check.level == 6
    assert check.above_level is (check.reading_age > 6)
    assert check_wording(SIMPLE, level=20).level == 20


# Long sentences


def test_sentences_over_25_words_are_listed_with_their_length():
    twenty_five = " ".join(["word"] * 24) + " end."
    twenty_six = "This " + " ".join(["word"] * 23) + " end here."
    check = check_wording(f"{twenty_five} {twenty_six} Short one.")
    assert [(sentence.words, sentence.text[:8]) for sentence in check.long_sentences] == [
        (26, "This wor")
    ]


def test_each_line_is_a_sentence_of_its_own():
    listed = "We will:\n- open a new clinic\n- hire four more staff\n- see children sooner"
    assert plain_english.sentences(listed) == [
        "We will: open a new clinic.",
        "hire four more staff.",
        "see children sooner.",
    ]
    assert check_wording(listed).reading_age <= 7


def test_a_web_address_counts_as_one_short_word():
    check = check_wording("Read more at https://www.example.org/local-offer/short-breaks today.")
    assert check.words == 5
    assert check.reading_age <= 9
    assert not check.terms


# Passive voice, by a rule of thumb


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The plan was approved in May.", ["was approved"]),
        ("Requests are being reviewed every week.", ["are being reviewed"]),
        ("A new guide has been written.", ["been written"]),
        ("The report was not published on time.", ["was not published"]),
        ("Families are seen and were told.", ["are seen", "were told"]),
        ("It is needed. It is needed again.", ["is needed"]),
        ("We approved the plan in May.", []),
        ("We are interested in your views and are pleased to hear them.", []),
        ("The children are happy and the room is red.", []),
    ],
)
def test_passive_phrases_are_found_by_a_rule_of_thumb(text, found):
    assert passive_phrases(text) == found


# Abbreviations and jargon


def test_a_listed_abbreviation_is_explained_when_spelt_out_anywhere():
    assert "EHCP" in terms("Every EHCP is reviewed each year.")
    assert terms("Every EHCP is reviewed each year.")["EHCP"].advice == (
        "Spell it out at first use: education, health and care plan (EHCP)"
    )
    explained = "Your child’s Education, Health and Care Plan (EHCP) is reviewed. EHCPs help."
    assert "EHCP" not in terms(explained)
    # Spelt out after it is used still counts.
    assert "DfE" not in terms("The DfE, that is the Department for Education, wrote to us.")


def test_an_unexplained_abbreviation_is_counted_each_time_and_in_the_plural():
    found = terms("We wrote 40 EHCPs. Each EHCP names a school. The ICB pays.")
    assert found["EHCP"].count == 2
    assert found["ICB"].is_abbreviation
    assert "integrated care board" in found["ICB"].advice


def test_send_and_its_variants_are_explained_by_any_accepted_wording():
    assert "SEND" in terms("SEND support is changing.")
    assert "SEND" not in terms(
        "Support for special educational needs and/or disabilities (SEND) is changing. "
        "SEND-related waits fell."
    )
    assert "SENCO" in terms("Ask your school's SENCo.")


def test_an_abbreviation_not_on_the_list_is_explained_by_brackets():
    assert terms("The XQZ team will call you.")["XQZ"].count == 1
    assert "XQZ" not in terms("The extra quiet zone (XQZ) team will call you.")
    assert "XQZ" not in terms("The XQZ (extra quiet zone) team will call you.")


def test_well_known_abbreviations_names_and_words_are_not_pointed_out():
    found = terms("The NHS and your GP in the UK. Ofsted visited McDonald Road school. I agree.")
    assert found == {}


def test_jargon_is_pointed_out_with_what_to_write_instead():
    found = terms(
        "Co-production with stakeholders is key. Stakeholders met the cohort. "
        "We take a holistic, multi-agency view."
    )
    assert found["co-production"].advice.startswith("explain at first use:")
    assert found["stakeholder"].count == 2
    assert not found["stakeholder"].is_abbreviation
    assert found["cohort"].advice.startswith("group")
    assert {"holistic", "multi-agency"} <= set(found)


def test_the_project_word_list_has_the_terms_parents_meet():
    words = word_list()
    abbreviations = {spelling for entry in words.abbreviations for spelling in entry.spellings}
    assert {"SEND", "EHC", "EHCP", "DfE", "ICB", "CCG", "SENCO", "WSOA", "APP"} <= abbreviations
    jargon = {form for entry in words.jargon for form in entry.forms}
    assert {
        "co-production",
        "graduated approach",
        "cohort",
        "stakeholder",
        "holistic",
        "multi-agency",
        "outcomes framework",
    } <= jargon
    assert "NHS" in words.well_known


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SEND = special educational needs", "put words under a section"),
        ("[acronyms]\nSEND = x", "unknown section"),
        ("[jargon]\ncohort", "write it as"),
        ("[jargon]\n = group", "write it as"),
        ("[abbreviations]\nSend = special educational needs", "2 or more capitals"),
        ("[abbreviations]\nXYZ = x y z | colour: red", "after “|” write"),
        ("[abbreviations]\nXYZ = x y z | glossary: Not An Anchor", "after “|” write"),
        ("[abbreviations]\nXYZ = x y z | plural: x y zs", "need a “glossary: anchor”"),
        ("[abbreviations]\nXYZ = | glossary: xyz", "write it as"),
    ],
)
def test_a_malformed_word_list_line_is_refused_with_its_line_number(text, problem):
    with pytest.raises(ImproperlyConfigured, match=problem) as error:
        parse_word_list(text, source="jargon.txt")
    assert "jargon.txt, line" in str(error.value)


# The history note


def test_the_history_note_gives_the_highest_reading_age():
    simple, hard = check_wording(SIMPLE, level=12), check_wording(COMPLEX, level=12)
    checked = [CheckedText("you said", "a", simple), CheckedText("we did", "b", hard)]
    assert history_note(checked) == f"reading age {hard.reading_age}"
    assert history_note(checked, confirmed=True) == (
        f"reading age {hard.reading_age}, above 12: published after checking the wording"
    )
    assert history_note([CheckedText("x", "a", simple)], confirmed=True) == (
        f"reading age {simple.reading_age}"
    )
    assert history_note([]) == ""


# The board's draft form: guidance


def update_payload(**overrides):
    return {
        "period_start_0": "1",
        "period_start_1": "4",
        "period_start_2": "2025",
        "period_end_0": "30",
        "period_end_1": "6",
        "period_end_2": "2025",
        "delivery_status": "not_started",
        "impact_status": "no_evidence_yet",
        "status_change_reason": "",
        "narrative": "Recruitment for the new clinic is under way.",
        "public_summary": SIMPLE,
        **overrides,
    }


def create_url(cast):
    return reverse(
        "progress:update-create", kwargs={"area_slug": cast.area.slug, "action_pk": cast.action.pk}
    )


def step_url(cast, update, step):
    return reverse(
        "progress:update-transition",
        kwargs={"area_slug": cast.area.slug, "pk": update.pk, "transition": step},
    )


@pytest.mark.django_db
def test_the_draft_form_checks_the_wording_without_saving(client, cast):
    client.force_login(cast.board_member)
    page = client.get(create_url(cast)).text
    assert 'value="Check the wording"' in page
    assert "Reading age" not in page  # nothing typed yet

    response = client.post(
        create_url(cast),
        {**update_payload(public_summary=COMPLEX), "check_wording": "Check the wording"},
    )

    assert response.status_code == 200
    page = response.text
    assert not ProgressUpdate.objects.exists()
    check = check_wording(COMPLEX)
    assert "Check the wording" in page
    assert "Above the limit of 12" in page
    assert f"({check.long_sentences[0].words} words)" in page
    assert "“was endorsed”" in page
    assert "Spell it out at first use: integrated care board (ICB)" in page
    assert "explain at first use: families and services planning" in page
    # Nothing typed is lost, and checking is not an error.
    assert form_values(page)["public_summary"] == COMPLEX
    assert form_values(page)["narrative"] == "Recruitment for the new clinic is under way."
    assert "govuk-error-summary" not in page


@pytest.mark.django_db
def test_checking_an_unfinished_draft_says_nothing_yet_about_the_other_fields(client, cast):
    client.force_login(cast.board_member)
    data = {
        **update_payload(narrative="", period_start_0="31", period_start_1="2"),
        "check_wording": "Check the wording",
    }
    response = client.post(create_url(cast), data)
    page = response.text
    assert "Within the limit of 12" in page
    assert "govuk-error-summary" not in page
    assert "<title>Error" not in page
    assert form_values(page)["period_start_0"] == "31"
    assert not ProgressUpdate.objects.exists()
    # Saving then says what is missing.
    del data["check_wording"]
    page = client.post(create_url(cast), data).text
    assert "Enter the internal narrative" in page
    assert "The start of the period covered must be a real date" in page


@pytest.mark.django_db
def test_saving_a_hard_to_read_draft_saves_it_with_guidance(client, cast):
    client.force_login(cast.board_member)
    response = client.post(create_url(cast), update_payload(public_summary=COMPLEX), follow=True)
    update = ProgressUpdate.objects.get()
    assert update.public_summary == COMPLEX
    page = response.text
    assert "Draft update saved." in page
    reading_age = check_wording(COMPLEX).reading_age
    assert (
        f"The summary for families has a reading age of {reading_age}, above the limit of 12."
        in page
    )
    assert "use “Check the wording” to see what to change" in page


@pytest.mark.django_db
def test_saving_a_plain_draft_adds_no_guidance(client, cast):
    client.force_login(cast.board_member)
    response = client.post(create_url(cast), update_payload(), follow=True)
    assert "Draft update saved." in response.text
    assert "Check the wording" not in response.text


@pytest.mark.django_db
def test_the_edit_page_checks_the_saved_summary_and_its_button_saves_nothing(client, cast):
    client.force_login(cast.board_member)
    client.post(create_url(cast), update_payload(public_summary=COMPLEX))
    update = ProgressUpdate.objects.get()
    edit_url = reverse(
        "progress:update-edit", kwargs={"area_slug": cast.area.slug, "pk": update.pk}
    )
    page = client.get(edit_url).text
    assert "Above the limit of 12" in page

    data = {**form_values(page), "public_summary": SIMPLE, "check_wording": "Check the wording"}
    response = client.post(edit_url, data)

    assert response.status_code == 200
    assert "Within the limit of 12" in response.text
    update.refresh_from_db()
    assert (update.public_summary, update.version) == (COMPLEX, 1)

    del data["check_wording"]
    assert client.post(edit_url, data).status_code == 302
    update.refresh_from_db()
    assert update.public_summary == SIMPLE


# Publishing an update


def approved_update(cast, summary):
    update = ProgressUpdate(
        action=cast.action,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2025, 6, 30),
        delivery_status=cast.action.delivery_status,
        impact_status=cast.action.impact_status,
        narrative="Internal.",
        public_summary=summary,
    )
    workflow.create_update(update, by=cast.board_member)
    for step, who in (("submit", cast.board_member), ("approve", cast.officer)):
        workflow.apply_transition(update, step, by=who, expected_version=update.version)
    return update


@pytest.mark.django_db
def test_publishing_a_summary_above_the_limit_asks_for_confirmation(client, cast):
    update = approved_update(cast, COMPLEX)
    reading_age = check_wording(COMPLEX).reading_age
    client.force_login(cast.officer)
    page = client.get(step_url(cast, update, "publish")).text
    assert CONFIRM in page
    assert f"reading age of {reading_age}, above the limit of 12" in page
    assert "“was endorsed”" in page

    response = client.post(
        step_url(cast, update, "publish"), {"version": update.version, "when": "now"}
    )

    assert response.status_code == 200
    assert "Confirm you have checked the wording before publishing" in response.text
    assert 'href="#id_confirm_wording"' in response.text  # the error summary links to the box
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED


@pytest.mark.django_db
def test_confirming_publishes_with_the_reading_age_in_the_history(client, cast):
    update = approved_update(cast, COMPLEX)
    reading_age = check_wording(COMPLEX).reading_age
    client.force_login(cast.officer)
    page = client.get(step_url(cast, update, "publish")).text
    data = {**form_values(page), "confirm_wording": "on"}

    response = client.post(step_url(cast, update, "publish"), data)

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED
    latest = update.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        cast.officer,
        f"Published; reading age {reading_age}, above 12: published after checking the wording",
    )
    # The change log on the action's page shows it.
    action_page = client.get(
        reverse("board:action", kwargs={"area_slug": cast.area.slug, "pk": cast.action.pk})
    ).text
    assert f"reading age {reading_age}" in action_page


@pytest.mark.django_db
def test_a_summary_within_the_limit_publishes_as_before_with_its_reading_age(client, cast):
    update = approved_update(cast, SIMPLE)
    reading_age = check_wording(SIMPLE).reading_age
    client.force_login(cast.officer)
    page = client.get(step_url(cast, update, "publish")).text
    assert CONFIRM not in page
    assert "Within the limit of 12" in page

    response = client.post(step_url(cast, update, "publish"), form_values(page))

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED
    assert update.history.latest().history_change_reason == f"Published; reading age {reading_age}"


@pytest.mark.django_db
def test_a_scheduled_publication_records_the_reading_age_too(client, cast):
    update = approved_update(cast, SIMPLE)
    client.force_login(cast.officer)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(
        step_url(cast, update, "publish"),
        {
            "version": update.version,
            "when": "later",
            "publish_date_0": tomorrow.day,
            "publish_date_1": tomorrow.month,
            "publish_date_2": tomorrow.year,
            "publish_time": "09:30",
        },
    )
    assert response.status_code == 302
    reason = ProgressUpdate.objects.get().history.latest().history_change_reason
    assert reason.startswith("Scheduled for publication at ")
    assert reason.endswith(f"; reading age {check_wording(SIMPLE).reading_age}")


@pytest.mark.django_db
def test_a_lower_limit_asks_for_confirmation_of_a_plainer_summary(client, cast, settings):
    settings.PLAIN_ENGLISH_MAX_READING_AGE = 5
    update = approved_update(cast, SIMPLE)
    client.force_login(cast.officer)
    page = client.get(step_url(cast, update, "publish")).text
    assert CONFIRM in page
    assert "Above the limit of 5" in page


@pytest.mark.django_db
def test_the_approval_page_shows_the_check_but_asks_nothing_more(client, cast):
    update = approved_update(cast, COMPLEX)
    # A second update waiting for approval.
    waiting = ProgressUpdate(
        action=cast.action,
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 9, 30),
        delivery_status=cast.action.delivery_status,
        impact_status=cast.action.impact_status,
        narrative="Internal.",
        public_summary=COMPLEX,
    )
    workflow.create_update(waiting, by=cast.board_member)
    workflow.apply_transition(waiting, "submit", by=cast.board_member, expected_version=1)
    client.force_login(cast.officer)
    page = client.get(step_url(cast, waiting, "approve")).text
    assert "Above the limit of 12" in page
    assert CONFIRM not in page
    response = client.post(step_url(cast, waiting, "approve"), {"version": waiting.version})
    assert response.status_code == 302
    assert waiting.history.latest().history_change_reason == "Approved"
    assert update.state == ProgressUpdate.State.APPROVED


# "You said, we did" and a plan's summary for families


def you_said_data(**overrides):
    return {
        "heard_on_0": "10",
        "heard_on_1": "6",
        "heard_on_2": "2025",
        "source": "Parent carer forum survey",
        "you_said": "Nobody explained the wait.",
        "we_did": COMPLEX,
        "is_published": "on",
        **overrides,
    }


def you_said_url(cast):
    return reverse("progress:you-said-create", kwargs={"area_slug": cast.area.slug})


@pytest.mark.django_db
def test_publishing_hard_words_in_you_said_we_did_asks_on_the_field_and_keeps_them(
    client, cast, settings
):
    # One officer writes and publishes (the two-person rule off): the wording check is tested.
    settings.PORTAL_TWO_PERSON_RULE = False
    client.force_login(cast.officer)
    page = client.get(you_said_url(cast)).text
    assert CONFIRM not in page

    response = client.post(you_said_url(cast), you_said_data())

    assert response.status_code == 200
    assert not YouSaidWeDid.objects.exists()
    reading_age = check_wording(COMPLEX).reading_age
    errors = response.context["form"].errors
    assert errors["we_did"] == [
        f"“We did” has a reading age of {reading_age}, above the limit of 12. "
        f"Make it simpler, or tick “{CONFIRM}”"
    ]
    assert "you_said" not in errors
    page = response.text
    assert CONFIRM in page
    assert "Spell it out at first use: special educational needs and disabilities (SEND)" in page
    assert form_values(page)["we_did"] == COMPLEX

    response = client.post(you_said_url(cast), {**form_values(page), "confirm_wording": "on"})

    assert response.status_code == 302
    entry = YouSaidWeDid.objects.get()
    assert entry.history.get().history_change_reason == (
        f"Created; reading age {reading_age}, above 12: published after checking the wording"
    )


@pytest.mark.django_db
def test_an_unpublished_entry_is_saved_without_the_check(client, cast):
    client.force_login(cast.officer)
    data = you_said_data()
    del data["is_published"]
    assert client.post(you_said_url(cast), data).status_code == 302
    assert YouSaidWeDid.objects.get().history.get().history_change_reason == "Created"


@pytest.mark.django_db
def test_a_plain_published_entry_is_saved_with_its_reading_age(client, cast, settings):
    settings.PORTAL_TWO_PERSON_RULE = False  # one officer writes and publishes it
    client.force_login(cast.officer)
    response = client.post(you_said_url(cast), you_said_data(we_did=SIMPLE))
    assert response.status_code == 302
    reading_age = max(
        check_wording(SIMPLE).reading_age, check_wording("Nobody explained the wait.").reading_age
    )
    assert YouSaidWeDid.objects.get().history.get().history_change_reason == (
        f"Created; reading age {reading_age}"
    )


@pytest.mark.django_db
def test_editing_a_published_entry_without_changing_its_words_asks_nothing(client, cast, settings):
    settings.PORTAL_TWO_PERSON_RULE = False  # published as it was written...
    client.force_login(cast.officer)
    client.post(you_said_url(cast), {**you_said_data(), "confirm_wording": "on"})
    entry = YouSaidWeDid.objects.get()
    assert entry.is_published
    # ...and, with the rule on, its words unchanged stay public whoever saves it.
    settings.PORTAL_TWO_PERSON_RULE = True
    edit_url = reverse(
        "progress:you-said-edit", kwargs={"area_slug": cast.area.slug, "pk": entry.pk}
    )
    data = {**form_values(client.get(edit_url).text), "source": "Spring survey"}
    data["change_reason"] = "Named the survey"
    response = client.post(edit_url, data)
    assert response.status_code == 302
    assert entry.history.latest().history_change_reason == "Named the survey"


def plan_edit_url(cast):
    return reverse("actions:plan-edit", kwargs={"area_slug": cast.area.slug, "pk": cast.plan.pk})


@pytest.mark.django_db
def test_a_draft_plans_summary_is_saved_without_the_check(client, cast):
    client.force_login(cast.officer)
    page = client.get(plan_edit_url(cast)).text
    assert CONFIRM not in page
    data = {**form_values(page), "public_summary": COMPLEX, "change_reason": "Summary added"}
    assert client.post(plan_edit_url(cast), data).status_code == 302
    cast.plan.refresh_from_db()
    assert cast.plan.history.latest().history_change_reason == "Summary added"


@pytest.mark.django_db
def test_making_a_plan_public_checks_its_summary_for_families(client, cast):
    client.force_login(cast.officer)
    data = {
        **form_values(client.get(plan_edit_url(cast)).text),
        "status": Plan.Status.SUBMITTED,
        "public_summary": COMPLEX,
        "change_reason": "Sent to inspectors",
    }

    response = client.post(plan_edit_url(cast), data)

    assert response.status_code == 200
    reading_age = check_wording(COMPLEX).reading_age
    assert response.context["form"].errors["public_summary"] == [
        f"The summary for families has a reading age of {reading_age}, above the limit of 12. "
        f"Make it simpler, or tick “{CONFIRM}”"
    ]
    cast.plan.refresh_from_db()
    assert (cast.plan.status, cast.plan.version) == (Plan.Status.DRAFT, 1)
    assert form_values(response.text)["public_summary"] == COMPLEX
    assert "Check the wording" in response.text

    response = client.post(plan_edit_url(cast), {**data, "confirm_wording": "on"})

    assert response.status_code == 302
    cast.plan.refresh_from_db()
    assert cast.plan.status == Plan.Status.SUBMITTED
    assert cast.plan.history.latest().history_change_reason == (
        f"Sent to inspectors; reading age {reading_age}, above 12: "
        "published after checking the wording"
    )


@pytest.mark.django_db
def test_a_public_plan_with_a_plain_summary_saves_as_before(client, cast):
    client.force_login(cast.officer)
    data = {
        **form_values(client.get(plan_edit_url(cast)).text),
        "status": Plan.Status.SUBMITTED,
        "public_summary": SIMPLE,
        "change_reason": "Sent to inspectors",
    }
    assert client.post(plan_edit_url(cast), data).status_code == 302
    cast.plan.refresh_from_db()
    assert cast.plan.history.latest().history_change_reason == (
        f"Sent to inspectors; reading age {check_wording(SIMPLE).reading_age}"
    )


@pytest.mark.django_db
def test_adding_a_public_plan_checks_its_summary_too(client, cast):
    client.force_login(cast.officer)
    url = reverse("actions:plan-create", kwargs={"area_slug": cast.area.slug})
    data = {
        **form_values(client.get(url).text),
        "ref": "wsoa-2024-v2",
        "kind": Plan.Kind.WSOA,
        "responds_to": str(cast.plan.responds_to_id),
        "title": "Written statement of action, second version",
        "status": Plan.Status.SUBMITTED,
        "public_summary": COMPLEX,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "public_summary" in response.context["form"].errors
    assert not Plan.objects.filter(ref="wsoa-2024-v2").exists()

    response = client.post(url, {**data, "confirm_wording": "on"})

    assert response.status_code == 302
    plan = Plan.objects.get(ref="wsoa-2024-v2")
    assert plan.history.get().history_change_reason.startswith(
        f"Created; reading age {check_wording(COMPLEX).reading_age}, above 12"
    )


def test_an_email_address_counts_as_one_short_word():
    check = check_wording("Email send.team@testshire.gov.uk with questions.")
    assert check.words == 4
    assert "SEND" not in {term.term for term in check.terms}


@pytest.mark.parametrize(
    "text",
    ["a" * 50_000, "ABCDEFGHIJ" * 5_000, "(" * 20_000 + "XQZ", "x(" * 20_000, "a@" * 20_000],
)
def test_strange_long_text_does_not_hang_the_check(text):
    """No pattern in the check backtracks without end on text made to trip it.

    Not a speed target: such text takes milliseconds, and a pattern that
    backtracked would take hours, so the generous limit only tells a hang.
    """
    worker = threading.Thread(target=check_wording, args=(text,), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()


def test_an_abbreviation_added_to_the_word_list_with_a_glossary_entry_is_written_out_on_pages():
    """One list: the pages' acronyms are read from the check's word list (kit/jargon.txt)."""
    words = parse_word_list(
        "[abbreviations]\n"
        "XYZ, XyZ = extra young zone; extra-young zone | glossary: xyz | plural: extra young zones\n"
        "DoX = Department of X | glossary: dox | name\n"
        "QRS = quite rare service\n"
    )
    xyz, dox = acronyms_from(words)
    assert (xyz.short, xyz.long, xyz.anchor, xyz.plural) == (
        "XYZ",
        "extra young zone",
        "xyz",
        "extra young zones",
    )
    assert xyz.variants == ("XyZ",) and xyz.also_written == ("extra-young zone",)
    assert not xyz.proper and dox.proper
    # Without a glossary entry it is only checked, not written out on pages.
    assert "QRS" not in {a.short for a in acronyms_from(words)}
    # The pages' list is the project's word list's.
    assert acronyms_from(word_list()) == ACRONYMS
    assert {a.short for a in ACRONYMS} >= {"SEND", "EHCP", "DfE", "WSOA", "SENCO", "SENDCo"}


def test_the_check_knows_every_acronym_the_public_pages_write_out():
    """What the check accepts as explained is what the pages write out."""
    meanings = {}
    for abbreviation in plain_english.word_list().abbreviations:
        for spelling in abbreviation.spellings:
            meanings[spelling] = {plain_english._normalise(m) for m in abbreviation.meanings}
    missing = [
        acronym.short
        for acronym in ACRONYMS
        if plain_english._normalise(acronym.long) not in meanings.get(acronym.short, set())
    ]
    assert missing == []
