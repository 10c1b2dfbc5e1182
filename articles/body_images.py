"""Pictures in the body: the editor inserts an upload's original; readers get renditions.

The body keeps the plain <img src> the editor wrote (so the editor shows it as is). When
the page is rendered, each image that is one of our uploads (BodyImage) gets its srcset
and size, found in one query for the whole body; other images stay as they are.
"""

import html
import re

from django.conf import settings
from django.utils.html import format_html

from articles.models import BodyImage

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"', re.IGNORECASE)
BODY_SIZES = "(max-width: 56rem) 100vw, 46rem"


def _uploaded_name(src: str) -> str | None:
    media = settings.MEDIA_URL
    if not src.startswith(media):
        return None
    return src[len(media) :]


def body_images_render(body: str) -> str:
    """Give each uploaded picture in ``body`` (sanitised HTML) its responsive renditions."""
    if settings.MEDIA_URL not in body:
        return body  # no upload of ours: no query
    tags = {match[0]: dict(_ATTRIBUTE.findall(match[0])) for match in _IMG.finditer(body)}
    names = {}
    for tag, attributes in tags.items():
        name = _uploaded_name(html.unescape(attributes.get("src", "")))
        if name:
            names[tag] = name
    if not names:
        return body
    uploads = {
        upload.image.name: upload
        for upload in BodyImage.objects.filter(image__in=set(names.values()))
    }

    def replace(match: re.Match) -> str:
        upload = uploads.get(names.get(match[0], ""))
        if upload is None or not upload.renditions:
            return match[0]
        alt = html.unescape(tags[match[0]].get("alt") or upload.alt)
        return picture_html(upload, alt=alt)

    return _IMG.sub(replace, body)


def picture_html(upload, *, alt: str, sizes: str = BODY_SIZES) -> str:
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
        ' loading="lazy" decoding="async"></picture>',
        upload.srcset_webp,
        sizes,
        upload.fallback_url,
        upload.srcset_jpeg,
        sizes,
        upload.width,
        upload.height,
        alt,
    )
