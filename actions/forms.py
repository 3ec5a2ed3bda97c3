from django import forms

from inspections.forms_base import GovDateField, PortalFormMixin

from .models import DeliveryStatus, ImpactStatus


class ActionFilterForm(forms.Form):
    """My area's filters: read from the query string, so they work without JavaScript."""

    delivery = forms.ChoiceField(
        label="Delivery status", required=False, choices=[("", "Any"), *DeliveryStatus.choices]
    )
    impact = forms.ChoiceField(
        label="Impact status", required=False, choices=[("", "Any"), *ImpactStatus.choices]
    )
    finding = forms.TypedChoiceField(label="Finding", required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(
        label="Lead organisation", required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label="Only overdue actions", required=False)

    def __init__(self, *args, findings, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = [("", "Any")] + [
            (f.pk, f"{f.get_kind_display()} {f.number}: {f.short_text}") for f in findings
        ]
        self.fields["organisation"].choices = [("", "Any")] + [
            (o.pk, o.name) for o in organisations
        ]

    @property
    def active(self):
        return self.is_valid() and any(self.cleaned_data.values())


class AsAtForm(PortalFormMixin, forms.Form):
    submit_label = "Show the action on this date"

    as_at = GovDateField(
        what="the date",
        required=False,
        label="Date",
        help_text="For example, 31 3 2025",
    )
