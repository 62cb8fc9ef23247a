from django import forms


class CaseForm(forms.Form):
    case_ref = forms.CharField(max_length=40, error_messages={"required": "Enter the case reference"})
    assessor = forms.CharField(required=False)


class UploadForm(forms.Form):
    file = forms.FileField(error_messages={"required": "Choose a CSV file to upload"})
