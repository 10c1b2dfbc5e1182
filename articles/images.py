"""Featured images: upload validation, EXIF clean-up and responsive renditions (Pillow).

Uploads are checked from the file header before any pixel is decoded, so a decompression
bomb (a tiny file that expands to gigabytes) is refused without ever being expanded.
"""

import hashlib
import io
import warnings
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (320, 640, 1024, 1600)
SOCIAL_SIZE = (1200, 630)
WEBP_QUALITY = 80
JPEG_QUALITY = 82


def max_upload_bytes() -> int:
    return getattr(settings, "ARTICLE_IMAGE_MAX_BYTES", 10 * 1024 * 1024)


def max_pixels() -> int:
    # 40 megapixels: larger than any newsroom camera's output, small enough to decode safely.
    return getattr(settings, "ARTICLE_IMAGE_MAX_PIXELS", 40_000_000)


def _open_file(value):
    """The readable file object behind an UploadedFile, FieldFile or plain file."""
    file = getattr(value, "file", value)
    if hasattr(value, "open") and getattr(value, "closed", False):
        value.open("rb")
        file = getattr(value, "file", value)
    return file


def validate_image_upload(value) -> None:
    """Refuse anything but a sane JPEG, PNG or WebP; usable as a model or form validator."""
    if not value:
        return
    if getattr(value, "_committed", False) and not hasattr(value, "content_type"):
        # An image already stored and processed earlier: nothing new to check.
        return
    size = getattr(value, "size", None)
    if size is not None and size > max_upload_bytes():
        raise ValidationError(
            _("The image is %(size)s; the largest we accept is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())},
            code="image_too_large",
        )
    file = _open_file(value)
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Upload a JPEG, PNG or WebP image (this file is %(format)s).")
                        % {"format": image_format or _("unknown")},
                        code="image_format",
                    )
                if width * height > max_pixels():
                    raise ValidationError(
                        _(
                            "The image is %(width)s×%(height)s pixels, too many to process "
                            "safely; the limit is %(limit)s megapixels. Resize it first."
                        )
                        % {
                            "width": width,
                            "height": height,
                            "limit": max_pixels() // 1_000_000,
                        },
                        code="image_too_many_pixels",
                    )
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image is far too large when decoded (a “decompression bomb”). Resize it."),
            code="image_bomb",
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG or WebP image."),
            code="image_invalid",
        ) from error
    finally:
        if hasattr(file, "seek"):
            file.seek(position)


def clean_upload(value) -> tuple[ContentFile, int, int]:
    """Re-encode an upload upright and without metadata (EXIF can hold a GPS position).

    Returns the new file content and its width and height.
    """
    file = _open_file(value)
    file.seek(0)
    with Image.open(file) as image:
        image_format = image.format if image.format in ACCEPTED_FORMATS else "JPEG"
        upright = ImageOps.exif_transpose(image)
        upright.load()
    if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    save_options = {"JPEG": {"quality": 90, "optimize": True}, "WEBP": {"quality": 90}}
    # A fresh image carries no info dict, so no EXIF, XMP or text chunks are written.
    fresh = Image.new(upright.mode, upright.size)
    fresh.paste(upright)
    if upright.mode == "P" and upright.getpalette():
        fresh.putpalette(upright.getpalette())
    fresh.save(out, image_format, **save_options.get(image_format, {}))
    return ContentFile(out.getvalue()), fresh.width, fresh.height


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency goes onto white, as a newspaper page would show it."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _store(storage, name: str, image: Image.Image, image_format: str) -> str:
    out = io.BytesIO()
    if image_format == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        _flatten(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(out.getvalue()))


def make_renditions(name: str, storage=None) -> dict:
    """Write the responsive renditions of the stored image ``name``; return their index.

    The index is stored on the article (``image_renditions``) so pages never touch storage.
    """
    storage = storage or default_storage
    with storage.open(name, "rb") as file, Image.open(file) as source:
        source.load()
        image = source if source.mode in ("RGB", "RGBA") else source.convert("RGBA")
    width, height = image.size
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:10]
    folder = f"renditions/{PurePosixPath(name).stem[:60]}-{digest}"
    largest = min(width, RENDITION_WIDTHS[-1])
    widths = sorted({w for w in RENDITION_WIDTHS if w < width} | {largest})
    index: dict = {"source": name, "width": width, "height": height, "webp": {}, "jpeg": {}}
    for target in widths:
        resized = image
        if target < width:
            resized = image.resize((target, round(height * target / width)), Image.LANCZOS)
        index["webp"][str(target)] = _store(storage, f"{folder}/{target}.webp", resized, "WEBP")
        index["jpeg"][str(target)] = _store(storage, f"{folder}/{target}.jpg", resized, "JPEG")
    social = ImageOps.fit(_flatten(image), SOCIAL_SIZE, Image.LANCZOS)
    index["social"] = _store(storage, f"{folder}/social.jpg", social, "JPEG")
    return index


def srcset(index: dict, kind: str, storage=None) -> str:
    storage = storage or default_storage
    entries = sorted(index.get(kind, {}).items(), key=lambda item: int(item[0]))
    return ", ".join(f"{storage.url(path)} {width}w" for width, path in entries)


class ValidatedImageFormField(forms.ImageField):
    """Runs our checks before Django's, so a bomb gets our message, not "not an image"."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_image_upload(data)
        return super().to_python(data)


class ArticleImageField(models.ImageField):
    """An ImageField whose form field refuses oversized and hostile uploads clearly."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ValidatedImageFormField, **kwargs})
