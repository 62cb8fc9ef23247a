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


class UserCreateForm(forms.Form):
    """New account. Each field's check is the service's own (services.clean_*), so the
    page and create_user refuse the same things; all problems are listed at once."""

    username = forms.CharField(required=False, max_length=200)
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    email = forms.CharField(required=False, max_length=254)
    role = forms.CharField(required=False, max_length=40)

    def clean(self) -> dict:  # type: ignore[type-arg]
        from caseassess.accounts.services import AccountError, clean_email, clean_role, clean_username

        data = super().clean() or {}
        for name, check in (("username", clean_username), ("email", clean_email), ("role", clean_role)):
            try:
                data[name] = check(data.get(name, ""))
            except AccountError as exc:
                self.add_error(name, exc.message)
        return data


class RoleForm(forms.Form):
    role = forms.CharField(required=False, max_length=40)


class SetPasswordForm(forms.Form):
    password = forms.CharField(required=False, max_length=256, widget=forms.PasswordInput)
    confirm = forms.CharField(required=False, max_length=256, widget=forms.PasswordInput)
