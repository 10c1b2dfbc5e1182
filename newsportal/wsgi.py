import os

from django.core.wsgi import get_wsgi_application

from core.wsgi import refuse_unparseable_content_type

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsportal.settings")

application = refuse_unparseable_content_type(get_wsgi_application())
