"""A picture's cost to decode is read from its header before any pixel is decoded: a small
file that declares too many pixels, too many bytes of them or too many frames is "too
large"; only what is not a picture at all is "not a picture"."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from classes.groups import media
from tests.classes.test_groups import jpeg_bytes, png_header

TOO_LARGE = "The picture has too many pixels. Please send an ordinary photo."
NOT_A_PICTURE = "Please send a photo (JPEG or PNG)."


def many_frames_gif(*, side: int, frames: int) -> bytes:
    """An animated GIF of `frames` one-pixel frames on a `side`×`side` screen: a few hundred bytes
    that a decoder would hold as side² bytes a frame."""
    pictures = [Image.new("P", (1, 1), number % 2) for number in range(frames)]
    for picture in pictures:
        picture.putpalette([0, 0, 0, 255, 255, 255])
    buffer = io.BytesIO()
    pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:], optimize=False)
    data = bytearray(buffer.getvalue())
    data[6:10] = side.to_bytes(2, "little") * 2  # the logical screen: width, height
    return bytes(data)


def refusal(data: bytes, name: str) -> ValidationError:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        media.picture_prepare(SimpleUploadedFile(name, data))
    return caught.value


@pytest.fixture
def nothing_decoded(monkeypatch):
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image.size) or original_load(image))
    return decoded


@pytest.mark.parametrize("data", [
    pytest.param(png_header(30_000, 30_000, bit_depth=1, colour_type=0), id="1-bit-png-past-pillows-bomb-error"),
    pytest.param(png_header(10_000, 10_000, bit_depth=1, colour_type=0), id="1-bit-png-in-pillows-bomb-warning"),
    pytest.param(png_header(7_000, 7_000, colour_type=6), id="rgba-png-under-the-pixel-cap-over-the-memory-budget"),
])
def test_a_png_that_declares_too_much_is_too_large_undecoded(data, nothing_decoded):
    error = refusal(data, "huge.png")
    assert (error.code, error.messages) == ("image_too_large", [TOO_LARGE])
    assert nothing_decoded == []


def test_a_gif_of_many_frames_under_the_pixel_cap_is_too_large_undecoded(nothing_decoded):
    data = many_frames_gif(side=4_000, frames=12)  # 16 MP a frame, 192 MB in all
    assert len(data) < 2_000
    error = refusal(data, "moving.gif")
    assert (error.code, error.messages) == ("image_too_large", [TOO_LARGE])
    assert nothing_decoded == []


def test_a_text_file_named_jpg_is_not_a_picture():
    error = refusal(b"Dear teacher, here is my homework.\n" * 20, "homework.jpg")
    assert (error.code, error.messages) == ("not_image", [NOT_A_PICTURE])


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size():
    decoded = []
    original_load = ImageFile.ImageFile.load

    def load(image):
        decoded.append(image.size)
        return original_load(image)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImageFile.ImageFile, "load", load)
        large, _thumbnail = media.picture_prepare(SimpleUploadedFile("wide.jpg", jpeg_bytes(size=(6400, 3200))))
    assert decoded[0] == (3200, 1600)  # half scale still fills the 1600-pixel copy
    assert Image.open(large).size == (1600, 800)
