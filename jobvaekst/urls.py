from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from evaluations import initiative_views, task_views
from initiatives import transfer_urls
from initiatives import urls as initiative_urls

from . import views

admin.site.site_header = "Jobvækst monitor – administration"
admin.site.site_title = "Jobvækst monitor"
admin.site.index_title = "Administration"

# Where the two apps meet: an initiative's page and the programme export show computed
# figures (evaluations), beside the recording side's target and import pages (initiatives),
# under one namespace each.
initiative_patterns = [
    path("", initiative_views.initiative_list, name="list"),
    path("<slug:slug>/", initiative_views.initiative_detail, name="detail"),
    *initiative_urls.urlpatterns,
]
transfer_patterns = [
    *transfer_urls.urlpatterns,
    path("<slug:programme>/eksport.xlsx", initiative_views.programme_export, name="export"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="tasks", permanent=False)),
    path("opgaver/", task_views.my_tasks, name="tasks"),
    path("oversigt/", include("evaluations.dashboard_urls")),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/", include("jobvaekst.sso_urls")),
    path("initiativer/", include((initiative_patterns, "initiatives"))),
    path("rapportering/", include("initiatives.reporting_urls")),
    path("vurderinger/", include("evaluations.urls")),
    path("udskrift/", include("evaluations.summary_urls")),
    path("data/", include((transfer_patterns, "transfer"))),
    path("api/v1/", include("jobvaekst.api.urls")),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility"),
    path("sundhed/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under /api/ (as the API's schema documents it), the usual page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Ikke fundet."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
