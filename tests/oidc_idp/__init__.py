"""A real OpenID Connect provider for the SSO tests: django-oauth-toolkit in its own process.

Not part of the application. tests/test_sso.py starts it (``python -m
tests.oidc_idp.serve``) on a loopback port, so the app's single sign-on is tested against
an independent OIDC implementation: discovery, login page, authorize with PKCE, token
endpoint, RS256-signed ID tokens, JWKS and userinfo.
"""
