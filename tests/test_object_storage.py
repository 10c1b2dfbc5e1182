"""Media in an S3-compatible object store (S3_BUCKET): a real S3 API (moto's server on a free
port) takes the uploads and renditions, and pages point readers at the store's URLs."""

import json
import subprocess
import sys
import urllib.request

import boto3
import pytest

from tests.factories import ArticleFactory
from tests.proxy_servers import ROOT
from tests.servers import s3_server  # noqa: F401 (a fixture)
from tests.test_images import image_bytes, upload

pytestmark = pytest.mark.django_db
BUCKET = "newsportal-media"


@pytest.fixture
def store(s3_server, settings, monkeypatch):  # noqa: F811
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    # Readers fetch media without credentials: the bucket is public to read, as in production.
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read))
    media_url = f"{s3_server.url}/{BUCKET}/"
    settings.MEDIA_URL = media_url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server.url,
                "querystring_auth": False,
                "file_overwrite": False,
                "custom_domain": f"127.0.0.1:{s3_server.port}/{BUCKET}",
                "url_protocol": "http:",
            },
        },
    }
    yield client, media_url
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket_policy(Bucket=BUCKET)
    client.delete_bucket(Bucket=BUCKET)


def test_an_upload_and_its_renditions_go_to_the_store_and_are_served_from_it(store, client):
    s3, media_url = store
    article = ArticleFactory(image=upload(image_bytes(size=(1700, 900))), image_alt="Quay")

    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert article.image.name in keys
    renditions = article.image_renditions
    assert {renditions["webp"]["640"], renditions["jpeg"]["1600"], renditions["social"]} <= keys

    html = client.get(article.get_absolute_url()).content.decode()
    url = f"{media_url}{renditions['webp']['640']}"
    assert f"{url} 640w" in html
    # The social image is already absolute: it must not get the site's address in front.
    assert f'<meta property="og:image" content="{media_url}{renditions["social"]}"' in html
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.status == 200
        assert response.read()[:4] == b"RIFF"  # a WebP file


def test_the_content_security_policy_allows_images_from_the_media_host():
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.MEDIA_URL, settings.STORAGES['default'], "
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",
        "DJANGO_SETTINGS_MODULE": "newsportal.settings",
        "S3_BUCKET": "media",
        "S3_ENDPOINT_URL": "https://objects.example.net",
        "MEDIA_URL": "https://cdn.example.net/media/",
    }
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    media_url, storage, img_src = json.loads(done.stdout)
    assert media_url == "https://cdn.example.net/media/"
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["custom_domain"] == "cdn.example.net/media"
    assert storage["OPTIONS"]["url_protocol"] == "https:"
    assert "https://cdn.example.net" in img_src
