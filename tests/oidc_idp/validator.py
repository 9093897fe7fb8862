"""Claims as Entra ID gives them: groups in the ID token only, not from userinfo."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class GroupsValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": sorted(group.name for group in user.groups.all()),
        }

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        claims.pop("groups", None)
        return claims
