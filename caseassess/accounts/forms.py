from django import forms


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(max_length=256, widget=forms.PasswordInput)


class TokenForm(forms.Form):
    code = forms.CharField(max_length=20, required=False)

    def token(self) -> str | None:
        """The six digits, with spaces and dashes people type removed; None if malformed."""
        raw = (self.data.get("code") or "").replace(" ", "").replace("-", "")
        return raw if len(raw) == 6 and raw.isascii() and raw.isdigit() else None
