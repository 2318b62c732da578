from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from portal.accounts.actions import roles_sync_permissions

        # Permissions of models added by later migrations only exist after migrate, so the
        # groups are brought in step with ROLE_PERMISSIONS every time migrate finishes.
        post_migrate.connect(
            lambda **kwargs: roles_sync_permissions(), dispatch_uid="roles_sync_permissions", weak=False
        )
