import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Services' messages are asserted in English; pages choose their language per request."""
    with translation.override("en"):
        yield
