"""Who may see what. Every view goes through these helpers, so the rule lives in one place."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from .models import Initiative, Membership, Programme

logger = logging.getLogger("jobvaekst.access")


class AuthenticatedHttpRequest(HttpRequest):
    """A view's request, for annotations: LoginRequiredMiddleware lets no anonymous user
    reach a view, so ``request.user`` is a User (as django-stubs suggests for this case).
    A view marked ``login_not_required`` takes a plain HttpRequest."""

    user: User


def programmes_for_user(user: User | AnonymousUser) -> QuerySet[Programme]:
    """The programmes a user may read: any programme they hold a role in; all for admins."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(
        pk__in=Membership.objects.filter(user=user).values("programme_id")
    )


def initiative_for_user(request: HttpRequest, slug: str) -> Initiative:
    """The initiative named by ``slug``, if the user may read it; 403 otherwise.

    Every role of a programme reads all of its initiatives: a tovholder edits only their
    own but reads the others, and the Baggrundsgruppe and udvalg read everything.
    """
    initiative = (
        Initiative.objects.select_related("programme")
        .filter(slug=slug, programme__in=programmes_for_user(request.user))
        .first()
    )
    if initiative is None:
        if Initiative.objects.filter(slug=slug).exists():
            logger.warning("access denied: user=%s initiative=%s", request.user.pk, slug)
            raise PermissionDenied("Du har ikke adgang til denne indsats.")
        raise Http404("Indsatsen findes ikke.")
    return initiative


def programme_for_user(request: HttpRequest, slug: str) -> Programme:
    """The programme named by ``slug``, if the user holds a role in it; 403 otherwise."""
    programme = programmes_for_user(request.user).filter(slug=slug).first()
    if programme is None:
        if Programme.objects.filter(slug=slug).exists():
            logger.warning("access denied: user=%s programme=%s", request.user.pk, slug)
            raise PermissionDenied("Du har ikke adgang til dette program.")
        raise Http404("Programmet findes ikke.")
    return programme
