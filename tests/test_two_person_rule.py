"""The two-person rule for public text: whoever wrote it cannot also make it public.

A plan's summary for families, a board meeting's public summary and a "You
said, we did" entry each go public only when someone other than the people
who wrote or changed the text since it was last public publishes them. The
deployment may turn the rule off (``PORTAL_TWO_PERSON_RULE``).
"""

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from actions.models import Plan
from kit.versioning import save_with_history
from progress import publishing
from progress.models import BoardMeeting, YouSaidWeDid
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db

OLD = "The plan sets out how waiting times for assessments will come down."
NEW = "The plan sets out how families will hear back about assessments within six weeks."


def login(client, user):
    client.force_login(user)
    return client


def public_area_page(client, cast):
    client.logout()
    return client.get(reverse("public:area", kwargs={"slug": cast.area.slug})).text


# --- A plan's summary for families ------------------------------------------


def plan_edit_url(cast):
    return reverse("actions:plan-edit", kwargs={"area_slug": cast.area.slug, "pk": cast.plan.pk})


def publish_url(cast):
    return reverse(
        "actions:plan-summary-publish", kwargs={"area_slug": cast.area.slug, "pk": cast.plan.pk}
    )


def public_plan(cast, summary=OLD):
    plan = cast.plan
    plan.status = Plan.Status.PUBLISHED
    plan.public_summary = summary
    save_with_history(plan, by=None, reason="Imported")
    return plan


def edit_plan(client, cast, user, **changes):
    login(client, user)
    data = {
        **form_values(client.get(plan_edit_url(cast)).text),
        "change_reason": "Agreed at the board",
        **changes,
    }
    response = client.post(plan_edit_url(cast), data, follow=True)
    assert response.status_code == 200
    assert "govuk-error-summary" not in response.text, errors(response.text)
    return response.text


def errors(page):
    start = page.find("govuk-error-summary__list")
    return page[start : start + 1500]


def test_an_officer_who_changes_a_public_plans_summary_cannot_publish_it(client, cast):
    public_plan(cast)

    page = edit_plan(client, cast, cast.officer, public_summary=NEW)

    assert "You wrote or changed this plan’s summary for families" in page
    assert "another officer must publish it" in page
    plan = Plan.objects.get(pk=cast.plan.pk)
    assert (plan.public_summary, plan.summary_waiting) == (OLD, NEW)
    assert OLD in public_area_page(client, cast)
    assert NEW not in public_area_page(client, cast)

    login(client, cast.officer)
    review = client.get(publish_url(cast)).text
    assert "You wrote or changed this plan’s summary for families" in review
    assert "Publish the summary</button>" not in review
    assert client.post(publish_url(cast)).status_code == 403
    assert Plan.objects.get(pk=cast.plan.pk).public_summary == OLD


def test_a_second_officer_publishes_the_waiting_summary(client, cast):
    public_plan(cast)
    edit_plan(client, cast, cast.officer, public_summary=NEW)

    login(client, cast.second_officer)
    records = client.get(reverse("board:records", kwargs={"area_slug": cast.area.slug}))
    assert "New summary waiting to be published" in records.text
    assert publish_url(cast) in records.text
    assert "Publish the summary</button>" in client.get(publish_url(cast)).text
    response = client.post(publish_url(cast), follow=True)

    assert "Summary for families published." in response.text
    plan = Plan.objects.get(pk=cast.plan.pk)
    assert (plan.public_summary, plan.summary_waiting) == (NEW, "")
    latest = plan.history.first()
    assert latest.history_user == cast.second_officer
    assert latest.history_change_reason == "Summary for families published"
    assert NEW in public_area_page(client, cast)


def test_an_officer_who_edits_another_officers_summary_cannot_publish_it_either(client, cast):
    public_plan(cast)
    edit_plan(client, cast, cast.second_officer, public_summary=NEW)
    changed = NEW + " Each family gets a named contact."
    edit_plan(client, cast, cast.officer, public_summary=changed)

    assert Plan.objects.get(pk=cast.plan.pk).summary_waiting == changed
    login(client, cast.officer)
    assert client.post(publish_url(cast)).status_code == 403
    login(client, cast.second_officer)
    assert client.post(publish_url(cast)).status_code == 403  # they wrote it too
    login(client, cast.area_admin)
    client.post(publish_url(cast))

    assert Plan.objects.get(pk=cast.plan.pk).public_summary == changed


