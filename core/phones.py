"""Mainland China mobile numbers: what learners type, and the one form we store."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 11 digits starting 13–19: every mainland mobile number in service.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# People type spaces, dashes, full-width digits and the +86 / 0086 prefix.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")


def phone_normalise(raw: str) -> str:
    """Return the 11-digit form of a mainland mobile number, or raise ValidationError."""
    digits = re.sub(r"[\s\-()（）]", "", (raw or "").translate(FULL_WIDTH_DIGITS))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    if not MOBILE_RE.match(digits):
        raise ValidationError(
            _("Please enter an 11-digit mobile number, for example 138 0013 8000."), code="invalid_phone"
        )
    return digits


def phone_masked(phone: str) -> str:
    """Show only the last four digits, for pages where others might see the number."""
    return f"*******{phone[-4:]}" if phone else ""
