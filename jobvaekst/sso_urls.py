"""Single sign-on: /sso/login/ sends the browser to the provider, /sso/callback/ takes it back.

Both answer 404 unless OIDC is configured (jobvaekst.sso).
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from .sso import SsoCallback, SsoStart

app_name = "sso"
urlpatterns = [
    path("login/", login_not_required(SsoStart.as_view()), name="start"),
    path("callback/", login_not_required(SsoCallback.as_view()), name="callback"),
]
