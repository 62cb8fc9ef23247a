from __future__ import annotations

from typing import Any

from django import forms

from caseassess_core.sampling import SamplingDesign
from caseassess_core.sampling.caseload import PRINCIPAL_OFFENCES

OFFENCE_CHOICES = [(o, o.replace("_", " ").capitalize()) for o in sorted(PRINCIPAL_OFFENCES)]


class CaseloadForm(forms.Form):
    file = forms.FileField(error_messages={"required": "Choose the caseload extract (a CSV file) to upload"})


class DesignForm(forms.Form):
    size = forms.IntegerField(min_value=1, max_value=1000, error_messages={"required": "Enter the sample size", "invalid": "Enter the sample size as a whole number, for example 60", "min_value": "The sample size must be at least 1", "max_value": "The sample size must be 1000 or fewer"})
    reference_date = forms.DateField(error_messages={"required": "Enter the reference date", "invalid": "Enter the reference date as a real date, for example 2013-11-04"})
    min_months = forms.IntegerField(min_value=0, max_value=120, initial=6, error_messages={"required": "Enter the shortest time under supervision in months", "invalid": "Enter months as a whole number", "min_value": "Months cannot be negative"})
    max_months = forms.IntegerField(min_value=0, max_value=120, initial=9, error_messages={"required": "Enter the longest time under supervision in months", "invalid": "Enter months as a whole number", "min_value": "Months cannot be negative"})
    min_high_rosh = forms.IntegerField(min_value=0, initial=0, required=False, error_messages={"invalid": "Enter the minimum number of high RoSH cases as a whole number", "min_value": "The minimum cannot be negative"})
    min_unpaid_work_only = forms.IntegerField(min_value=0, initial=0, required=False, error_messages={"invalid": "Enter the minimum number of unpaid-work-only cases as a whole number", "min_value": "The minimum cannot be negative"})
    child_protection_cap = forms.IntegerField(min_value=0, required=False, error_messages={"invalid": "Enter the child protection cap as a whole number", "min_value": "The cap cannot be negative"})
    tolerance = forms.DecimalField(min_value=0, max_value=100, initial=5, max_digits=5, decimal_places=2, error_messages={"required": "Enter the tolerance in percentage points", "invalid": "Enter the tolerance as a number, for example 5", "min_value": "The tolerance cannot be negative", "max_value": "The tolerance must be 100 points or fewer"})
    principal_offences = forms.MultipleChoiceField(choices=OFFENCE_CHOICES, required=False)
    seed = forms.IntegerField(min_value=0, error_messages={"required": "Enter a seed (any whole number); the same seed draws the same cases", "invalid": "Enter the seed as a whole number", "min_value": "The seed cannot be negative"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("min_months") is not None and data.get("max_months") is not None and data["max_months"] < data["min_months"]:
            self.add_error("max_months", "The longest time under supervision must be at least the shortest")
        return data

    def design(self) -> SamplingDesign:
        d = self.cleaned_data
        return SamplingDesign(
            size=d["size"], reference_date=d["reference_date"], seed=d["seed"],
            min_months_supervised=d["min_months"], max_months_supervised=d["max_months"],
            min_high_rosh=d.get("min_high_rosh") or 0, min_unpaid_work_only=d.get("min_unpaid_work_only") or 0,
            child_protection_cap=d.get("child_protection_cap"), share_tolerance_points=float(d["tolerance"]),
            principal_offences=frozenset(d["principal_offences"]) if d.get("principal_offences") else None,
        )


class DoubleForm(forms.Form):
    MODES = [("number", "A number of cases"), ("percent", "A percentage of cases"), ("ticked", "The cases I tick")]
    second_assessor = forms.CharField(error_messages={"required": "Select the second assessor"})
    mode = forms.ChoiceField(choices=MODES, error_messages={"required": "Select how to choose the cases"})
    number = forms.IntegerField(min_value=1, required=False, error_messages={"invalid": "Enter the number of cases as a whole number", "min_value": "Enter at least 1 case"})
    percent = forms.DecimalField(min_value=1, max_value=100, required=False, max_digits=5, decimal_places=2, error_messages={"invalid": "Enter the percentage as a number, for example 10", "min_value": "Enter a percentage from 1 to 100", "max_value": "Enter a percentage from 1 to 100"})
    seed = forms.IntegerField(min_value=0, required=False, error_messages={"invalid": "Enter the seed as a whole number"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        if mode == "number" and data.get("number") is None and "number" not in self.errors:
            self.add_error("number", "Enter how many cases to double assess")
        if mode == "percent" and data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", "Enter the percentage of cases to double assess")
        return data
