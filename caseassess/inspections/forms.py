from django import forms

from caseassess.inspections.models import Programme
from caseassess.instruments.models import InstrumentVersion


class InspectionForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.all(), error_messages={"required": "Select the inspection programme"})
    name = forms.CharField(max_length=120, error_messages={"required": "Enter a name for the inspection"})
    area = forms.CharField(max_length=120, error_messages={"required": "Enter the Probation Trust or cluster of LDUs"})
    topic = forms.CharField(max_length=120, required=False)
    fieldwork_start = forms.DateField(error_messages={"required": "Enter the first day of fieldwork", "invalid": "Enter the first day of fieldwork as a real date, for example 2013-11-04"})
    fieldwork_end = forms.DateField(error_messages={"required": "Enter the last day of fieldwork", "invalid": "Enter the last day of fieldwork as a real date, for example 2013-11-08"})
    instrument = forms.ModelChoiceField(queryset=InstrumentVersion.objects.all(), error_messages={"required": "Select the instrument version"})

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        if data.get("fieldwork_start") and data.get("fieldwork_end") and data["fieldwork_end"] < data["fieldwork_start"]:
            self.add_error("fieldwork_end", "The last day of fieldwork must be on or after the first day")
        return data


class CaseForm(forms.Form):
    case_ref = forms.CharField(max_length=40, error_messages={"required": "Enter the case reference"})
    assessor = forms.CharField(required=False)


class UploadForm(forms.Form):
    file = forms.FileField(error_messages={"required": "Choose a CSV file to upload"})
