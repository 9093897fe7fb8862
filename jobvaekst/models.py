"""Who a single-sign-on user is at their identity provider."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoIdentity(models.Model):
    """The provider's stable id (issuer and ``sub``) for one of our users.

    SSO users are found by this pair, never by e-mail or user name, so an account at the
    provider can never take over a local account that happens to share its name.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_identity",
        verbose_name=_("bruger"),
    )
    issuer = models.CharField(_("udsteder"), max_length=255)
    subject = models.CharField(_("id hos udsteder"), max_length=255)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    last_login_groups = models.JSONField(_("grupper ved seneste login"), default=list, blank=True)

    class Meta:
        verbose_name = _("SSO-identitet")
        verbose_name_plural = _("SSO-identiteter")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique"),
            models.CheckConstraint(
                condition=~models.Q(issuer="") & ~models.Q(subject=""),
                name="sso_identity_not_blank",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.issuer})"
