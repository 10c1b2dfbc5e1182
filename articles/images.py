"""Featured images: upload validation, EXIF clean-up and responsive renditions (Pillow).

The checks and the upright re-opening are core.images', shared with profile pictures.
"""

import hashlib
import io
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from PIL import Image, ImageOps

from core.images import image_upright, image_validate

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (320, 640, 1024, 1600)
SOCIAL_SIZE = (1200, 630)
WEBP_QUALITY = 80
JPEG_QUALITY = 82


def validate_image_upload(value) -> None:
    """Refuse anything but a sane JPEG, PNG or WebP; usable as a model or form validator."""
    if not value:
        return
    if getattr(value, "_committed", False) and not hasattr(value, "content_type"):
        # An image already stored and processed earlier: nothing new to check.
        return
    image_validate(
        value,
        formats=ACCEPTED_FORMATS,
        max_bytes=settings.ARTICLE_IMAGE_MAX_BYTES,
        max_pixels=settings.ARTICLE_IMAGE_MAX_PIXELS,
    )


def clean_upload(value) -> tuple[ContentFile, int, int]:
    """Re-encode an upload upright and without metadata (EXIF can hold a GPS position).

    Returns the new file content and its width and height.
    """
    upright, image_format = image_upright(value)
    if image_format not in ACCEPTED_FORMATS:
        image_format = "JPEG"
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


def fallback_url(image, index: dict) -> str:
    """A middling JPEG for browsers that ignore srcset; the original if none."""
    jpegs = index.get("jpeg") or {}
    if not jpegs:
        return image.url if image else ""
    width = min(jpegs, key=lambda w: abs(int(w) - 1024))
    return image.storage.url(jpegs[width])


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
