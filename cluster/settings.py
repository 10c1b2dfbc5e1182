"""Production settings for the cluster's web nodes, but static files as they are in the
tree: the manifest storage needs a collectstatic (a minute of compressing) per checkout,
which nothing the cluster tests look at depends on."""

from newsportal.settings import *  # noqa: F403

STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
