"""Learners: people who attend classes without an account or a password."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.models import register_snippet

from core.phones import phone_normalise


class DeviceKind(models.TextChoices):
    SMARTPHONE = "smartphone", _("Smartphone")
    TABLET = "tablet", _("Tablet")
    NONE = "none", _("No smart device")


class Learner(models.Model):
    """A person who attends classes. Learners have no password: they join through
    a personal link or the QR code on their printed card."""

    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(
        # Longer than the 11 digits stored, so a typed "+86 138 0013 8000" reaches clean() to be normalised.
        _("mobile phone"), max_length=20, unique=True, help_text=_("11-digit mainland mobile number.")
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    guardian_name = models.CharField(_("guardian's name"), max_length=60, blank=True, help_text=_("For children."))
    guardian_phone = models.CharField(_("guardian's mobile phone"), max_length=20, blank=True)
    device = models.CharField(_("device"), max_length=20, choices=DeviceKind.choices, default=DeviceKind.SMARTPHONE)
    needs_help = models.BooleanField(_("needs help to join"), default=False)
    created_at = models.DateTimeField(_("added on"), auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("phone"),
        FieldPanel("birth_year"),
        FieldRowPanel([FieldPanel("guardian_name"), FieldPanel("guardian_phone")]),
        FieldPanel("device"),
        FieldPanel("needs_help"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("learner")
        verbose_name_plural = _("learners")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        for field in ("phone", "guardian_phone"):
            value = getattr(self, field)
            if value:
                try:
                    setattr(self, field, phone_normalise(value))
                except ValidationError as error:
                    errors[field] = error
        if not (self.name or "").strip():
            errors["name"] = ValidationError(_("Please enter a name."))
        if errors:
            raise ValidationError(errors)


register_snippet(Learner)
