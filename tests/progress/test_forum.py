"""The parent carer forum's voice: acknowledging and challenging published updates, and replies.

The forum's representative (Fay) may acknowledge or challenge only updates
the public can see, in the forum's name; only an officer may reply, in plain
English; nobody may change what either wrote; what they wrote is on the
public pages, in "You said, we did" and in the board pack, and nothing else
about them (who wrote it) is public.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.models import Plan
from inspections.models import Membership
from kit.versioning import EditConflict, save_with_history
from progress import forum
from progress.models import ForumReply, ForumResponse, ProgressReport, ProgressUpdate
from progress.reports import build_report_context, render_report_html
from public import selectors
from tests.cast import make_user
from tests.factories import make_action
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db

State = ProgressUpdate.State
Kind = ForumResponse.Kind
ACK, CHALLENGE = Kind.ACKNOWLEDGE, Kind.CHALLENGE
SIMPLE_REPLY = "We will open two new clinics in May. Families can book a visit online."
COMPLEX_REPLY = (
    "The local area partnership's strategic prioritisation of multi-agency co-production "
    "arrangements, notwithstanding considerable organisational restructuring, has facilitated "
    "the implementation of a comprehensive graduated approach framework."
)
CONFIRM = "Publish anyway: I have checked the wording"


def make_update(action, *, state=State.PUBLISHED, publish_at=None, quarter=1, **fields):
    start = datetime.date(2026, 3 * quarter - 2, 1)
    end = (start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    if state == State.PUBLISHED and publish_at is None:
        publish_at = timezone.now() - datetime.timedelta(hours=1)
    values = {
        "action": action,
        "period_start": start,
        "period_end": end,
        "delivery_status": "on_track",
        "impact_status": "some_evidence",
        "narrative": "INTERNAL-NARRATIVE: staffing risk discussed in confidence.",
        "public_summary": f"The new clinic opened for action {action.ref}.",
        "state": state,
        "publish_at": publish_at,
        **fields,
    }
    return ProgressUpdate.objects.create(**values)


@pytest.fixture
def world(cast):
    """Testshire's plan published, two published updates, and Fay, the forum's representative."""
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    cast.forum = make_user("fay", first_name="Fay", last_name="Forum")
    Membership.objects.create(user=cast.forum, area=cast.area, role=Membership.Role.FORUM)
    cast.second_action = make_action(
        plan=cast.plan, finding=cast.action.finding, lead=cast.council, ref="1.2"
    )
    cast.update = make_update(cast.action)
    cast.second_update = make_update(cast.second_action)
    return cast


def challenge(world, text="When will the waits come down?", update=None):
    return forum.respond(update or world.update, kind=CHALLENGE, text=text, by=world.forum)


def reply(world, item, text=SIMPLE_REPLY, by=None, **kwargs):
    kwargs.setdefault("expected_version", item.version)
    return forum.reply(item, text=text, by=by or world.officer, **kwargs)


def newest_history(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def page(response):
    return response.content.decode()


def visible_text(response):
    body = re.sub(r"<[^>]+>", " ", page(response))
    return " ".join(body.replace("&#x27;", "'").replace("&quot;", '"').split())


# Who may respond, and to what


def test_the_forum_acknowledges_a_published_update_with_an_optional_note(world):
    plain = forum.respond(world.update, kind=ACK, text="", by=world.forum)
    noted = forum.respond(
        world.second_update, kind=ACK, text="  We welcome the new clinic.  ", by=world.forum
    )
    assert (plain.kind, plain.text, plain.responded_by) == (ACK, "", world.forum)
    assert noted.text == "We welcome the new clinic."
    record = newest_history(noted)
    assert (record.history_user, record.history_change_reason) == (
        world.forum,
        "Acknowledged by the parent carer forum",
    )
    assert noted.version == 1


def test_the_forum_challenges_a_published_update_in_its_own_words(world):
    item = challenge(world, "Families still wait a year.\r\nWhen will that change?")
    assert item.kind == CHALLENGE
    assert item.text == "Families still wait a year.\nWhen will that change?"
    assert item.answered_at is None
    assert newest_history(item).history_change_reason == "Challenged by the parent carer forum"


@pytest.mark.parametrize("who", ["board_member", "officer", "area_admin", "outsider"])
def test_only_the_forums_representative_may_respond(world, who):
    for kind in (ACK, CHALLENGE):
        with pytest.raises(PermissionDenied):
            forum.respond(world.update, kind=kind, text="Why?", by=getattr(world, who))
    assert not ForumResponse.objects.exists()


def test_another_areas_forum_may_not_respond(world):
    elsewhere = make_user("fred")
    Membership.objects.create(user=elsewhere, area=world.other_area, role=Membership.Role.FORUM)
    with pytest.raises(PermissionDenied):
        forum.respond(world.update, kind=CHALLENGE, text="Why?", by=elsewhere)


@pytest.mark.parametrize(
    ("state", "when"),
    [
        (State.DRAFT, None),
        (State.SUBMITTED, None),
        (State.RETURNED, None),
        (State.APPROVED, None),
        (State.PUBLISHED, datetime.timedelta(days=1)),  # scheduled for tomorrow
    ],
)
def test_the_forum_cannot_respond_to_an_update_the_public_cannot_see_yet(world, state, when):
    fields = {"return_reason": "Add dates"} if state == State.RETURNED else {}
    update = make_update(
        world.action,
        state=state,
        quarter=2,
        publish_at=timezone.now() + when if when else None,
        **fields,
    )
    for kind in (ACK, CHALLENGE):
        with pytest.raises(ValidationError, match="once it is published"):
            forum.respond(update, kind=kind, text="Why?", by=world.forum)
    assert not ForumResponse.objects.exists()


def test_the_forum_cannot_respond_to_an_update_on_a_plan_still_being_written(world):
    world.plan.status = Plan.Status.DRAFT
    world.plan.save()
    with pytest.raises(ValidationError, match="once it is published"):
        challenge(world)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter your challenge"),
        ("   \r\n  ", "Enter your challenge"),
        ("a" * 1501, "Your challenge must be 1,500 characters or fewer"),
    ],
)
def test_a_challenge_must_say_something_and_be_short_enough(world, text, message):
    with pytest.raises(ValidationError) as error:
        challenge(world, text)
    assert error.value.message_dict == {"text": [message]}
    assert not ForumResponse.objects.exists()


def test_a_challenge_of_exactly_1500_characters_with_line_breaks_is_allowed(world):
    # Browsers send a line break as two characters; the forum sees one.
    text = ("a" * 99 + "\r\n") * 15
    assert len(text) == 1515
    item = challenge(world, text)
    assert len(item.text) == 1499


def test_a_note_with_an_acknowledgement_is_500_characters_or_fewer(world):
    with pytest.raises(ValidationError) as error:
        forum.respond(world.update, kind=ACK, text="a" * 501, by=world.forum)
    assert error.value.message_dict == {"text": ["Your note must be 500 characters or fewer"]}
    forum.respond(world.update, kind=ACK, text="a" * 500, by=world.forum)


def test_an_unknown_kind_of_response_is_refused(world):
    with pytest.raises(ValidationError, match="acknowledge or to challenge"):
        forum.respond(world.update, kind="complain", text="Why?", by=world.forum)


def test_the_forum_acknowledges_an_update_once(world):
    forum.respond(world.update, kind=ACK, text="", by=world.forum)
    with pytest.raises(ValidationError, match="already acknowledged"):
        forum.respond(world.update, kind=ACK, text="Again", by=world.forum)
    # A challenge is still possible: the forum may change its mind.
    challenge(world)


def test_one_open_challenge_per_update_until_the_board_replies(world):
    first = challenge(world)
    with pytest.raises(ValidationError, match="has not replied yet"):
        challenge(world, "And another thing")
    challenge(world, "On the other update", update=world.second_update)
    reply(world, first)
    second = challenge(world, "Thank you. But when exactly?")
    assert ForumResponse.objects.filter(update=world.update, kind=CHALLENGE).count() == 2
    assert second.answered_at is None


# The board's reply


def test_an_officer_replies_and_the_challenge_is_answered(world):
    item = challenge(world)
    answer = reply(world, item)
    item.refresh_from_db()
    assert item.answered_at == answer.replied_at
    assert item.version == 2
    assert (answer.text, answer.replied_by) == (SIMPLE_REPLY, world.officer)
    record = newest_history(answer)
    assert record.history_user == world.officer
    assert re.fullmatch(
        r"Board replied to the parent carer forum; reading age \d+", record.history_change_reason
    )
    assert newest_history(item).history_change_reason == "The board replied"


def test_an_area_administrator_may_reply_too(world):
    reply(world, challenge(world), by=world.area_admin)


@pytest.mark.parametrize("who", ["board_member", "forum", "outsider"])
def test_a_board_member_the_forum_or_an_outsider_may_not_reply(world, who):
    item = challenge(world)
    with pytest.raises(PermissionDenied):
        reply(world, item, by=getattr(world, who))
    assert not ForumReply.objects.exists()
    item.refresh_from_db()
    assert item.answered_at is None


def test_an_acknowledgement_gets_no_reply(world):
    ack = forum.respond(world.update, kind=ACK, text="", by=world.forum)
    with pytest.raises(ValidationError, match="challenges only"):
        reply(world, ack)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  ", "Enter the board’s reply"),
        ("a" * 1501, "The reply must be 1,500 characters or fewer"),
    ],
)
def test_a_reply_must_say_something_and_be_short_enough(world, text, message):
    item = challenge(world)
    with pytest.raises(ValidationError) as error:
        reply(world, item, text)
    assert error.value.message_dict == {"text": [message]}
    item.refresh_from_db()
    assert item.answered_at is None


def test_two_officers_replying_at_once_one_wins_the_other_gets_the_conflict(world):
    item = challenge(world)
    loaded_by_olivia = ForumResponse.objects.get(pk=item.pk)
    loaded_by_omar = ForumResponse.objects.get(pk=item.pk)
    reply(world, loaded_by_olivia, "Olivia's answer.", expected_version=loaded_by_olivia.version)
    with pytest.raises(EditConflict) as conflict:
        reply(
            world,
            loaded_by_omar,
            "Omar's answer.",
            by=world.second_officer,
            expected_version=loaded_by_omar.version,
        )
    assert {entry.who_name for entry in conflict.value.entries} == {"Olivia Officer"}
    assert list(ForumReply.objects.values_list("text", flat=True)) == ["Olivia's answer."]


def test_a_challenge_already_answered_is_not_answered_again(world):
    item = challenge(world)
    reply(world, item)
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="already replied"):
        reply(world, item, "Again.", expected_version=item.version)
    assert ForumReply.objects.count() == 1


def test_nobody_can_change_what_the_forum_or_the_board_wrote(world):
    item = challenge(world)
    answer = reply(world, item)
    item.refresh_from_db()
    item.text = "Words put in the forum's mouth"
    with pytest.raises(ValidationError, match="cannot be changed"):
        save_with_history(item, by=world.officer, reason="Tidied")
    answer.text = "A better answer, written later"
    with pytest.raises(ValidationError, match="cannot be changed"):
        save_with_history(answer, by=world.officer, reason="Tidied")
    item.refresh_from_db()
    answer.refresh_from_db()
    assert (item.text, answer.text) == ("When will the waits come down?", SIMPLE_REPLY)


def test_the_admin_shows_the_forums_words_and_the_reply_read_only(client, world):
    item = challenge(world)
    answer = reply(world, item)
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.org", "a-long-password-1")
    )
    for model, obj, fields in (
        (ForumResponse, item, {"text", "kind", "update", "responded_by"}),
        (ForumReply, answer, {"text", "challenge", "replied_by"}),
    ):
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        response = client.get(url)
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert not fields & set(form.fields)
        assert obj.text.split()[0] in page(response)


# The forum's pages


def forum_url(world):
    return reverse("progress:forum", args=[world.area.slug])


def respond_url(world, kind, update=None):
    return reverse(f"progress:forum-{kind}", args=[world.area.slug, (update or world.update).pk])


def test_the_forum_page_shows_published_updates_with_public_fields_only(client, world):
    make_update(world.action, state=State.DRAFT, quarter=2, public_summary="DRAFT-SUMMARY")
    make_update(
        world.action,
        quarter=3,
        publish_at=timezone.now() + datetime.timedelta(days=1),
        public_summary="SCHEDULED-SUMMARY",
    )
    client.force_login(world.forum)
    response = client.get(forum_url(world))
    assert response.status_code == 200
    text = visible_text(response)
    assert "The new clinic opened for action 1.1." in text
    assert "The new clinic opened for action 1.2." in text
    for hidden in ("INTERNAL-NARRATIVE", "DRAFT-SUMMARY", "SCHEDULED-SUMMARY"):
        assert hidden not in page(response)
    assert "in the forum’s name, not yours" in text
    # The forum's menu has its page, and none of the board's internal pages.
    nav = page(response).split('id="board-navigation"')[1].split("</ul>")[0]
    assert "Forum page" in nav
    for internal in (">My area<", ">My to-do<", ">Reports<", ">Forum challenges<"):
        assert internal not in nav


def test_the_forum_acknowledges_and_challenges_through_its_pages(client, world):
    client.force_login(world.forum)
    form = client.get(respond_url(world, "acknowledge"))
    assert form.status_code == 200
    assert "govuk-js-character-count" in page(form)
    response = client.post(
        respond_url(world, "acknowledge"), {"text": "Good to see the clinic open."}
    )
    assert response.status_code == 302
    assert response["Location"] == forum_url(world) + f"#update-{world.update.pk}"
    response = client.post(
        respond_url(world, "challenge", world.second_update),
        {"text": "Families still wait a year. When will that change?"},
        follow=True,
    )
    assert "You challenged the update on action 1.2." in visible_text(response)
    text = visible_text(response)
    assert "The parent carer forum acknowledged this update on" in text
    assert "“Good to see the clinic open.”" in text
    assert "“Families still wait a year. When will that change?”" in text
    assert "The board has not replied yet." in text
    # Each can be done once: the buttons go, and the addresses say so.
    assert respond_url(world, "acknowledge") not in page(response)
    assert respond_url(world, "challenge", world.second_update) not in page(response)
    again = client.get(respond_url(world, "acknowledge"), follow=True)
    assert "The forum has already acknowledged this update." in visible_text(again)
    assert ForumResponse.objects.count() == 2


def test_a_challenge_with_a_problem_shows_the_error_summary_and_keeps_the_text(client, world):
    client.force_login(world.forum)
    empty = client.post(respond_url(world, "challenge"), {"text": "  "})
    assert empty.status_code == 200
    assert "govuk-error-summary" in page(empty)
    assert "Enter your challenge" in page(empty)
    assert page(empty).count("Error:") >= 1
    long_text = "Why? " * 301
    too_long = client.post(respond_url(world, "challenge"), {"text": long_text})
    assert "Your challenge must be 1,500 characters or fewer" in page(too_long)
    assert form_values(page(too_long))["text"].strip() == long_text.strip()
    assert not ForumResponse.objects.exists()


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.SUBMITTED, State.APPROVED, "scheduled", "other-area"]
)
def test_the_forum_cannot_reach_an_update_the_public_cannot_see(client, world, state):
    if state == "other-area":
        update = make_update(world.other_action)
    elif state == "scheduled":
        update = make_update(
            world.action, quarter=2, publish_at=timezone.now() + datetime.timedelta(days=1)
        )
    else:
        update = make_update(world.action, state=state, quarter=2)
    client.force_login(world.forum)
    for kind in ("acknowledge", "challenge"):
        assert client.get(respond_url(world, kind, update)).status_code == 404
        assert client.post(respond_url(world, kind, update), {"text": "Why?"}).status_code == 404
    assert not ForumResponse.objects.exists()


def test_board_home_takes_the_forum_to_its_page(client, world):
    client.force_login(world.forum)
    response = client.get(reverse("board:home"))
    assert response["Location"] == forum_url(world)
    Membership.objects.create(
        user=world.forum, area=world.other_area, role=Membership.Role.BOARD_MEMBER
    )
    listed = client.get(reverse("board:home"))
    assert f'href="{forum_url(world)}"' in page(listed)
    assert f'href="{reverse("board:my-area", args=[world.other_area.slug])}"' in page(listed)


def test_an_area_administrator_grants_the_forum_role_from_the_members_page(client, world):
    make_user("pat", first_name="Pat", last_name="Parent")
    client.force_login(world.area_admin)
    url = reverse("inspections:member-add", args=[world.area.slug])
    form = client.get(url)
    assert "Parent carer forum representative" in page(form)
    assert "Cannot see the board’s internal pages." in page(form)
    response = client.post(url, {"username": "pat", "role": "forum", "change_reason": ""})
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="pat", area=world.area)
    assert membership.role == Membership.Role.FORUM
    members = client.get(reverse("inspections:members", args=[world.area.slug]))
    assert "Parent carer forum representative" in page(members)


# The board's pages


def test_the_action_page_shows_what_the_forum_said_with_a_reply_button_for_officers(client, world):
    item = challenge(world)
    forum.respond(world.update, kind=ACK, text="Thank you.", by=world.forum)
    action_url = reverse("board:action", args=[world.area.slug, world.action.pk])
    reply_url = reverse("progress:forum-reply", args=[world.area.slug, item.pk])
    client.force_login(world.officer)
    officer_page = client.get(action_url)
    text = visible_text(officer_page)
    assert "The parent carer forum challenged this update on" in text
    assert "Written by Fay Forum for the forum" in text
    assert reply_url in page(officer_page)
    client.force_login(world.board_member)
    member_page = client.get(action_url)
    assert "The parent carer forum acknowledged this update" in visible_text(member_page)
    assert reply_url not in page(member_page)


def test_the_board_lists_the_challenges_waiting_for_a_reply(client, world):
    waiting = challenge(world)
    answered = challenge(world, "Who checks the plans?", update=world.second_update)
    reply(world, answered, "The council's quality team checks them every month.")
    client.force_login(world.board_member)
    response = client.get(reverse("progress:forum-challenges", args=[world.area.slug]))
    text = visible_text(response)
    waiting_part, answered_part = text.split("Answered", 1)
    assert waiting.text in waiting_part and answered.text not in waiting_part
    assert "The board replied on" in answered_part
    assert "quality team checks them" in answered_part
    # Only an officer has the reply button.
    assert reverse("progress:forum-reply", args=[world.area.slug, waiting.pk]) not in page(response)


def reply_url(world, item):
    return reverse("progress:forum-reply", args=[world.area.slug, item.pk])


def test_an_officer_replies_through_the_reply_page(client, world):
    item = challenge(world)
    client.force_login(world.officer)
    form_page = client.get(reply_url(world, item))
    assert form_page.status_code == 200
    assert item.text in visible_text(form_page)
    values = form_values(page(form_page))
    values["text"] = SIMPLE_REPLY
    response = client.post(reply_url(world, item), values)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#update-{world.update.pk}")
    answer = ForumReply.objects.get()
    assert answer.text == SIMPLE_REPLY
    # Once answered, the reply page sends the officer back to the list.
    again = client.get(reply_url(world, item), follow=True)
    assert "The board has already replied to this challenge." in visible_text(again)


def test_a_reply_above_the_reading_age_limit_needs_the_box_ticked(client, world):
    item = challenge(world)
    client.force_login(world.officer)
    values = form_values(page(client.get(reply_url(world, item))))
    values["text"] = COMPLEX_REPLY
    refused = client.post(reply_url(world, item), values)
    assert refused.status_code == 200
    assert "above the limit of" in page(refused)
    assert CONFIRM in page(refused)
    assert 'id="wording-check"' in page(refused)
    assert not ForumReply.objects.exists()
    values = form_values(page(refused))
    values["confirm_wording"] = "on"
    assert client.post(reply_url(world, item), values).status_code == 302
    reason = newest_history(ForumReply.objects.get()).history_change_reason
    assert "published after checking the wording" in reason


def test_two_officers_on_the_reply_page_one_reply_is_published(client, world):
    item = challenge(world)
    client.force_login(world.officer)
    olivia = form_values(page(client.get(reply_url(world, item))))
    client.force_login(world.second_officer)
    omar = form_values(page(client.get(reply_url(world, item))))
    client.force_login(world.officer)
    olivia["text"] = "Olivia's plain answer."
    assert client.post(reply_url(world, item), olivia).status_code == 302
    client.force_login(world.second_officer)
    omar["text"] = "Omar's plain answer."
    response = client.post(reply_url(world, item), omar)
    assert response.status_code == 409
    text = visible_text(response)
    assert "Someone else replied to this challenge while you were writing." in text
    assert "Olivia Officer replied on" in text and "Olivia's plain answer." in text
    assert "Omar's plain answer." in text  # what he typed is not lost
    assert list(ForumReply.objects.values_list("text", flat=True)) == ["Olivia's plain answer."]


# The public pages


def finding_url(world):
    return reverse("public:area-finding", args=[world.area.slug, world.action.finding_id])


def you_said_url(world):
    return reverse("public:area-you-said", args=[world.area.slug])


def test_the_public_finding_page_shows_the_forums_responses_and_the_boards_replies(client, world):
    cache.clear()
    forum.respond(world.second_update, kind=ACK, text="", by=world.forum)
    item = challenge(world, "Families still wait a year.")
    text = visible_text(client.get(finding_url(world)))
    today = timezone.localdate().strftime("%-d %B %Y")
    assert f"The parent carer forum acknowledged this update on {today}." in text
    assert f"The parent carer forum challenged this update on {today}: “Families still wait" in text
    assert "The board has not replied yet." in text
    reply(world, item)
    text = visible_text(client.get(finding_url(world)))  # the save cleared the cache
    assert f"The board replied on {today}: “{SIMPLE_REPLY}”" in text
    assert "The board has not replied yet." not in text
    # Never who wrote them.
    for name in ("Fay", "Forum</", "Olivia"):
        assert name not in page(client.get(finding_url(world)))


def test_you_said_we_did_shows_the_forums_challenges_and_the_boards_replies(client, world):
    cache.clear()
    answered = challenge(world, "Letters about assessments are hard to read.")
    reply(world, answered, "We rewrote every letter with parents.")
    challenge(world, "Who answers the phone?", update=world.second_update)
    response = client.get(you_said_url(world))
    text = visible_text(response)
    assert "What the parent carer forum asked the board" in text
    first, second = text.index("Who answers the phone?"), text.index("Letters about")
    assert "Waiting for the board’s reply." in text[first:second]
    assert "We rewrote every letter with parents." in text[second:]
    assert "Nothing has been published here yet." not in text
    assert f"#action-{world.second_action.pk}" in page(response)


def test_a_response_on_an_update_not_yet_public_never_shows(client, world):
    """Made directly (the service refuses it): the public querysets still keep it out."""
    cache.clear()
    scheduled = make_update(
        world.action,
        quarter=2,
        publish_at=timezone.now() + datetime.timedelta(days=1),
        public_summary="SCHEDULED-SUMMARY",
    )
    draft = make_update(world.second_action, state=State.DRAFT, quarter=2)
    for update, marker in ((scheduled, "SOON-CHALLENGE"), (draft, "LEAK-CHALLENGE")):
        ForumResponse.objects.create(
            update=update, kind=CHALLENGE, text=marker, responded_by=world.forum
        )
    assert not ForumResponse.objects.public().exists()
    for url in (finding_url(world), you_said_url(world)):
        body = page(client.get(url))
        assert "SOON-CHALLENGE" not in body and "LEAK-CHALLENGE" not in body
    # Tomorrow the scheduled update, and the challenge on it, are public.
    tomorrow = timezone.now() + datetime.timedelta(days=2)
    public = ForumResponse.objects.public(tomorrow)
    assert list(public.values_list("text", flat=True)) == ["SOON-CHALLENGE"]
    assert selectors.forum_you_said_we_did(world.area, tomorrow)[0].you_said == "SOON-CHALLENGE"


def test_saving_a_response_or_a_reply_clears_the_cached_public_pages(client, world):
    cache.clear()
    assert "The parent carer forum" not in visible_text(client.get(finding_url(world)))
    item = challenge(world)
    assert "The parent carer forum challenged" in visible_text(client.get(finding_url(world)))
    reply(world, item)
    assert SIMPLE_REPLY in visible_text(client.get(finding_url(world)))


# Reports


def test_the_board_pack_lists_the_challenges_needing_a_reply(world):
    old = challenge(world, "Made before the period, still waiting.")
    ForumResponse.objects.filter(pk=old.pk).update(
        responded_at=timezone.now() - datetime.timedelta(days=200)
    )
    answered = challenge(world, "Answered in the period.", update=world.second_update)
    reply(world, answered, "We answered it.")
    today = timezone.localdate()
    context = build_report_context(
        world.plan,
        audience=ProgressReport.Audience.BOARD,
        period_start=today - datetime.timedelta(days=30),
        period_end=today,
    )
    assert [c.pk for c in context["forum"]["needing_reply"]] == [old.pk]
    assert [c.pk for c in context["forum"]["in_period"]] == [answered.pk]
    html = render_report_html(context)
    needing = html.split('id="forum-needing-reply"')[1].split("</section>")[0]
    assert "Made before the period, still waiting." in needing
    assert "Action 1.1 Action 1.1: update for" in needing
    assert "The board has not replied yet." in needing
    assert "We answered it." not in needing
    in_period = html.split('<section id="forum">')[1].split("</section>")[0]
    assert "The board replied on" in in_period and "We answered it." in in_period


def test_the_public_report_has_the_periods_challenges_and_never_the_board_pack_list(world):
    answered = challenge(world, "Answered in the period.")
    reply(world, answered, "We answered it.")
    today = timezone.localdate()
    context = build_report_context(
        world.plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=today - datetime.timedelta(days=30),
        period_end=today,
    )
    assert context["forum"]["needing_reply"] == []
    html = render_report_html(context)
    assert "forum-needing-reply" not in html
    assert "Answered in the period." in html and "We answered it." in html
    for name in ("Fay", "Olivia"):
        assert name not in html


def test_the_forum_page_asks_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.forum)
    client.get(forum_url(world))  # the session and the user, once
    for ref in ("1.3", "1.4", "1.5", "1.6"):
        action = make_action(
            plan=world.plan, finding=world.action.finding, lead=world.council, ref=ref
        )
        forum.respond(make_update(action), kind=ACK, text="", by=world.forum)
    with django_assert_max_num_queries(12):
        response = client.get(forum_url(world))
    assert visible_text(response).count("The parent carer forum acknowledged") == 4
