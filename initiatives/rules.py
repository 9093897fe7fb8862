"""Who may do what, as `rules` predicates. Checked on the server in every view.

- Every role of a programme reads all of its initiatives.
- A tovholder edits the status report of their own initiative(s) only.
- The programleder reviews reports, records scores and manages targets.
- The Baggrundsgruppe and udvalg roles read; they never edit.
- A superuser (the administrator) manages users and settings in the admin; in the
  workflow they act as a programleder so that IT can help in an emergency.
"""

from __future__ import annotations

import rules
from django.contrib.auth.models import User

from .models import Initiative, Membership, Programme, StatusReport

# The predicates are checked for logged-in users only (LoginRequiredMiddleware guards every
# view), so ``user`` is a User; ``obj`` is whatever the permission is checked against.


def _programme_of(obj: object) -> Programme | None:
    if isinstance(obj, Programme):
        return obj
    if isinstance(obj, Initiative):
        return obj.programme
    if isinstance(obj, StatusReport):
        return obj.initiative.programme
    return None


def _initiative_of(obj: object) -> Initiative | None:
    if isinstance(obj, Initiative):
        return obj
    if isinstance(obj, StatusReport):
        return obj.initiative
    return None


def _roles(user: User, programme: Programme) -> set[tuple[str, int | None]]:
    """The user's (role, initiative id) pairs in a programme, cached on the user for the
    request."""
    cache = user.__dict__.setdefault("_programme_roles", {})
    if programme.pk not in cache:
        cache[programme.pk] = set(
            Membership.objects.filter(user=user, programme=programme).values_list(
                "role", "initiative_id"
            )
        )
    return cache[programme.pk]


def initiatives_led_by(user: User, programme: Programme) -> set[int]:
    """The ids of the initiatives the user is tovholder for in the programme."""
    return {
        initiative_id
        for role, initiative_id in _roles(user, programme)
        if role == Membership.Role.TOVHOLDER and initiative_id is not None
    }


@rules.predicate
def is_admin(user: User) -> bool:
    return user.is_superuser


@rules.predicate
def has_role_in_programme(user: User, obj: object) -> bool:
    programme = _programme_of(obj)
    return programme is not None and bool(_roles(user, programme))


@rules.predicate
def is_programleder(user: User, obj: object) -> bool:
    programme = _programme_of(obj)
    return programme is not None and any(
        role == Membership.Role.PROGRAMLEDER for role, _ in _roles(user, programme)
    )


@rules.predicate
def is_tovholder_of(user: User, obj: object) -> bool:
    initiative = _initiative_of(obj)
    if initiative is None:
        return False
    return (Membership.Role.TOVHOLDER, initiative.pk) in _roles(user, initiative.programme)


can_read = is_admin | has_role_in_programme
can_edit_report = is_admin | is_programleder | is_tovholder_of
can_review = is_admin | is_programleder

rules.add_perm("initiatives.read_programme", can_read)
rules.add_perm("initiatives.edit_report", can_edit_report)
rules.add_perm("initiatives.review_report", can_review)
# Values not yet approved (a draft, or submitted and waiting): for those who write and
# review the report; the Baggrundsgruppe, the committee and the other initiatives'
# tovholdere see approved figures only.
rules.add_perm("initiatives.read_unapproved", can_edit_report)
rules.add_perm("initiatives.manage_targets", can_review)
rules.add_perm("initiatives.open_round", can_review)
rules.add_perm("evaluations.record_scores", can_review)
rules.add_perm("evaluations.publish_edition", can_review)
