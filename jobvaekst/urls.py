from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

admin.site.site_header = "Jobvækst monitor – administration"
admin.site.site_title = "Jobvækst monitor"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:index", permanent=False)),
    path("oversigt/", include("evaluations.dashboard_urls")),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/", include("jobvaekst.sso_urls")),
    path("initiativer/", include("initiatives.urls")),
    path("rapportering/", include("initiatives.reporting_urls")),
    path("vurderinger/", include("evaluations.urls")),
    path("udskrift/", include("evaluations.summary_urls")),
    path("data/", include("initiatives.transfer_urls")),
    path("api/v1/", include("jobvaekst.api_urls")),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility"),
    path("sundhed/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]


def not_found(request, exception):
    """404: JSON under /api/ (as the API's schema documents it), the usual page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Ikke fundet."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
