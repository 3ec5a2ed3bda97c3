"""The kinds of email the portal sends: what each is called, who gets it and why.

``Kind`` is what an outbox row and a person's preference are about. ``ABOUT``
says, for each kind, who gets it and when, in the words of the "Email notices"
page and of each email's footer ("You got this email because ...").
"""

from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    UPDATE_SUBMITTED = "update_submitted", "An update is waiting for approval"
    UPDATE_RETURNED = "update_returned", "Your update needs changes"
    UPDATE_APPROVED = "update_approved", "Your update is approved"
    UPDATE_PUBLISHED = "update_published", "Your update is published"
    PUBLICATION_DONE = "publication_done", "A planned publication has happened"
    REPORT_READY = "report_ready", "A progress report is ready to check"
    FORUM_CHALLENGE = "forum_challenge", "The parent carer forum challenged an update"
    FORUM_REPLY = "forum_reply", "The board replied to the forum’s challenge"
    MEETING_REMINDER = "meeting_reminder", "Reminders before board meetings"
    OFFICER_DIGEST = "officer_digest", "A weekly list of what needs doing"
    PUBLIC_DIGEST = "public_digest", "News about an area's progress"
    SUBSCRIPTION_CONFIRM = "subscription_confirm", "Confirm your subscription"


@dataclass(frozen=True)
class About:
    sent_to: str  # who gets it, for the preferences page
    because: str  # ends "You got this email because ..." in the email's footer
    board: bool = True  # a board member or officer may turn it on or off on the preferences page


ABOUT = {
    Kind.UPDATE_SUBMITTED: About(
        "Officers and area administrators, when someone sends an update for approval. "
        "You do not get one for an update you sent yourself.",
        "you are an officer in this area and an update is waiting for approval",
    ),
    Kind.UPDATE_RETURNED: About(
        "The person who wrote the update, when an officer sends it back with a reason.",
        "you wrote this update and an officer sent it back",
    ),
    Kind.UPDATE_APPROVED: About(
        "The person who wrote the update, when an officer approves it.",
        "you wrote this update and an officer approved it",
    ),
    Kind.UPDATE_PUBLISHED: About(
        "The person who wrote the update, when an officer publishes it or sets a time to publish it.",
        "you wrote this update and an officer published it",
    ),
    Kind.PUBLICATION_DONE: About(
        "The person who wrote the update and the officer who approved it, "
        "when an update set to go out later is on the public site.",
        "you wrote or approved this update and it was set to go out later",
    ),
    Kind.REPORT_READY: About(
        "The officer who asked for a progress report, when it is ready to check.",
        "you asked for this progress report",
    ),
    Kind.FORUM_CHALLENGE: About(
        "Officers and area administrators, when the parent carer forum challenges "
        "a published update. The board must reply.",
        "you are an officer in this area and the parent carer forum challenged an update",
    ),
    Kind.FORUM_REPLY: About(
        "The parent carer forum's representative who challenged an update, when the board replies.",
        "you challenged this update for the parent carer forum",
    ),
    Kind.MEETING_REMINDER: About(
        "Board members and officers, before a board meeting, with the actions due an update.",
        "you are on the board in this area and a board meeting is coming up",
    ),
    Kind.OFFICER_DIGEST: About(
        "Officers and area administrators, once a week, with what needs doing.",
        "you are an officer in this area",
    ),
    Kind.PUBLIC_DIGEST: About(
        "People who signed up on the public site for news about an area.",
        "you signed up for news about this area",
        board=False,
    ),
    Kind.SUBSCRIPTION_CONFIRM: About(
        "People who sign up on the public site, to check the email address is theirs.",
        "someone asked for news about this area to be sent to this address",
        board=False,
    ),
}

# The kinds a signed-in person chooses on the "Email notices" page, in its order.
BOARD_KINDS = [kind for kind in Kind if ABOUT[kind].board]

# Kinds that are sent whatever a preference says (asked for there and then).
ALWAYS_SENT = frozenset({Kind.SUBSCRIPTION_CONFIRM})


def about(kind):
    return ABOUT[Kind(kind)]
