"""The application's URLs, plus /bench/floor/: the framework floor.

The floor is a trivial view behind the same middleware (session, login, CSP, ...): the
least any page of ours can cost. Every page's p95 is reported as a multiple of it.
"""

from django.http import HttpResponse
from django.urls import path

from jobvaekst.urls import urlpatterns as app_urlpatterns


def floor(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *app_urlpatterns]
