from django.urls import path

from . import reporting_views as views

app_name = "reporting"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("<slug:programme>/<str:code>/", views.round_detail, name="round"),
    path("<slug:programme>/<str:code>/<slug:slug>/", views.status_report, name="report"),
    path(
        "<slug:programme>/<str:code>/<slug:slug>/historik/",
        views.report_history,
        name="report_history",
    ),
]
