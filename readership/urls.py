from django.urls import path

from readership import views

app_name = "readership"

urlpatterns = [
    path("articles/<int:pk>/view", views.beacon, name="beacon"),
]
