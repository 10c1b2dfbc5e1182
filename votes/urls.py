from django.urls import path

from votes import views

app_name = "votes"

urlpatterns = [
    path("comment/<int:pk>/", views.vote, name="vote"),
]
