"""Managing an initiative's targets. ``jobvaekst.urls`` puts these in the ``initiatives``
namespace beside the initiative pages of ``evaluations.initiative_views``."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/maal/ny/", views.target_edit, name="target_new"),
    path("<slug:slug>/maal/<int:pk>/", views.target_edit, name="target_edit"),
    path("<slug:slug>/maal/<int:pk>/historik/", views.target_history, name="target_history"),
]
