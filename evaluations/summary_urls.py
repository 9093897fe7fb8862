from django.urls import path

from . import summary_views as views

app_name = "summaries"
urlpatterns = [
    path("", views.summary_index, name="index"),
    path("udgave/<int:pk>/", views.edition_download, name="edition"),
    path("<slug:programme>/", views.summary_list, name="list"),
    path("<slug:programme>/program/", views.programme_summary, name="programme"),
    path("<slug:programme>/program/pdf/", views.programme_summary_pdf, name="programme_pdf"),
    path("<slug:programme>/indsats/<slug:slug>/", views.initiative_summary, name="initiative"),
    path(
        "<slug:programme>/indsats/<slug:slug>/pdf/",
        views.initiative_summary_pdf,
        name="initiative_pdf",
    ),
    path("<slug:programme>/arkiv/", views.edition_archive, name="archive"),
    path("<slug:programme>/udgiv/", views.edition_new, name="publish"),
]
