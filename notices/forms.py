from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from kit.forms import PortalFormMixin

from .kinds import BOARD_KINDS, about


class PreferencesForm(PortalFormMixin, forms.Form):
    """Which emails a person gets: one checkbox for each kind, each saying who gets it."""

    kinds = forms.MultipleChoiceField(
        label="Which emails do you want to get?",
        help_text="Untick any you do not want. You can change this at any time.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[Choice(kind.value, kind.label, hint=about(kind).sent_to) for kind in BOARD_KINDS],
        error_messages={"invalid_choice": "Select emails from the list"},
    )

    def build_helper(self):
        helper = super().build_helper()
        helper.layout = Layout(
            Field.checkboxes("kinds", legend_size=Size.MEDIUM, small=True),
            Submit("submit", "Save my choices"),
        )
        return helper
