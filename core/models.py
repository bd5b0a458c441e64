"""The one table core keeps: the version of what the public pages show (core/pagecache.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicPagesVersion(models.Model):
    """A number that grows with every change a public page shows.

    In the database, not the cache: every server process and the worker bump and read the
    same number, whatever cache each of them has."""

    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("public pages version")

    def __str__(self):
        return str(self.version)
