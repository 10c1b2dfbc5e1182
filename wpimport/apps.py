from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WpimportConfig(AppConfig):
    name = "wpimport"
    verbose_name = _("WordPress import")
