import pytest
from django.core.exceptions import ValidationError

from core.phones import phone_masked, phone_normalise


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000",
                                   "008613800138000", "１３８００１３８０００", "＋８６ １３８－００１３－８０００",
                                   "（138）0013 8000", "١٣٨٠٠١٣٨٠٠٠", "१३८००१३८०००"])
def test_common_ways_of_typing_a_mobile_number_are_normalised(typed):
    assert phone_normalise(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["", "12345", "12800138000", "1380013800", "138001380001", "abc", "010-65123456"])
def test_numbers_that_are_not_mainland_mobiles_are_refused(typed):
    with pytest.raises(ValidationError):
        phone_normalise(typed)


def test_masked_number_shows_only_the_last_four_digits():
    assert phone_masked("13800138000") == "*******8000"
