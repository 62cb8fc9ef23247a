"""Forms of the set-up pages: what each field is and its message when missing or malformed.
The domain checks (period, allowed instruments, duplicates) are in ``setup``."""

from __future__ import annotations

from typing import Any

from django import forms

from caseassess.inspections.models import Area, MembershipRole
from caseassess.instruments.models import InstrumentVersion


def _date(what: str, example: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        required=required,
        error_messages={"required": f"Enter {what}", "invalid": f"Enter {what} as a real date, for example {example}"},
    )


class ProgrammeForm(forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter a name for the programme", "max_length": "The name must be 120 characters or fewer"})
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    period_start = _date("the first day of the programme", "2013-04-01")
    period_end = _date("the last day of the programme", "2017-03-31")
    instruments = forms.ModelMultipleChoiceField(
        queryset=InstrumentVersion.objects.order_by("-effective_from", "instrument_id"),
        error_messages={"required": "Select at least one instrument version the programme's inspections may use", "invalid_choice": "Select instrument versions from the list", "invalid_pk_value": "Select instrument versions from the list"},
    )
    retention_date = _date("the retention date", "2024-03-31", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", "The end of the programme must be on or after its start")
        return data


class AreaForm(forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter the name of the Probation Trust or region", "max_length": "The name must be 120 characters or fewer"})
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    leads = forms.CharField(required=False, max_length=2000)

    def lead_usernames(self) -> list[str]:
        raw = self.cleaned_data.get("leads") or ""
        return [u for u in (x.strip() for x in raw.replace("\n", ",").split(",")) if u]


class InspectionForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=None, error_messages={"required": "Select the inspection programme", "invalid_choice": "Select the inspection programme from the list"})  # type: ignore[arg-type]
    name = forms.CharField(max_length=120, error_messages={"required": "Enter a name for the inspection", "max_length": "The name must be 120 characters or fewer"})
    area = forms.ModelChoiceField(queryset=Area.objects.order_by("name"), error_messages={"required": "Select the area (Probation Trust or region)", "invalid_choice": "Select the area from the list"})
    topic = forms.CharField(max_length=120, required=False)
    fieldwork_start = _date("the first day of fieldwork", "2013-11-04")
    fieldwork_end = _date("the last day of fieldwork", "2013-11-08")
    instrument = forms.ModelChoiceField(queryset=InstrumentVersion.objects.filter(published=True), error_messages={"required": "Select the instrument version", "invalid_choice": "Select a published instrument version from the list"})
    lead = forms.CharField(required=False, max_length=150)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fieldwork_start") and data.get("fieldwork_end") and data["fieldwork_end"] < data["fieldwork_start"]:
            self.add_error("fieldwork_end", "The last day of fieldwork must be on or after the first day")
        return data

    def __init__(self, *args: Any, programmes: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        if editing:
            del self.fields["programme"]
            del self.fields["lead"]


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter the username of the person to add"})
    role = forms.ChoiceField(choices=MembershipRole.choices, error_messages={"required": "Select their role on this inspection", "invalid_choice": "Select lead inspector, assessor or analyst"})
