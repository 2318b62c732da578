from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from portal.accounts.actions import roles_sync_permissions

        # Permissions of models added by later migrations only exist after migrate, so the
        # groups are brought in step with ROLE_PERMISSIONS every time migrate (or a flush)
        # finishes: post_migrate comes once per app, in order, so on the last app's, when every
        # app's permissions are there, and once rather than once per app.
        def sync(sender, **kwargs) -> None:
            last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
            if sender.label == last.label:
                roles_sync_permissions()

        post_migrate.connect(sync, dispatch_uid="roles_sync_permissions", weak=False)
