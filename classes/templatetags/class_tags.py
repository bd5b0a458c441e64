from django import template

from core.phones import phone_masked

register = template.Library()


@register.filter
def masked_phone(phone: str) -> str:
    """Teachers see a learner's number only as its last four digits."""
    return phone_masked(phone)
