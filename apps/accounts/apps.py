from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        # Django reports logins only through these signals (the admin login included),
        # so the audit receivers live here; they call services and hold no logic.
        from apps.accounts import receivers  # noqa: F401
