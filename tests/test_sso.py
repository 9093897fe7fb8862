"""Single sign-on against a real OpenID Connect provider on loopback.

The provider is django-oauth-toolkit running in its own process (tests/oidc_idp): its own
login page, authorize endpoint with PKCE, token endpoint, RS256 ID tokens, JWKS and
userinfo. Like Entra ID, it puts the user's groups in the ID token and not in userinfo.
Nothing of ours is mocked: the browser (requests, and Chromium in one test) walks the
whole code flow between the two servers.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from initiatives.models import Membership, Programme
from jobvaekst.models import SsoIdentity
from jobvaekst.sso_config import parse_role_groups

from .base import PASSWORD, load_reference, make_users, open_round_2018_3
from .conftest import ROOT, _stop_process
from .initiatives.test_pages_browser import serious_violations

if TYPE_CHECKING:
    from collections.abc import Iterator

User = get_user_model()

CLIENT_ID = "jobvaekst-monitor"
CLIENT_SECRET = "test-client-secret-0123456789"  # the test provider's, nothing real
IDP_PASSWORD = "idp-password-1234"
GROUPS = (
    "g-program=jobvaekstpakken/programleder;"
    "g-smajobs=jobvaekstpakken/tovholder/smajobs;"
    "g-partner=jobvaekstpakken/baggrundsgruppe;"
    "g-ukendt-program=andetprogram/udvalg"
)
IDP_USERS = [
    {"username": "anne", "email": "anne@aalborg.test", "given_name": "Anne", "groups": []},
    {"username": "bo", "email": "bo@aalborg.test", "groups": ["g-andet-system"]},
    # The same name and e-mail as a local account: must never become that account.
    {"username": "ada", "email": "ada@aalborg.test", "groups": ["g-partner"]},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    base: str
    issuer: str
    db: Path
    process: subprocess.Popen[bytes]
    log: Path

    def set_groups(self, username: str, groups: list[str]) -> None:
        """What an administrator at the provider does: change someone's groups."""
        with sqlite3.connect(self.db, timeout=10) as con:
            (user_id,) = con.execute(
                "SELECT id FROM auth_user WHERE username = ?", (username,)
            ).fetchone()
            con.execute("DELETE FROM auth_user_groups WHERE user_id = ?", (user_id,))
            for name in groups:
                con.execute("INSERT OR IGNORE INTO auth_group (name) VALUES (?)", (name,))
                (group_id,) = con.execute(
                    "SELECT id FROM auth_group WHERE name = ?", (name,)
                ).fetchone()
                con.execute(
                    "INSERT INTO auth_user_groups (user_id, group_id) VALUES (?, ?)",
                    (user_id, group_id),
                )


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory) -> Iterator[Provider]:
    workdir = tmp_path_factory.mktemp("oidc-idp")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    config = {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{live_server.url}/sso/callback/"],
            }
        ],
        "users": [{**u, "password": IDP_PASSWORD} for u in IDP_USERS],
    }
    (workdir / "config.json").write_text(json.dumps(config), encoding="utf-8")
    env = {
        **os.environ,
        "IDP_PORT": str(port),
        "IDP_ISSUER": f"{base}/o",
        "IDP_DB": str(workdir / "idp.sqlite3"),
        "IDP_CONFIG": str(workdir / "config.json"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = workdir / "idp.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_idp.serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
    provider = Provider(base, f"{base}/o", workdir / "idp.sqlite3", process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"Test-IdP'en stoppede ved start:\n{log.read_text()}", pytrace=False)
            try:
                discovery = requests.get(
                    f"{provider.issuer}/.well-known/openid-configuration", timeout=2
                )
                if discovery.ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Test-IdP'en svarede ikke:\n{log.read_text()}", pytrace=False)
            time.sleep(0.2)
        yield provider
    finally:
        _stop_process(process)


@pytest.fixture
def sso_on(settings, oidc_provider, transactional_db):
    """The app configured as operations would configure it, from the discovery document."""
    discovery = requests.get(
        f"{oidc_provider.issuer}/.well-known/openid-configuration", timeout=5
    ).json()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = discovery["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_ROLE_GROUPS = parse_role_groups(GROUPS)
    programme = load_reference()
    users = make_users(programme)
    for user in IDP_USERS:
        oidc_provider.set_groups(user["username"], user["groups"])
    return users


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"feltet {name} findes ikke i siden"
    return match.group(1)


def sso_login(live_server, username: str, *, next_url: str = "", session=None):
    """Click "Log ind med kommunens login", log in at the provider, come back."""
    browser = session or requests.Session()
    start = f"{live_server.url}/sso/login/" + (f"?next={next_url}" if next_url else "")
    page = browser.get(start, timeout=10)
    assert page.status_code == 200
    assert "Log ind hos IdP" in page.text, "der blev ikke sendt videre til udbyderens login"
    landed = browser.post(
        page.url,
        data={
            "csrfmiddlewaretoken": _field(page.text, "csrfmiddlewaretoken"),
            "username": username,
            "password": IDP_PASSWORD,
            "next": _field(page.text, "next").replace("&amp;", "&"),
        },
        timeout=20,
    )
    return browser, landed


def _memberships(user) -> set[tuple]:
    return set(
        Membership.objects.filter(user=user).values_list("role", "initiative__slug", "source")
    )


def test_a_group_gives_its_role_and_the_user_lands_where_they_were_going(
    live_server, oidc_provider, sso_on
):
    oidc_provider.set_groups("anne", ["g-smajobs", "g-andet-system"])
    open_round_2018_3(Programme.objects.get(slug="jobvaekstpakken"))

    browser, page = sso_login(live_server, "anne", next_url="/initiativer/smajobs/")

    assert page.status_code == 200
    assert page.url == f"{live_server.url}/initiativer/smajobs/"
    assert "Småjobs" in page.text
    anne = User.objects.get(sso_identity__subject__isnull=False, email="anne@aalborg.test")
    assert anne.username == "anne"
    assert anne.first_name == "Anne"
    assert not anne.has_usable_password(), "en SSO-bruger må ikke kunne bruge lokalt login"
    assert SsoIdentity.objects.get(user=anne).issuer == oidc_provider.issuer
    assert _memberships(anne) == {("tovholder", "smajobs", "sso")}
    # As tovholder for Småjobs she may fill in its report, and not Kongresturisme's.
    own = browser.get(f"{live_server.url}/rapportering/jobvaekstpakken/2018-3/smajobs/")
    other = browser.get(f"{live_server.url}/rapportering/jobvaekstpakken/2018-3/kongresturisme/")
    assert own.status_code == other.status_code == 200
    assert 'value="indsend"' in own.text
    assert 'value="indsend"' not in other.text


def test_group_changes_at_the_provider_take_effect_at_the_next_login(
    live_server, oidc_provider, sso_on
):
    oidc_provider.set_groups("anne", ["g-partner"])
    sso_login(live_server, "anne")
    anne = User.objects.get(username="anne")
    # An administrator also gives her a role by hand: the groups must leave it alone.
    Membership.objects.create(
        user=anne, programme_id=sso_on.udvalg.memberships.get().programme_id, role="udvalg"
    )
    assert _memberships(anne) == {("baggrundsgruppe", None, "sso"), ("udvalg", None, "manuel")}

    oidc_provider.set_groups("anne", ["g-program"])
    browser, page = sso_login(live_server, "anne")

    assert page.status_code == 200
    assert page.url == f"{live_server.url}/opgaver/"
    assert _memberships(anne) == {("programleder", None, "sso"), ("udvalg", None, "manuel")}
    # Only a programleder is offered the import.
    assert 'action="/data/import/"' in browser.get(f"{live_server.url}/data/").text
    assert User.objects.filter(sso_identity__isnull=False).count() == 1


def test_someone_whose_groups_give_no_role_is_refused_in_danish_and_gets_no_account(
    live_server, oidc_provider, sso_on
):
    before = User.objects.count()

    browser, page = sso_login(live_server, "bo")

    assert page.url.startswith(f"{live_server.url}/login/")
    assert "ingen af dine grupper giver adgang til Jobvækst monitor" in page.text
    assert User.objects.count() == before
    assert browser.get(f"{live_server.url}/oversigt/").url.startswith(f"{live_server.url}/login/")


def test_removed_from_every_group_means_no_access_at_the_next_login(
    live_server, oidc_provider, sso_on
):
    oidc_provider.set_groups("anne", ["g-partner"])
    sso_login(live_server, "anne")
    oidc_provider.set_groups("anne", [])

    _browser, page = sso_login(live_server, "anne")

    assert page.url.startswith(f"{live_server.url}/login/")
    assert "ingen af dine grupper giver adgang" in page.text
    assert _memberships(User.objects.get(username="anne")) == set()


def test_a_provider_account_never_takes_over_a_local_account_of_the_same_name(
    live_server, oidc_provider, sso_on
):
    local_admin = sso_on.admin  # "ada", superuser, local password
    browser, page = sso_login(live_server, "ada")

    assert page.status_code == 200
    sso_user = User.objects.get(sso_identity__isnull=False)
    assert sso_user.pk != local_admin.pk
    assert sso_user.username.startswith("ada~sso-")
    assert not sso_user.is_superuser and not sso_user.is_staff
    assert _memberships(sso_user) == {("baggrundsgruppe", None, "sso")}
    assert browser.get(f"{live_server.url}/admin/").url.startswith(f"{live_server.url}/admin/login")
    local_admin.refresh_from_db()
    assert local_admin.is_superuser and local_admin.check_password(PASSWORD)


def test_break_glass_local_login_still_works_with_sso_on(live_server, sso_on):
    browser = requests.Session()
    login = browser.get(f"{live_server.url}/login/")
    assert "Log ind med kommunens login" in login.text
    assert 'href="/sso/login/"' in login.text

    page = browser.post(
        login.url,
        data={
            "csrfmiddlewaretoken": _field(login.text, "csrfmiddlewaretoken"),
            "username": "ada",
            "password": PASSWORD,
        },
        headers={"Referer": login.url},
    )

    assert page.url == f"{live_server.url}/opgaver/"
    assert browser.get(f"{live_server.url}/admin/").status_code == 200


def test_an_id_token_from_another_issuer_is_refused(live_server, oidc_provider, sso_on, settings):
    oidc_provider.set_groups("anne", ["g-partner"])
    settings.OIDC_OP_ISSUER = "https://login.example.invalid/anden-udbyder/v2.0"

    _browser, page = sso_login(live_server, "anne")

    assert page.url.startswith(f"{live_server.url}/login/")
    assert "Log ind med kommunens login mislykkedes" in page.text
    assert not User.objects.filter(username="anne").exists()


def test_a_provider_that_stops_answering_gives_a_clear_message_not_an_error_page(
    live_server, oidc_provider, sso_on, settings
):
    oidc_provider.set_groups("anne", ["g-partner"])
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/sso/login/")
    # Log in at the provider, but stop before the browser follows it back to us.
    back = browser.post(
        page.url,
        data={
            "csrfmiddlewaretoken": _field(page.text, "csrfmiddlewaretoken"),
            "username": "anne",
            "password": IDP_PASSWORD,
            "next": _field(page.text, "next").replace("&amp;", "&"),
        },
        allow_redirects=False,
    )
    authorize = browser.get(urljoin(page.url, back.headers["Location"]), allow_redirects=False)
    callback = authorize.headers["Location"]
    assert callback.startswith(f"{live_server.url}/sso/callback/?code=")
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{_free_port()}/o/token/"

    started = time.monotonic()
    page = browser.get(callback, timeout=20)

    assert time.monotonic() - started < 10
    assert page.status_code == 200
    assert page.url.startswith(f"{live_server.url}/login/")
    assert "Kommunens login svarer ikke lige nu" in page.text


def test_a_replayed_or_forged_callback_is_refused(live_server, oidc_provider, sso_on):
    browser = requests.Session()
    browser.get(f"{live_server.url}/sso/login/")  # a session with a state of its own
    forged = browser.get(f"{live_server.url}/sso/callback/?code=abc&state=forfalsket")
    assert forged.status_code == 400
    cancelled = browser.get(f"{live_server.url}/sso/callback/?error=access_denied&state=x")
    assert cancelled.url.startswith(f"{live_server.url}/login/")
    assert "Log ind med kommunens login mislykkedes" in cancelled.text
    assert not User.objects.filter(sso_identity__isnull=False).exists()


def test_without_configuration_there_is_no_sso(client, db):
    login = client.get("/login/")
    assert "kommunens login" not in login.content.decode()
    assert client.get("/sso/login/").status_code == 404
    assert client.get("/sso/callback/?code=a&state=b").status_code == 404


# --- Configuration --------------------------------------------------------------------


def test_the_group_mapping_is_read_and_every_mistake_is_named():
    grants = parse_role_groups(
        "a=jobvaekstpakken/programleder; a=jobvaekstpakken/udvalg\nb=p/tovholder/smajobs"
    )
    assert [g.role for g in grants["a"]] == ["programleder", "udvalg"]
    assert grants["b"][0].initiative == "smajobs"

    with pytest.raises(ImproperlyConfigured) as error:
        parse_role_groups("a=p/chef; b=p/tovholder; c=p/udvalg/smajobs; d; =p/udvalg")
    message = str(error.value)
    assert "ukendt rolle 'chef'" in message
    assert message.count("en tovholder skal have en indsats") == 2
    assert message.count("skal have formen gruppe=program/rolle[/indsats]") == 2
    with pytest.raises(ImproperlyConfigured, match="ingen grupper er angivet"):
        parse_role_groups(" ; ")


def test_sso_half_configured_refuses_to_start_and_names_what_is_missing():
    env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    env |= {"OIDC_RP_CLIENT_ID": "x", "OIDC_OP_ISSUER": "https://login.example.invalid/"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Single sign-on er slået til (OIDC_RP_CLIENT_ID), men disse mangler" in result.stderr
    assert "OIDC_OP_TOKEN_ENDPOINT" in result.stderr
    assert "OIDC_OP_ISSUER" not in result.stderr.split("mangler:")[1]


# --- In the browser -------------------------------------------------------------------


@pytest.mark.browser
def test_sso_in_chromium_with_the_keyboard(live_server, oidc_provider, sso_on, page):
    oidc_provider.set_groups("anne", ["g-partner"])
    page.goto(f"{live_server.url}/login/")
    assert serious_violations(page) == []
    sso_link = page.get_by_role("link", name="Log ind med kommunens login")
    sso_link.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Brugernavn").fill("anne")
    page.get_by_label("Adgangskode").fill(IDP_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/opgaver/")
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert "Jobvækstpakken" in page.content()
