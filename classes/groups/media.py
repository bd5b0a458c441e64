"""Pictures and voice messages for the learning groups, checked before anything is stored.

A phone photo of a painting arrives large, turned by its EXIF orientation and
carrying the place it was taken. We keep a re-encoded copy without any metadata,
turned the right way up, plus a thumbnail; anything that is not a picture, or is
too large to decode safely, is refused before Pillow decodes its pixels.
"""

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# A modern phone photo is 3–8 MB; twice that is surely not a photo.
IMAGE_MAX_BYTES = 15 * 1024 * 1024
# 50 megapixels covers every phone camera; beyond it a file is a decompression bomb.
IMAGE_MAX_PIXELS = 50_000_000
# Memory one picture may take to decode, all its frames together, per pixel allowed: a colour
# photo's worth. A small file can declare far more (a 1-bit PNG, a GIF of many frames).
DECODE_BYTES_PER_PIXEL = 3
# Bytes a decoded pixel takes in Pillow, by mode (a 1-bit pixel takes a byte); others take 4.
MODE_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "La": 2, "PA": 2, "I;16": 2, "I;16B": 2, "I;16L": 2,
              "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3}
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
LARGE_SIDE = 1600
THUMB_SIDE = 360
# Opus at the browser's default rate is ~4–6 KB a second; 60 s fits well within this.
VOICE_MAX_BYTES = 1024 * 1024
VOICE_MAX_SECONDS = 60
# What MediaRecorder and phones produce: WebM/Ogg (Opus), MP4/M4A (AAC), WAV, MP3.
VOICE_SIGNATURES = (
    (0, b"\x1aE\xdf\xa3", "webm"),
    (0, b"OggS", "ogg"),
    (4, b"ftyp", "m4a"),
    (0, b"RIFF", "wav"),
    (0, b"ID3", "mp3"),
)


def _encode(image: Image.Image, side: int, quality: int = 85) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side))
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=quality, optimize=True)  # no exif= argument: metadata is dropped
    return buffer.getvalue()


def _decoded_bytes(image: Image.Image) -> int:
    """What decoding the picture would take, read from its header: every frame of it."""
    return image.width * image.height * MODE_BYTES.get(image.mode, 4) * getattr(image, "n_frames", 1)


def _too_large() -> ValidationError:
    return ValidationError(_("The picture has too many pixels. Please send an ordinary photo."), code="image_too_large")


def _not_a_picture() -> ValidationError:
    return ValidationError(_("Please send a photo (JPEG or PNG)."), code="not_image")


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white paper: a plain convert("RGB") shows the
    hidden colour under it, often black, around a drawing scanned with a clear background."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


def picture_upright(upload, *, formats=IMAGE_FORMATS, max_pixels: int = IMAGE_MAX_PIXELS,
                    side: int = LARGE_SIDE) -> Image.Image:
    """The uploaded picture decoded, at most `side` pixels long, turned by its EXIF
    orientation and laid on white, or ValidationError. Its format is read from the content,
    whatever the file's name says."""
    try:
        # Pillow only warns between its own bomb limit and twice that; here it refuses.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:  # reads the header only
                if image.format not in formats:
                    raise _not_a_picture()
                if image.width * image.height > max_pixels:
                    raise _too_large()
                # A JPEG decodes at a half, quarter or eighth of its size when that still fills
                # the large copy: a 50-megapixel phone photo then costs ~9 MB, not 150.
                image.draft("RGB", (side, side))
                if _decoded_bytes(image) > max_pixels * DECODE_BYTES_PER_PIXEL:
                    raise _too_large()
                image.load()
                # Shrunk before it is turned upright and made RGB, so those copies are small;
                # the box is square, so turning it afterwards gives the same picture.
                image.thumbnail((side, side))
                return _on_white(ImageOps.exif_transpose(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _not_a_picture() from None


def picture_jpeg(image: Image.Image, *, side: int, quality: int) -> bytes:
    """A JPEG of an upright picture, with no metadata at all (no EXIF, no GPS)."""
    return _encode(image, side, quality)


def picture_prepare(upload) -> tuple[ContentFile, ContentFile]:
    """(large, thumbnail) JPEGs for an uploaded picture, or ValidationError."""
    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationError(_("The picture is too large. Please send a photo under 15 MB."), code="image_too_large")
    upright = picture_upright(upload)
    return (ContentFile(_encode(upright, LARGE_SIDE), name="picture.jpg"),
            ContentFile(_encode(upright, THUMB_SIDE), name="thumb.jpg"))


def voice_prepare(upload, seconds) -> tuple[ContentFile, int]:
    """The voice file as uploaded (if it is audio and short enough) and its length in seconds."""
    try:
        seconds = float(seconds)
    except (TypeError, ValueError):
        raise ValidationError(_("The voice message has no length."), code="bad_voice") from None
    if not 0 < seconds <= VOICE_MAX_SECONDS + 1:  # a second of grace for the recorder's timing
        raise ValidationError(_("A voice message can be at most 60 seconds."), code="voice_too_long")
    if upload.size > VOICE_MAX_BYTES:
        raise ValidationError(_("A voice message can be at most 60 seconds."), code="voice_too_long")
    head = upload.read(16)
    extension = next((ext for offset, magic, ext in VOICE_SIGNATURES if head[offset:offset + len(magic)] == magic), None)
    if extension is None or (extension == "wav" and b"WAVE" not in head):
        raise ValidationError(_("That is not a voice recording."), code="not_audio")
    upload.seek(0)
    return ContentFile(upload.read(), name=f"voice.{extension}"), max(1, round(seconds))