def test_saving_a_plan_without_touching_the_waiting_summary_does_not_publish_it(client, cast):
    public_plan(cast)
    edit_plan(client, cast, cast.officer, public_summary=NEW)

    edit_plan(client, cast, cast.second_officer, notes="Checked at the board.")

    plan = Plan.objects.get(pk=cast.plan.pk)
    assert (plan.public_summary, plan.summary_waiting, plan.notes) == (
        OLD,
        NEW,
        "Checked at the board.",
    )


def test_making_a_draft_plan_public_holds_back_the_summary_its_writer_wrote(client, cast):
    edit_plan(client, cast, cast.officer, public_summary=NEW)  # a draft: not public yet
    assert Plan.objects.get(pk=cast.plan.pk).public_summary == NEW

    page = edit_plan(client, cast, cast.officer, status=Plan.Status.PUBLISHED)

    assert "another officer must publish it" in page
    plan = Plan.objects.get(pk=cast.plan.pk)
    assert (plan.status, plan.public_summary, plan.summary_waiting) == ("published", "", NEW)
    assert NEW not in public_area_page(client, cast)


def test_a_second_officer_may_make_a_draft_plan_and_its_summary_public(client, cast):
    edit_plan(client, cast, cast.officer, public_summary=NEW)

    edit_plan(client, cast, cast.second_officer, status=Plan.Status.PUBLISHED)

    plan = Plan.objects.get(pk=cast.plan.pk)
    assert (plan.public_summary, plan.summary_waiting) == (NEW, "")
    assert NEW in public_area_page(client, cast)


def test_with_the_rule_off_an_officer_changes_a_public_summary_at_once(client, cast, settings):
    settings.PORTAL_TWO_PERSON_RULE = False
    public_plan(cast)

    page = edit_plan(client, cast, cast.officer, public_summary=NEW)

    assert "another officer must publish it" not in page
    plan = Plan.objects.get(pk=cast.plan.pk)
    assert (plan.public_summary, plan.summary_waiting) == (NEW, "")


# --- Board meetings and "You said, we did" ----------------------------------


@dataclass(frozen=True)
class Kind:
    model: type
    create: str
    edit: str
    text: dict  # the public text, as typed on the form
    other: dict  # the form's other fields
    change: str  # a text field to change
    checkbox_label: str


MEETING = Kind(
    model=BoardMeeting,
    create="progress:meeting-create",
    edit="progress:meeting-edit",
    text={"what_was_said": "Families asked for shorter waits.", "what_we_will_do": ""},
    other={
        "held_on_0": "14",
        "held_on_1": "5",
        "held_on_2": "2025",
        "title": "SEND improvement board",
        "internal_minutes": "",
    },
    change="what_was_said",
    checkbox_label="Publish the public summary",
)
YOU_SAID = Kind(
    model=YouSaidWeDid,
    create="progress:you-said-create",
    edit="progress:you-said-edit",
    text={"you_said": "Nobody explained the wait.", "we_did": "We now write to every family."},
    other={"heard_on_0": "10", "heard_on_1": "6", "heard_on_2": "2025", "source": "A survey"},
    change="we_did",
    checkbox_label="Publish this on the area’s public page",
)
KINDS = pytest.mark.parametrize("kind", [MEETING, YOU_SAID], ids=["meeting", "you-said"])


def create(client, cast, kind, user, *, publish):
    login(client, user)
    data = {**kind.other, **kind.text, **({"is_published": "on"} if publish else {})}
    return client.post(reverse(kind.create, kwargs={"area_slug": cast.area.slug}), data)


def edit_url(cast, kind, record):
    return reverse(kind.edit, kwargs={"area_slug": cast.area.slug, "pk": record.pk})


def edit(client, cast, kind, user, record, **changes):
    login(client, user)
    data = {
        **form_values(client.get(edit_url(cast, kind, record)).text),
        "change_reason": "Agreed at the board",
        **changes,
    }
    if changes.get("is_published") is None:
        data.pop("is_published", None)
    return client.post(edit_url(cast, kind, record), data)


@KINDS
def test_the_writer_cannot_publish_on_the_same_save(client, cast, kind):
    response = create(client, cast, kind, cast.officer, publish=True)

    assert response.status_code == 200
    page = response.text
    assert "govuk-error-summary" in page
    assert "so another officer must publish it" in page
    assert f"Untick “{kind.checkbox_label}” to save your changes" in page
    assert not kind.model.objects.exists()


