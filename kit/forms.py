"""The pieces every portal form is built from: GOV.UK layout, dates, reasons, versions.

Every field gets a label, a hint where it helps and its own GOV.UK-style
error messages ("Enter the due date"), never Django's defaults. Forms that
edit a record carry the version they were loaded at (for conflict checks)
and ask for the reason for the change, which goes into the history.
"""

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalRadios, Field, Layout, Size, Submit
from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors, is_checkboxes, is_radios
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import router

from .dates import PartialDate, PartialDateError, Precision


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
        # Phones show a number pad (GOV.UK date input pattern).
        for widget in self.widget.widgets:
            widget.attrs["inputmode"] = "numeric"

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
        except (ValueError, OverflowError):  # a 30-digit day is too big for C
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


def reference_field(what, example):
    """A record's short reference, unique within its area: lower-case letters, numbers, hyphens."""
    return forms.SlugField(
        label="Reference",
        max_length=40,
        help_text=(
            "Short and unique within the area, using lower-case letters, numbers and hyphens. "
            f"For example, {example}."
        ),
        error_messages=gov_errors(
            what,
            invalid=(
                "The reference must only include lower-case letters, numbers and hyphens, "
                f"like {example}"
            ),
            max_length="The reference must be 40 characters or fewer",
        ),
    )


def _refuse_huge_keys(field):
    """A choice posted as a number too big for the database is not one of the choices.

    (SQLite raises OverflowError looking a 26-digit id up, which Django does not catch.)
    """
    clean = field.clean

    def clean_refusing_overflow(value):
        try:
            return clean(value)
        except OverflowError:
            raise ValidationError(
                "Select one of the choices given", code="invalid_choice"
            ) from None

    field.clean = clean_refusing_overflow


class PortalFormMixin:
    """GOV.UK layout through crispy-forms-gds, with a single Save button."""

    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every text field with a limit says so plainly, unless it has its own message.
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                _refuse_huge_keys(field)
            if isinstance(field, forms.CharField) and field.max_length:
                label = str(field.label or name.replace("_", " ").capitalize())
                field.error_messages.setdefault(
                    "max_length",
                    f"{label} must be %(limit_value)s characters or fewer. "
                    "You have entered %(show_value)s.",
                )

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

    # Bounded, so a made-up huge number is a form error, not a database overflow.
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )
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


# Board record pages: dates known only to the month or year, and model forms
# whose model rules and database constraints show as errors on the right field.


