"""Single sign-on settings read from the environment (used by settings.py).

Pure Python on purpose: settings.py imports this before Django's apps are ready.

The group mapping says which role an identity-provider group gives, in which programme:

    OIDC_ROLE_GROUPS="<gruppe>=<program>/<rolle>[/<indsats>]; <gruppe>=..."

for example (Entra ID group object ids)

    3f2c0c1e-...=jobvaekstpakken/programleder;
    9a1b77d2-...=jobvaekstpakken/tovholder/smajobs;
    c0ffee00-...=jobvaekstpakken/baggrundsgruppe

A group may appear more than once to give several roles. Programme and initiative are
the slugs in the addresses (/oversigt/jobvaekstpakken/, /initiativer/smajobs/).
Administration is never given by a group: see docs/decisions.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

# The values of initiatives.models.Membership.Role (that module cannot be imported here).
ROLES = ("tovholder", "programleder", "baggrundsgruppe", "udvalg")

# Environment variables that must all be set once OIDC_RP_CLIENT_ID is.
REQUIRED = (
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_ROLE_GROUPS",
)


@dataclass(frozen=True)
class Grant:
    """One role a group gives: a membership of a programme (and initiative)."""

    programme: str
    role: str
    initiative: str | None = None


def parse_role_groups(text: str) -> dict[str, tuple[Grant, ...]]:
    """Parse OIDC_ROLE_GROUPS; every mistake is reported, in Danish, at start-up."""
    grants: dict[str, list[Grant]] = {}
    problems: list[str] = []
    entries = [e.strip() for e in text.replace("\n", ";").split(";") if e.strip()]
    for entry in entries:
        group, sep, target = (part.strip() for part in entry.partition("="))
        parts = [p.strip() for p in target.split("/")]
        if not sep or not group or not all(parts):
            problems.append(f"{entry!r} skal have formen gruppe=program/rolle[/indsats]")
            continue
        if len(parts) not in (2, 3):
            problems.append(f"{entry!r}: efter '=' skal der stå program/rolle[/indsats]")
            continue
        programme, role, *rest = parts
        initiative = rest[0] if rest else None
        if role not in ROLES:
            problems.append(f"{entry!r}: ukendt rolle {role!r} (kendte: {', '.join(ROLES)})")
            continue
        if (role == "tovholder") != (initiative is not None):
            problems.append(
                f"{entry!r}: en tovholder skal have en indsats, og kun en tovholder kan have en"
            )
            continue
        grants.setdefault(group, []).append(Grant(programme, role, initiative))
    if not entries:
        problems.append("ingen grupper er angivet, så ingen kan logge ind med SSO")
    if problems:
        raise ImproperlyConfigured("OIDC_ROLE_GROUPS kan ikke bruges: " + "; ".join(problems))
    return {group: tuple(items) for group, items in grants.items()}


def missing_settings(environ: dict[str, str]) -> list[str]:
    return [name for name in REQUIRED if not environ.get(name, "").strip()]