@KINDS
def test_the_writer_sees_why_the_publish_box_is_disabled_and_a_second_officer_publishes(
    client, cast, kind
):
    assert create(client, cast, kind, cast.officer, publish=False).status_code == 302
    record = kind.model.objects.get()
    assert not record.is_published

    page = login(client, cast.officer).get(edit_url(cast, kind, record)).text
    box = page[page.index('name="is_published"') - 300 : page.index('name="is_published"') + 600]
    assert "disabled" in box
    assert "so another officer must publish it" in page

    forced = edit(client, cast, kind, cast.officer, record, is_published="on")
    assert forced.status_code == 302  # the disabled box keeps its value: nothing published
    record.refresh_from_db()
    assert not record.is_published

    published = edit(client, cast, kind, cast.second_officer, record, is_published="on")
    assert published.status_code == 302
    record.refresh_from_db()
    assert record.is_published
    assert record.history.first().history_user == cast.second_officer


@KINDS
def test_the_service_refuses_the_writer_even_if_the_form_is_bypassed(cast, kind):
    record = kind.model(area=cast.area, **_model_values(kind))
    save_with_history(record, by=cast.officer, reason="Created")
    record.is_published = True

    with pytest.raises(PermissionDenied, match="so another officer must publish it"):
        publishing.save_public_record(record, by=cast.officer, reason="Edited")
    record.refresh_from_db()
    assert not record.is_published


@KINDS
def test_an_officer_who_changes_anothers_text_cannot_publish_it_nor_can_the_first(
    client, cast, kind
):
    create(client, cast, kind, cast.second_officer, publish=False)
    record = kind.model.objects.get()

    tried = edit(
        client, cast, kind, cast.officer, record, **{kind.change: "Changed by A."},
        is_published="on",
    )  # fmt: skip
    assert tried.status_code == 200
    assert "so another officer must publish it" in tried.text
    record.refresh_from_db()
    assert not record.is_published and getattr(record, kind.change) != "Changed by A."

    edit(client, cast, kind, cast.officer, record, **{kind.change: "Changed by A."})
    record.refresh_from_db()
    assert getattr(record, kind.change) == "Changed by A."
    for writer in (cast.officer, cast.second_officer):
        edit(client, cast, kind, writer, record, is_published="on")
        record.refresh_from_db()
        assert not record.is_published

    edit(client, cast, kind, cast.area_admin, record, is_published="on")
    record.refresh_from_db()
    assert record.is_published


@KINDS
def test_changing_published_text_needs_a_second_person_again(client, cast, kind):
    create(client, cast, kind, cast.officer, publish=False)
    record = kind.model.objects.get()
    edit(client, cast, kind, cast.second_officer, record, is_published="on")
    record.refresh_from_db()
    assert record.is_published

    kept_ticked = edit(
        client, cast, kind, cast.second_officer, record, **{kind.change: "We now phone every family."},
        is_published="on",
    )  # fmt: skip
    assert kept_ticked.status_code == 200
    assert f"Untick “{kind.checkbox_label}”" in kept_ticked.text, errors(kept_ticked.text)

    edit(
        client,
        cast,
        kind,
        cast.second_officer,
        record,
        **{kind.change: "We now phone every family."},
    )
    record.refresh_from_db()
    assert not record.is_published
    # The one who published it last time and did not write this change may publish it now.
    edit(client, cast, kind, cast.officer, record, is_published="on")
    record.refresh_from_db()
    assert record.is_published and getattr(record, kind.change) == "We now phone every family."


@KINDS
def test_with_the_rule_off_the_writer_publishes_alone(client, cast, kind, settings):
    settings.PORTAL_TWO_PERSON_RULE = False

    assert create(client, cast, kind, cast.officer, publish=True).status_code == 302

    assert kind.model.objects.get().is_published


def _model_values(kind):
    if kind is MEETING:
        return {**kind.text, "held_on": datetime.date(2025, 5, 14)}
    return {**kind.text, "heard_on": datetime.date(2025, 6, 10), "source": "A survey"}


def test_an_officer_who_adds_a_public_plan_with_a_summary_leaves_it_waiting(client, cast):
    login(client, cast.officer)
    create_url = reverse("actions:plan-create", kwargs={"area_slug": cast.area.slug})
    data = {
        **form_values(client.get(create_url).text),
        "ref": "strategic-2025",
        "kind": Plan.Kind.WSOA,
        "responds_to": str(cast.plan.responds_to_id),
        "title": "A second plan",
        "status": Plan.Status.PUBLISHED,
        "public_summary": NEW,
        "change_reason": "Agreed at the board",
    }

    response = client.post(create_url, data, follow=True)

    assert "govuk-error-summary" not in response.text, errors(response.text)
    assert "another officer must publish it" in response.text
    plan = Plan.objects.get(ref="strategic-2025")
    assert (plan.public_summary, plan.summary_waiting) == ("", NEW)
