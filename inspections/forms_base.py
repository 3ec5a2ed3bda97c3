"""The pieces every portal form is built from: GOV.UK layout, dates, reasons, versions.

Every field gets a label, a hint where it helps and its own GOV.UK-style
error messages ("Enter the due date"), never Django's defaults. Forms that
edit a record carry the version they were loaded at (for conflict checks)
and ask for the reason for the change, which goes into the history.
"""

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError


class GovDateField(DateInputField):
    """A GOV.UK date input whose messages name the date ("Enter the due date")."""

    def __init__(self, *, what, required=True, **kwargs):
        self.what = what
        super().__init__(required=required, **kwargs)
        self.require_all_fields = False
        self.error_messages = {
            "required": f"Enter {what}",
            "incomplete": f"Enter {what}",
            "invalid": f"{what[0].upper()}{what[1:]} must be a real date",
        }
        for part, name in zip(self.fields, ("a day", "a month", "a year"), strict=True):
            part.required = required
            part.error_messages = {
                "incomplete": f"{what[0].upper()}{what[1:]} must include {name}",
                "required": f"{what[0].upper()}{what[1:]} must include {name}",
            }
            part.validators = []

    def compress(self, data_list):
        day, month, year = data_list
        if not (day or month or year):
            return None
        message = self.error_messages["invalid"]
        try:
            day, month, year = int(day), int(month), int(year)
        except (TypeError, ValueError):
            raise ValidationError(message, code="invalid") from None
        if not 1900 <= year <= 2200:
            raise ValidationError(
                f"{self.what[0].upper()}{self.what[1:]} must have a 4-digit year, like 2026",
                code="invalid",
            )
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(message, code="invalid") from None


def gov_errors(what, *, required=None, invalid=None, max_length=None):
    """Error messages for a text or choice field, in GOV.UK style."""
    messages = {"required": required or f"Enter {what}"}
    if invalid:
        messages["invalid"] = invalid
        messages["invalid_choice"] = invalid
    if max_length:
        messages["max_length"] = max_length
    return messages


class PortalFormMixin:
    """GOV.UK layout through crispy-forms-gds, with a single Save button."""

    submit_label = "Save"

    def build_helper(self):
        helper = FormHelper()
        helper.form_tag = False
        # Templates write their own <form> and {% csrf_token %}.
        helper.disable_csrf = True
        helper.label_size = Size.SMALL
        helper.legend_size = Size.SMALL
        fields = [Field(name) for name in self.fields if name not in ("version",)]
        helper.layout = Layout(*fields, Submit("submit", self.submit_label))
        return helper

    @property
    def helper(self):
        if not hasattr(self, "_helper"):
            self._helper = self.build_helper()
        return self._helper


class AuditedModelForm(PortalFormMixin, forms.ModelForm):
    """A model form that records why and refuses to overwrite someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label="Reason for this change",
        help_text="Kept in the history with your name, for example “Dates agreed at the board”.",
        max_length=500,
        error_messages=gov_errors(
            "the reason for this change",
            max_length="The reason must be 500 characters or fewer",
        ),
    )

    def __init__(self, *args, area=None, **kwargs):
        self.area = area
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new record's history says it was created; no reason needed.
            self.fields["change_reason"].required = False
            self.fields["change_reason"].help_text = "Optional. Kept in the history with your name."
        else:
            self.fields["version"].required = True
            self.fields["version"].error_messages = {
                "required": "This form is out of date. Go back, reload the page and try again.",
                "invalid": "This form is out of date. Go back, reload the page and try again.",
            }
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        # The reason belongs at the end, just above the button.
        self.fields["change_reason"] = self.fields.pop("change_reason")
        self.fields["version"] = self.fields.pop("version")

    @property
    def loaded_version(self):
        value = self.cleaned_data.get("version")
        return value if value is not None else self.instance.version

    def reason(self, default):
        return self.cleaned_data.get("change_reason") or default
