"""Uploaded pictures: checked safely, then re-opened upright for re-encoding (Pillow).

Featured images (articles) and profile pictures (accounts) go through the same checks. An
upload is judged from its file header before any pixel is decoded, so a decompression bomb
(a tiny file that expands to gigabytes) is refused without ever being expanded.
"""

import warnings

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}


def _formats_text(formats) -> str:
    return get_text_list([FORMAT_NAMES.get(name, name) for name in formats], _("or"))


def image_file(value):
    """The readable file object behind an UploadedFile, FieldFile or plain file."""
    file = getattr(value, "file", value)
    if hasattr(value, "open") and getattr(value, "closed", False):
        value.open("rb")
        file = getattr(value, "file", value)
    return file


def image_validate(value, *, formats, max_bytes: int, max_pixels: int) -> None:
    """Refuse anything but a sane image in one of `formats`, with a message for the form."""
    size = getattr(value, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the largest we accept is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="image_too_large",
        )
    file = image_file(value)
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                _check_header(image, formats=formats, max_pixels=max_pixels)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image is far too large when decoded (a “decompression bomb”). Resize it."),
            code="image_bomb",
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("This file is not an image we can read. Upload a %(formats)s image.")
            % {"formats": _formats_text(formats)},
            code="image_invalid",
        ) from error
    finally:
        if hasattr(file, "seek"):
            file.seek(position)


def _check_header(image: Image.Image, *, formats, max_pixels: int) -> None:
    if image.format not in formats:
        raise ValidationError(
            _("Upload a %(formats)s image (this file is %(format)s).")
            % {"formats": _formats_text(formats), "format": image.format or _("unknown")},
            code="image_format",
        )
    width, height = image.size
    if width * height > max_pixels:
        raise ValidationError(
            _(
                "The image is %(width)s×%(height)s pixels, too many to process safely; "
                "the limit is %(limit)s megapixels. Resize it first."
            )
            % {"width": width, "height": height, "limit": max_pixels // 1_000_000},
            code="image_too_many_pixels",
        )


def image_upright(value) -> tuple[Image.Image, str | None]:
    """The decoded picture turned the way its camera meant, and its format.

    Re-encoding what this returns drops EXIF (camera, GPS position) and anything hidden
    after the image data, since only pixels are written back.
    """
    file = image_file(value)
    file.seek(0)
    with Image.open(file) as image:
        image_format = image.format
        upright = ImageOps.exif_transpose(image)
        upright.load()
    return upright, image_format
