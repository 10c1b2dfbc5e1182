from django.urls import path

from liveblog import views

app_name = "liveblog"

urlpatterns = [
    path("live/<int:pk>/entries", views.entries, name="entries"),
]
