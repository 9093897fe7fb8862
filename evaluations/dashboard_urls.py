from django.urls import path

from . import dashboard_views

app_name = "dashboard"
urlpatterns = [
    path("", dashboard_views.overview_index, name="index"),
    path("<slug:programme>/", dashboard_views.overview, name="overview"),
]
