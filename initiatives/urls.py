from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("<slug:slug>/", views.initiative_detail, name="detail"),
    path("<slug:slug>/maal/ny/", views.target_edit, name="target_new"),
    path("<slug:slug>/maal/<int:pk>/", views.target_edit, name="target_edit"),
    path("<slug:slug>/maal/<int:pk>/historik/", views.target_history, name="target_history"),
]
