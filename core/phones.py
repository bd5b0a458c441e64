"""Mainland China mobile numbers: what learners type, and the one form we store."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 11 ASCII digits starting 13–19: every mainland mobile number in service. [0-9], not \d,
# which also matches other scripts' digits: the stored form is one string per number.
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def _ascii_digits(text: str) -> str:
    """Any script's decimal digits as ASCII ones (full-width １, Arabic-Indic ٣, ...); NFKC
    first turns full-width ＋, －, （） and the ideographic space into their plain forms."""
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else char
        for char in unicodedata.normalize("NFKC", text)
    )


def phone_normalise(raw: str) -> str:
    """Return the 11-digit form of a mainland mobile number, or raise ValidationError.
    People type spaces, dashes, brackets, the +86 / 0086 prefix and digits of any script."""
    digits = re.sub(r"[\s\-()]", "", _ascii_digits(raw or ""))
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
