"""Featured images: validation (size, pixels, bombs, type), EXIF clean-up, renditions."""

import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import make_renditions, validate_image_upload
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def image_bytes(size=(800, 600), image_format="JPEG", color=(200, 40, 40), **save_options):
    out = io.BytesIO()
    mode = "RGBA" if image_format == "PNG" else "RGB"
    Image.new(mode, size, color).save(out, image_format, **save_options)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


class ImageForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "slug", "image", "image_alt"]


def form_errors(data: bytes, name="photo.jpg") -> list[str]:
    form = ImageForm(
        data={"title": "t", "slug": "t", "image_alt": "alt"},
        files={"image": upload(data, name)},
    )
    assert not form.is_valid()
    return form.errors["image"]


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted(image_format):
    form = ImageForm(
        data={"title": "t", "slug": "t", "image_alt": "alt"},
        files={"image": upload(image_bytes(image_format=image_format))},
    )
    assert form.is_valid(), form.errors


def test_a_file_over_the_size_limit_is_refused_with_a_clear_error(settings):
    settings.ARTICLE_IMAGE_MAX_BYTES = 10_000
    data = image_bytes(size=(1200, 900), quality=100)
    assert len(data) > 10_000
    with pytest.raises(ValidationError, match="largest we accept"):
        validate_image_upload(upload(data))


def test_too_many_pixels_is_refused_before_decoding(settings):
    settings.ARTICLE_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match="too many to process"):
        validate_image_upload(upload(image_bytes(size=(2000, 1000))))


def test_a_decompression_bomb_gets_a_form_error_not_a_crash():
    # 20,000 × 20,000 of one colour: a small PNG that would need 1.6 GB to decode.
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    data = out.getvalue()
    assert len(data) < 2_000_000
    errors = form_errors(data, "bomb.png")
    assert any("too many to process" in e or "decompression bomb" in e for e in errors)


@pytest.mark.parametrize(
    "data, name",
    [
        (image_bytes(image_format="GIF"), "anim.gif"),
        (image_bytes(image_format="BMP"), "old.bmp"),
        (b"<?php system($_GET['c']); ?>", "shell.jpg"),
        (b"%PDF-1.4 not an image", "doc.jpg"),
        (image_bytes()[:200], "truncated.jpg"),
    ],
)
def test_other_types_and_broken_files_are_refused(data, name):
    assert form_errors(data, name)


def test_validator_ignores_an_image_already_stored(section):
    article = ArticleFactory(category=section, image=upload(image_bytes()), image_alt="x")
    with article.image.storage.open(article.image.name, "wb") as stored:
        stored.write(b"no longer an image")
    article.refresh_from_db()

    # The same bytes as a new upload are refused; as the stored picture they are not looked at.
    with pytest.raises(ValidationError):
        validate_image_upload(upload(b"no longer an image"))
    validate_image_upload(article.image)


def exif_jpeg(orientation: int) -> bytes:
    image = Image.new("RGB", (400, 200), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SnoopCam"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0), 1: "N"}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_exif_orientation_is_applied_and_all_metadata_stripped(section):
    data = exif_jpeg(orientation=6)  # "rotate 90° clockwise to display"
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get(0x0112) == 6

    article = ArticleFactory(category=section, image=upload(data), image_alt="A test")

    with article.image.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (200, 400)
        assert not image.getexif()
        assert "exif" not in image.info
    assert (article.image_width, article.image_height) == (200, 400)
    assert b"SnoopCam" not in article.image.storage.open(article.image.name).read()


def test_renditions_are_made_in_the_widths_the_image_allows(section):
    article = ArticleFactory(
        category=section, image=upload(image_bytes(size=(1800, 1000))), image_alt="Wide"
    )
    index = article.image_renditions
    assert sorted(int(w) for w in index["webp"]) == [320, 640, 1024, 1600]
    assert sorted(int(w) for w in index["jpeg"]) == [320, 640, 1024, 1600]
    storage = article.image.storage
    with storage.open(index["webp"]["640"]) as file, Image.open(file) as image:
        assert image.format == "WEBP" and image.size == (640, 356)
    with storage.open(index["social"]) as file, Image.open(file) as image:
        assert image.size == (1200, 630) and image.format == "JPEG"


def test_a_small_image_is_never_scaled_up(section):
    index = make_renditions(
        ArticleFactory(
            category=section, image=upload(image_bytes(size=(500, 300))), image_alt="s"
        ).image.name
    )
    assert sorted(int(w) for w in index["webp"]) == [320, 500]


def test_transparent_png_renditions_are_flattened_for_jpeg(section):
    data = image_bytes(size=(700, 400), image_format="PNG", color=(0, 0, 0, 0))
    article = ArticleFactory(category=section, image=upload(data, "t.png"), image_alt="t")
    with article.image.storage.open(article.image_renditions["jpeg"]["640"]) as file:
        with Image.open(file) as image:
            assert image.mode == "RGB" and image.getpixel((5, 5)) == (255, 255, 255)


def test_article_page_serves_srcset_sizes_and_dimensions(client, section):
    article = ArticleFactory(
        category=section,
        image=upload(image_bytes(size=(1700, 900))),
        image_alt="Council chamber",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<source type="image/webp" srcset="' in html
    assert " 320w, " in html and " 1600w" in html
    assert 'sizes="' in html
    assert 'width="1700" height="900"' in html
    assert 'alt="Council chamber"' in html
    assert 'fetchpriority="high"' in html  # the lead image is above the fold
    assert '<meta property="og:image" content="http://127.0.0.1:8000/media/renditions/' in html


def test_images_further_down_the_page_load_lazily(client, section):
    for n in range(3):
        ArticleFactory(
            category=section, image=upload(image_bytes(size=(700, 400))), image_alt=f"a{n}"
        )
    html = client.get(section.get_absolute_url()).content.decode()
    assert html.count('loading="lazy"') >= 2
    assert html.count('fetchpriority="high"') == 1


def test_replacing_the_image_rebuilds_the_renditions(section):
    article = ArticleFactory(category=section, image=upload(image_bytes()), image_alt="a")
    first = article.image_renditions["source"]
    article.image = upload(image_bytes(size=(900, 500), color=(0, 200, 0)), "new.jpg")
    article.save()
    assert article.image_renditions["source"] != first
    assert article.image_renditions["width"] == 900
