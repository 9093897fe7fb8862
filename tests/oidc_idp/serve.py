"""Run the test identity provider: ``python -m tests.oidc_idp.serve``.

Environment: IDP_PORT, IDP_ISSUER, IDP_DB (an SQLite path) and IDP_CONFIG, a JSON file:

    {"clients": [{"client_id": ..., "client_secret": ..., "redirect_uris": [...]}],
     "users": [{"username": ..., "password": ..., "email": ..., "given_name": ...,
                "family_name": ..., "groups": [...]}]}
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_idp.settings"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    config = json.loads(Path(os.environ["IDP_CONFIG"]).read_text(encoding="utf-8"))
    for client in config["clients"]:
        Application.objects.create(
            name=client["client_id"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    for item in config["users"]:
        user = User.objects.create_user(
            item["username"],
            email=item.get("email", ""),
            password=item["password"],
            first_name=item.get("given_name", ""),
            last_name=item.get("family_name", ""),
        )
        user.groups.set(Group.objects.get_or_create(name=name)[0] for name in item["groups"])
    run("127.0.0.1", int(os.environ["IDP_PORT"]), get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
