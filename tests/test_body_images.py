"""Pictures from the body editor (upload, renditions on the page) and article galleries."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import roles
from articles.models import BodyImage, GalleryImage
from tests.factories import ArticleFactory, UserFactory
from tests.test_admin_articles import change_url, form_data
from tests.test_images import image_bytes, upload

pytestmark = pytest.mark.django_db

PICKER = reverse("admin:articles_article_body_images")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_picture(client, data=None, name="photo.jpg", **fields):
    payload = {"alt": "The new bridge at dusk", "caption": "", "credit": "", "callback": "3"}
    payload.update(fields)
    payload["image"] = upload(data or image_bytes((1800, 1200)), name)
    return client.post(PICKER + "?CKEditorFuncNum=3", payload)


def test_the_editor_offers_the_picker_for_pictures(editor_client):
    html = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert (
        "&quot;Figure&quot;:{&quot;pickerUrl&quot;:&quot;/admin/articles/article/body-images/&quot;}"
        in html
    )
    assert "&quot;Image&quot;:true" in html


def test_staff_upload_a_picture_which_gets_renditions_and_is_handed_back(editor_client, editor):
    response = post_picture(editor_client)
    assert response.status_code == 200
    upload_row = BodyImage.objects.get()
    assert upload_row.uploaded_by == editor
    assert upload_row.width == 1800
    assert set(upload_row.renditions["webp"]) == {"320", "640", "1024", "1600"}
    html = response.content.decode()
    assert 'data-callback="3"' in html
    assert f'data-url="{upload_row.image.url}"' in html and "data-chosen" in html
    assert "/static/js/body_image_picker.js" in html


def test_an_oversized_picture_is_refused_with_a_message(editor_client, settings):
    settings.ARTICLE_IMAGE_MAX_BYTES = 1000
    response = post_picture(editor_client)
    assert response.status_code == 400
    assert "the largest we accept is 1000" in response.content.decode()
    assert not BodyImage.objects.exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg"),
        (b"%PDF-1.4 not a picture", "photo.jpg"),
        (image_bytes((40, 40), "GIF"), "anim.gif"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused(editor_client, data, name):
    response = post_picture(editor_client, data, name)
    assert response.status_code == 400
    assert "Upload a JPEG, PNG or WebP image" in response.content.decode()
    assert not BodyImage.objects.exists()


def test_a_picture_without_alt_text_is_refused(editor_client):
    response = post_picture(editor_client, alt="")
    assert response.status_code == 400
    assert not BodyImage.objects.exists()


def test_readers_cannot_reach_the_picker(client):
    client.force_login(UserFactory())
    response = post_picture(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(UserFactory(is_staff=True))  # staff, but no right to articles
    assert post_picture(client).status_code == 403
    assert not BodyImage.objects.exists()


def test_an_upload_without_the_csrf_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert post_picture(client).status_code == 403
    assert not BodyImage.objects.exists()


def test_the_callback_number_is_never_echoed_unless_it_is_a_number(editor_client):
    html = editor_client.get(PICKER + '?CKEditorFuncNum="><script>').content.decode()
    assert 'data-callback=""' in html
    # The editor counts its callbacks down from -1.
    assert (
        'data-callback="-2"' in editor_client.get(PICKER + "?CKEditorFuncNum=-2").content.decode()
    )


def test_an_uploaded_picture_in_the_body_is_served_at_its_responsive_sizes(editor_client, client):
    post_picture(editor_client)
    picture = BodyImage.objects.get()
    article = ArticleFactory(
        body=f'<p>Before.</p><figure><img src="{picture.image.url}" alt="The bridge"><figcaption>'
        'At dusk</figcaption></figure><img src="https://elsewhere.example/x.jpg" alt="Other">'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<source type="image/webp" srcset="{picture.srcset_webp}"' in html
    assert 'width="1800" height="1200" alt="The bridge" loading="lazy"' in html
    assert "<figcaption>At dusk</figcaption>" in html
    # Pictures that are not our uploads stay as the editor put them.
    assert '<img src="https://elsewhere.example/x.jpg" alt="Other"' in html


# The gallery --------------------------------------------------------------------------------


def gallery_picture(article, position, caption, **kwargs):
    return GalleryImage.objects.create(
        article=article,
        image=upload(image_bytes((1200, 800)), f"g{position}.jpg"),
        alt=kwargs.pop("alt", f"Alt {caption}"),
        caption=caption,
        position=position,
        **kwargs,
    )


def test_the_gallery_shows_in_the_editors_order_with_captions_and_credits(client):
    article = ArticleFactory()
    gallery_picture(article, 2, "Third", credit="Ana Photo")
    gallery_picture(article, 0, "First")
    gallery_picture(article, 1, "Second")
    html = client.get(article.get_absolute_url()).content.decode()
    gallery = html[html.index('<section class="gallery"') :]
    assert gallery.index("First") < gallery.index("Second") < gallery.index("Third")
    assert "Photo: Ana Photo" in gallery
    assert 'alt="Alt First"' in gallery
    assert gallery.count('<source type="image/webp"') == 3


def test_an_article_without_a_gallery_shows_none(client):
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'class="gallery"' not in html


def test_editors_add_and_order_gallery_pictures_in_the_article_form(editor_client):
    article = ArticleFactory()
    page = editor_client.get(change_url(article))
    data = form_data(page)
    prefix = "gallery"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-0-position": "1",
            f"{prefix}-0-alt": "Crowd outside the town hall",
            f"{prefix}-0-caption": "Later",
            f"{prefix}-0-image": upload(image_bytes((900, 600)), "a.jpg"),
            f"{prefix}-1-position": "0",
            f"{prefix}-1-alt": "",
            f"{prefix}-1-caption": "Earlier",
            f"{prefix}-1-image": upload(image_bytes((900, 600)), "b.jpg"),
        }
    )
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200  # the second picture has no alt text
    assert not GalleryImage.objects.exists()

    data[f"{prefix}-1-alt"] = "The town hall in the morning"
    data[f"{prefix}-0-image"] = upload(image_bytes((900, 600)), "a.jpg")
    data[f"{prefix}-1-image"] = upload(image_bytes((900, 600)), "b.jpg")
    assert editor_client.post(change_url(article), data).status_code == 302
    assert [p.caption for p in article.gallery.all()] == ["Earlier", "Later"]
    assert all(p.renditions["jpeg"] for p in article.gallery.all())


def test_authors_may_use_the_picker_for_their_stories(client):
    user = roles.role_assign(user=UserFactory(), role=roles.AUTHOR)
    client.force_login(user)
    assert client.get(PICKER).status_code == 200
