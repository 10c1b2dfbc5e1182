from api.views import api

# django-ninja's routes, under the namespace it reverses its own pages with (api:...).
app_name = "api"
urlpatterns = api.urls[0]
