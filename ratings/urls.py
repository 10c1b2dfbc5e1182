from django.urls import path

from ratings import views

app_name = "ratings"

urlpatterns = [
    path("<int:article_id>/", views.rate, name="rate"),
    path("<int:article_id>/remove/", views.remove, name="remove"),
    path("<int:article_id>/form/", views.rating_form, name="form"),
]
