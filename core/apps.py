from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """What every app uses: blocks, rate limits, time formatting, roles, phone numbers,
    log redaction and the socket frame base. It imports no other app of ours."""

    name = "core"

    def ready(self):
        # Imported here, as Django asks: the role groups need the auth models loaded.
        from core.inputs import converters_register
        from core.pagecache import pages_tree_watch
        from core.roles import roles_ensure

        # <id:…> in the apps' URLs: registered before any URLconf is read.
        converters_register()
        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="core.roles_ensure")
        pages_tree_watch()
