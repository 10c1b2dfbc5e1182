from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("article/<int:article_id>/", views.create, name="create"),
    path("<int:pk>/", views.permalink, name="permalink"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/report/", views.report, name="report"),
    path("replies/stop/<str:token>/", views.replies_stop, name="replies-stop"),
]
