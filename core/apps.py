from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """What every app uses: blocks, rate limits, time formatting, roles, phone numbers,
    log redaction and the socket frame base. It imports no other app of ours."""

    name = "core"

    def ready(self):
        # Imported here, as Django asks: the role groups need the auth models loaded.
        from core.roles import roles_ensure

        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="core.roles_ensure")
