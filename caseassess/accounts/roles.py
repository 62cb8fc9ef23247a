"""Account roles in one place: what an administrator may give an account, and the words
shown for each. Per-inspection roles (lead inspector on one inspection, assessor on
another) live on the inspection membership (DESIGN.md); pages and commands that set an
account's role read ``account_role_choices`` so a narrower ``Role`` changes them all."""

from __future__ import annotations

from caseassess.accounts.models import Role

ADMINISTRATOR = Role.ADMINISTRATOR.value


def account_role_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Role.choices]


def account_role_values() -> list[str]:
    return [value for value, _ in account_role_choices()]


def account_role_label(value: str) -> str:
    return dict(account_role_choices()).get(value, value.replace("_", " ").capitalize())


def default_account_role() -> str:
    from caseassess.accounts.models import User

    return str(User._meta.get_field("role").default)
