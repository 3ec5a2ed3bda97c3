"""The forms of the parent carer forum's pages: a response to an update, and the board's reply."""

from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms

from kit.forms import PortalFormMixin
from kit.plain_english import CONFIRM_FIELD, CONFIRM_LABEL, confirm_field

from . import forum
from .models import (
    CHALLENGE_MAX_CHARACTERS,
    NOTE_MAX_CHARACTERS,
    REPLY_MAX_CHARACTERS,
    ForumResponse,
)


class ForumResponseForm(PortalFormMixin, forms.Form):
    """The forum acknowledges an update (an optional note) or challenges it (its words)."""

    text = forms.CharField(widget=forms.Textarea, required=False, strip=False)

    def __init__(self, *args, kind, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        if kind == ForumResponse.Kind.CHALLENGE:
            self.submit_label = "Publish the challenge"
            self.limit = CHALLENGE_MAX_CHARACTERS
            field.label = "Your challenge"
            field.help_text = (
                "What the forum wants the board to answer, in the forum’s words. Do not name "
                "or describe any child or family."
            )
        else:
            self.submit_label = "Acknowledge the update"
            self.limit = NOTE_MAX_CHARACTERS
            field.label = "A short note (optional)"
            field.help_text = (
                "For example, what the forum welcomes in the update. Do not name or describe "
                "any child or family."
            )

    def build_helper(self):
        helper = super().build_helper()
        helper.layout = Layout(
            Field.textarea("text", rows=6, max_characters=self.limit),
            Submit("submit", self.submit_label),
        )
        return helper

    def clean_text(self):
        text = forum.normalise(self.cleaned_data.get("text"))
        problem = forum.text_problem(self.kind, text)
        if problem:
            raise forms.ValidationError(problem)
        return text


class ForumReplyForm(PortalFormMixin, forms.Form):
    """The board's public reply to a challenge, checked for plain English before it is published.

    A reply with a reading age above the limit needs "Publish anyway: I have
    checked the wording" ticked; the box appears only then.
    """

    submit_label = "Publish the reply"

    text = forms.CharField(
        label="The board’s reply",
        help_text=(
            "Published on the area’s public page under the forum’s challenge, in the board’s "
            "name. Write in plain English for parents and carers, without names of children or "
            "families. It cannot be changed once published."
        ),
        widget=forms.Textarea,
        required=False,
        strip=False,
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=True, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[CONFIRM_FIELD] = confirm_field(required=False)
        self.fields["version"].error_messages = {
            "required": "This form is out of date. Go back, reload the page and try again.",
            "invalid": "This form is out of date. Go back, reload the page and try again.",
        }
        self.wording_checks = []
        self.wording_needs_confirmation = False

    def build_helper(self):
        helper = super().build_helper()
        items = [Field.textarea("text", rows=8, max_characters=REPLY_MAX_CHARACTERS)]
        if self.wording_needs_confirmation:
            items.append(Field(CONFIRM_FIELD))
        helper.layout = Layout(*items, Submit("submit", self.submit_label))
        return helper

    def clean_text(self):
        text = forum.normalise(self.cleaned_data.get("text"))
        problem = forum.reply_problem(text)
        if problem:
            raise forms.ValidationError(problem)
        return text

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text")
        if not text:
            return cleaned
        self.wording_checks = forum.reply_wording(text)
        above = [item for item in self.wording_checks if item.check.above_level]
        if not above:
            return cleaned
        self.wording_needs_confirmation = True
        self.fields[CONFIRM_FIELD].help_text = (
            "Tick this only if the wording cannot be simpler, for example when it quotes "
            "the forum’s own words."
        )
        if not cleaned.get(CONFIRM_FIELD):
            check = above[0].check
            self.add_error(
                "text",
                f"The reply has a reading age of {check.reading_age}, above the limit of "
                f"{check.level}. Make it simpler, or tick “{CONFIRM_LABEL}”",
            )
        return cleaned

    @property
    def wording_confirmed(self):
        return bool(self.is_bound and self.cleaned_data.get(CONFIRM_FIELD))
