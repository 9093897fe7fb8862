"""Single sign-on with OpenID Connect (mozilla-django-oidc), optional.

Turned on by OIDC_RP_CLIENT_ID and the variables in jobvaekst.sso_config. Then:

- the login page offers "Log ind med kommunens login" next to the local form;
- a user is known by the provider's issuer and ``sub`` (SsoIdentity), never by e-mail;
- the provider's groups (OIDC_GROUPS_CLAIM, from the ID token or userinfo) give roles
  through OIDC_ROLE_GROUPS. At every SSO login the user's SSO memberships are made equal
  to what the groups give now; memberships an administrator gave by hand stay;
- someone whose groups give no role, and who has none given by hand, is refused with a
  Danish message, and no account is created for them;
- the ID token's signature (JWKS), issuer, audience, expiry and nonce are checked, and the
  code flow uses PKCE.

Local login stays for the break-glass administrator and for partners without an account
at the municipality. Groups never make anyone an administrator (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from initiatives.models import Initiative, Membership, Programme

from .models import SsoIdentity
from .sso_config import Grant

logger = logging.getLogger("jobvaekst.auth")

FAILED = (
    "Log ind med kommunens login mislykkedes. Prøv igen, eller log ind med brugernavn og "
    "adgangskode. Sker det igen, så kontakt IT-support."
)
NO_ROLE = (
    "Du er logget ind hos kommunen, men ingen af dine grupper giver adgang til Jobvækst "
    "monitor. Bed din leder eller IT-support om at give dig den rette gruppe."
)
UNREACHABLE = (
    "Kommunens login svarer ikke lige nu. Prøv igen om lidt, eller log ind med brugernavn og "
    "adgangskode."
)


# The reason a login was refused, noted on the request for SsoCallback.login_failure (an
# attribute of our own, so set and read by name: HttpRequest declares no such field).
SSO_REFUSAL = "sso_refusal"


class Refused(Exception):
    """Login refused for a reason the user should be told (the message is Danish)."""


def grants_for(groups: list[str]) -> list[Grant]:
    mapping: dict[str, tuple[Grant, ...]] = settings.OIDC_ROLE_GROUPS
    return [grant for group in groups for grant in mapping.get(group, ())]


def _memberships_wanted(grants: list[Grant]) -> set[tuple[int, str, int | None]]:
    """(programme id, role, initiative id) for each grant whose programme exists here."""
    programmes = dict(
        Programme.objects.filter(slug__in={g.programme for g in grants}).values_list("slug", "pk")
    )
    # Keyed by slug; a grant without an initiative looks up None and finds (None, None).
    initiatives: dict[str | None, tuple[int | None, int | None]] = {
        slug: (pk, programme_id)
        for slug, pk, programme_id in Initiative.objects.filter(
            slug__in={g.initiative for g in grants if g.initiative}
        ).values_list("slug", "pk", "programme_id")
    }
    wanted: set[tuple[int, str, int | None]] = set()
    for grant in grants:
        programme_id = programmes.get(grant.programme)
        initiative_id, in_programme = initiatives.get(grant.initiative, (None, None))
        if programme_id is None or (grant.initiative and initiative_id is None):
            logger.error("sso: OIDC_ROLE_GROUPS names something unknown: %s", grant)
            continue
        if grant.initiative and in_programme != programme_id:
            logger.error("sso: OIDC_ROLE_GROUPS: the initiative is not in the programme: %s", grant)
            continue
        wanted.add((programme_id, grant.role, initiative_id))
    return wanted


def sync_memberships(user: User, wanted: set[tuple[int, str, int | None]]) -> None:
    """Make the user's SSO memberships exactly ``wanted``; leave manual ones alone."""
    have = {
        (m.programme_id, m.role, m.initiative_id): m
        for m in Membership.objects.select_for_update().filter(user=user)
    }
    stale = [
        m.pk for key, m in have.items() if m.source == Membership.Source.SSO and key not in wanted
    ]
    Membership.objects.filter(pk__in=stale).delete()
    Membership.objects.bulk_create(
        Membership(
            user=user,
            programme_id=programme_id,
            role=role,
            initiative_id=initiative_id,
            source=Membership.Source.SSO,
        )
        for programme_id, role, initiative_id in wanted
        if (programme_id, role, initiative_id) not in have
    )


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, keyed on (issuer, sub), with groups giving roles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.enabled = bool(settings.OIDC_ENABLED)
        if self.enabled:
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not self.enabled or request is None:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refusal:
            setattr(request, SSO_REFUSAL, str(refusal))
        except requests.RequestException as exc:
            logger.warning("sso: the identity provider did not answer: %s", type(exc).__name__)
            setattr(request, SSO_REFUSAL, UNREACHABLE)
        except SuspiciousOperation as exc:
            logger.warning("sso: token refused: %s", exc)
        return None

    # --- Tokens and claims ------------------------------------------------------------

    def verify_token(self, token: str, **kwargs: Any) -> dict:
        """The library checks signature, expiry and nonce; we add issuer and audience."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client (aud)")
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token from another issuer (iss)")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict) -> dict:
        """Userinfo, plus what only the ID token carries (Entra ID puts groups there)."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        return {**payload, **userinfo, "iss": payload.get("iss")}

    def verify_claims(self, claims: dict) -> bool:
        return bool(claims.get("sub")) and bool(claims.get("iss"))

    @staticmethod
    def groups(claims: dict) -> list[str]:
        value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(value, str):
            value = [value]
        return [str(group) for group in value]

    # --- Users ------------------------------------------------------------------------

    def filter_users_by_claims(self, claims: dict) -> QuerySet[User]:
        return self.UserModel.objects.filter(
            sso_identity__issuer=claims["iss"], sso_identity__subject=claims["sub"]
        )

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User:
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("claims without sub or iss")
        groups = self.groups(claims)
        wanted = _memberships_wanted(grants_for(groups))
        with transaction.atomic():
            user = self.filter_users_by_claims(claims).select_for_update().first()
            if user is None:
                if not wanted:
                    logger.warning("sso refused: no role for a new user (groups=%d)", len(groups))
                    raise Refused(NO_ROLE)
                user = self.create_user(claims)
            else:
                self.update_user(user, claims)
            SsoIdentity.objects.filter(user=user).update(last_login_groups=groups)
            sync_memberships(user, wanted)
            has_role = user.is_superuser or Membership.objects.filter(user=user).exists()
        if not has_role:
            logger.warning("sso refused: user=%s has no role left", user.pk)
            raise Refused(NO_ROLE)
        logger.info("sso login: user=%s roles=%d", user.pk, len(wanted))
        return user

    def _username(self, claims: dict) -> str:
        base = (claims.get("preferred_username") or claims.get("email") or claims["sub"])[:140]
        if not self.UserModel.objects.filter(username=base).exists():
            return base
        # Taken, e.g. by a local account: never reuse it; add a stable suffix.
        digest = hashlib.sha256(f"{claims['iss']} {claims['sub']}".encode()).hexdigest()
        return f"{base}~sso-{digest[:8]}"

    def create_user(self, claims: dict) -> User:
        user = self.UserModel(
            username=self._username(claims),
            email=claims.get("email", ""),
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("family_name", "")[:150],
        )
        user.set_unusable_password()  # SSO users cannot use the local login form
        user.save()
        SsoIdentity.objects.create(user=user, issuer=claims["iss"], subject=claims["sub"])
        logger.info("sso: created user=%s", user.pk)
        return user

    def update_user(self, user: User, claims: dict) -> User:
        fields = {
            "email": claims.get("email", user.email),
            "first_name": claims.get("given_name", user.first_name)[:150],
            "last_name": claims.get("family_name", user.last_name)[:150],
        }
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, fields[name])
        if changed:
            user.save(update_fields=changed)
        return user


# --- Views ----------------------------------------------------------------------------


class _EnabledOnly(View):  # a mixin for the library's views, which are Views
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on er ikke slået til.")
        return super().dispatch(request, *args, **kwargs)


class SsoStart(_EnabledOnly, OIDCAuthenticationRequestView):
    """Send the browser to the identity provider (with state, nonce and PKCE)."""


class SsoCallback(_EnabledOnly, OIDCAuthenticationCallbackView):
    """Back from the identity provider: log in, or back to the login page with a reason."""

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, getattr(self.request, SSO_REFUSAL, FAILED))
        return super().login_failure()
