"""Import and templates. ``jobvaekst.urls`` puts these in the ``transfer`` namespace beside
the programme export of ``evaluations.initiative_views``."""

from django.urls import path

from . import transfer_views as views

urlpatterns = [
    path("", views.transfer_index, name="index"),
    path("skabelon.xlsx", views.template_download, name="template"),
    path("import/", views.import_upload, name="import"),
    path("import/bekraeft/", views.import_confirm, name="import_confirm"),
    path("indikator/", views.indicator_upload, name="indicator_import"),
    path("indikator/bekraeft/", views.indicator_confirm, name="indicator_import_confirm"),
]
