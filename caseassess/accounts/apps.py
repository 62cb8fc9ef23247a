from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "caseassess.accounts"
    label = "accounts"