class PartialDateField(forms.Field):
    """A date typed as YYYY-MM-DD, YYYY-MM or YYYY, cleaned to a PartialDate (or None).

    The form that uses it stores the date and its precision on the model
    (see RecordForm.partial_dates).
    """

    widget = forms.TextInput

    def __init__(self, *, what, required=False, **kwargs):
        self.what = what
        kwargs.setdefault(
            "help_text",
            "For example, 2018-03-12, or 2018-03 if only the month is known, "
            "or 2018 if only the year is known.",
        )
        super().__init__(required=required, **kwargs)
        self.error_messages = {"required": f"Enter {what}"}
        self.widget.attrs.setdefault("spellcheck", "false")

    @property
    def what_capitalised(self):
        return f"{self.what[0].upper()}{self.what[1:]}"

    def prepare_value(self, value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    def to_python(self, value):
        if value is None:
            return None
        if isinstance(value, PartialDate):
            return value
        text = str(value).strip()
        if not text:
            return None
        try:
            return PartialDate.parse(text)
        except PartialDateError as error:
            message = str(error)
            if message.startswith(text):
                message = f"{self.what_capitalised}{message[len(text) :]}"
            else:
                message = f"{self.what_capitalised} {message}"
            raise ValidationError(message, code="invalid") from None


class RecordForm(AuditedModelForm):
    """A board record's form: the model's rules and constraints end up on the right field.

    * ``scope_fields``: fields the view sets on the instance before the form
      is bound (its area, inspection, plan...). They are not typed, but are
      still checked, so that constraints such as "unique within the area"
      are checked before saving, not by the database.
    * ``partial_dates``: model date fields typed as YYYY-MM-DD, YYYY-MM or
      YYYY; the form sets the date and its ``<field>_precision``.
    * ``constraint_fields``: the field a constraint's message belongs to.
      By default a unique constraint's message goes on the last of its fields
      on the form (the reference, the number), any other on the whole form.
    """

    scope_fields = ()
    partial_dates = ()
    constraint_fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in self.partial_dates:
                value = getattr(self.instance, name, None)
                if value is not None:
                    precision = getattr(self.instance, f"{name}_precision", None) or Precision.DAY
                    self.initial[name] = PartialDate(value, precision).isoformat()

    def clean(self):
        cleaned = super().clean()
        for name in self.partial_dates:
            if name not in cleaned:
                continue
            value = cleaned[name]
            setattr(self.instance, f"{name}_precision", value.precision if value else Precision.DAY)
            cleaned[name] = value.date if value else None
        return cleaned

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        for name in self.scope_fields:
            field = self.instance._meta.get_field(name)
            if getattr(self.instance, field.attname, None) is not None:
                exclude.discard(name)
        return exclude

    def _update_errors(self, errors):
        # A model rule about a field that is not on the form is about the whole form.
        if hasattr(errors, "error_dict"):
            error_dict = {}
            for field, messages in errors.error_dict.items():
                if field != NON_FIELD_ERRORS and field not in self.fields:
                    field = NON_FIELD_ERRORS
                error_dict.setdefault(field, []).extend(messages)
            errors = ValidationError(error_dict)
        super()._update_errors(errors)

    def validate_constraints(self):
        exclude = self._get_validation_exclusions()
        using = router.db_for_write(type(self.instance), instance=self.instance)
        for model_class, constraints in self.instance.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self.instance, exclude=exclude, using=using)
                except ValidationError as error:
                    field = self._field_for_constraint(constraint)
                    if field is not None and field in self.errors:
                        continue  # the field already says what is wrong with it
                    self.add_error(field, error)

    def _field_for_constraint(self, constraint):
        if constraint.name in self.constraint_fields:
            return self.constraint_fields[constraint.name]
        on_form = [name for name in getattr(constraint, "fields", ()) if name in self.fields]
        return on_form[-1] if on_form else None


# The error summary: each link goes to the control that takes the answer.


def error_target(bound_field, field_id=None):
    """The id of the control an error summary link about ``bound_field`` should focus.

    crispy-forms-gds links a field's errors to its ``auto_id``. For most
    fields that is the input, but a GOV.UK date input's ``auto_id`` is the
    wrapper ``<div>`` (which cannot take focus) and radios and checkboxes are
    numbered from 1 (``id_audience_1``), so ``#id_audience`` goes nowhere.
    The link then goes to the first day box, or the first radio or checkbox.
    """
    field_id = field_id or bound_field.auto_id
    if field_id != bound_field.auto_id:
        return field_id  # already a part: "id_period_start_1" is the month box
    if is_radios(bound_field) or is_checkboxes(bound_field):
        # Radios with conditional reveals (ConditionalRadios) count from 0.
        first = 0 if bound_field.name in _conditional_radios(bound_field.form) else 1
        return f"id_{bound_field.html_name}_{first}"
    if isinstance(bound_field.field.widget, forms.MultiWidget):
        return f"{field_id}_0"
    return field_id


def _conditional_radios(form):
    helper = getattr(form, "helper", None)
    layout = getattr(helper, "layout", None)
    if layout is None:
        return set()
    return {item.field for item in layout.fields if isinstance(item, ConditionalRadios)}


def error_summary_links(form):
    """(target id, message) for every error on ``form``, in the order of its fields."""
    links = []
    visible = form.visible_fields()
    if visible:
        first = error_target(visible[0])
        links.extend((first, error) for error in form.non_field_errors())
    for bound_field in visible:
        for field_id, errors in field_errors(bound_field):
            target = error_target(bound_field, field_id)
            links.extend((target, error) for error in errors)
    return links
