"""The first real pages: the initiative list and an initiative's page, behind login."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from initiatives.models import (
    EffectChainItem,
    Initiative,
    ReportingRound,
    StatusUpdate,
    Target,
    TargetPhase,
)

pytestmark = pytest.mark.django_db

LIST = reverse("initiatives:list")


def detail(slug: str) -> str:
    return reverse("initiatives:detail", kwargs={"slug": slug})


@pytest.mark.parametrize("url", ["/", LIST, detail("kongresturisme"), "/admin/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, reference, url):
    response = client.get(url, follow=True)
    assert response.redirect_chain, url
    assert response.request["PATH_INFO"] in ("/login/", "/admin/login/")
    assert "Log ind" in response.content.decode()


def test_the_login_page_is_danish_and_logs_a_user_in(client, users):
    page = client.get("/login/").content.decode()
    assert '<html lang="da">' in page
    assert "Brugernavn" in page and "Adgangskode" in page
    response = client.post(
        "/login/", {"username": "bente", "password": "test-password-1234"}, follow=True
    )
    assert response.request["PATH_INFO"] == "/opgaver/"  # Mine opgaver comes first
    assert "Logget ind som" in response.content.decode()


def test_a_wrong_password_gets_a_clear_danish_message(client, users):
    response = client.post("/login/", {"username": "bente", "password": "forkert"})
    assert response.status_code == 200
    assert "Brugernavn eller adgangskode er forkert" in response.content.decode()


ROLES = ["tovholder", "programleder", "baggrundsgruppe", "udvalg", "admin"]
FIVE = ("Industri og byggeri", "Kongresturisme", "Detailhandel", "Småjobs", "Iværksætteri")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_five_initiatives(client, users, role):
    client.force_login(getattr(users, role))
    page = client.get(LIST).content.decode()
    for name in FIVE:
        assert name in page
    assert 'href="/initiativer/smajobs/"' in page


def test_a_user_without_a_role_sees_no_programme_and_no_initiative(client, users):
    client.force_login(users.outsider)
    page = client.get(LIST).content.decode()
    assert "Kongresturisme" not in page
    assert "Du har endnu ikke adgang" in page
    assert client.get(detail("kongresturisme")).status_code == 403


def test_an_unknown_initiative_is_404(client, users):
    client.force_login(users.baggrundsgruppe)
    assert client.get(detail("findes-ikke")).status_code == 404


def test_the_initiative_page_shows_the_effect_chain(client, users):
    client.force_login(users.baggrundsgruppe)
    page = client.get(detail("kongresturisme")).content.decode()
    assert "Effektkæde" in page
    assert "Hovedaktiviteter" in page and "Effekter" in page
    assert "Samarbejde mellem Aalborg Lufthavn, AKKC, AAU, klynger mfl." in page
    assert "Øget omsætning i turismeerhverv + afledte effekter" in page


def test_the_targets_table_shows_targets_in_words_and_latest_status(client, users):
    client.force_login(users.udvalg)
    page = client.get(detail("kongresturisme")).content.decode()
    assert "fra 20 (2015) til 34 (2020)" in page
    assert "fra 16.000 (2015) til 27.000 (2020)" in page
    assert "fra 45–50 (2015) til 80–85 (2020) mio. kr." in page
    assert "85–140" in page
    assert "Der vurderes p.t. ikke at være stigning" in page
    assert "Opnået (vurderet)" in page  # the assessed qualitative target


def test_phases_per_year_and_estimates_on_the_industry_page(client, users):
    client.force_login(users.tovholder)
    page = client.get(detail("industri-og-byggeri")).content.decode()
    assert "30 (2017) + 80 (2018) = 110" in page
    assert "60 pr. år" in page
    assert "1–2 %" in page
    assert "50–70 % (skøn)" in page
    assert "Ikke målbart p.t." in page


def _grow(factor: int) -> None:
    """Multiply the Kongresturisme targets, chain and statuses by ``factor``."""
    initiative = Initiative.objects.get(slug="kongresturisme")
    rounds = [
        ReportingRound.objects.get_or_create(
            programme=initiative.programme,
            year=2019,
            number=n,
            defaults={
                "period_start": dt.date(2019, 2 * n - 1, 1),
                "period_end": dt.date(2019, 2 * n, 28),
                "deadline": dt.date(2019, 2 * n, 28),
            },
        )[0]
        for n in range(1, 7)
    ]
    for i in range(factor):
        EffectChainItem.objects.create(initiative=initiative, stage="output", text=f"Ekstra {i}")
        target = Target.objects.create(
            initiative=initiative, level="aktivitet", title=f"Ekstra mål {i}", kind="antal"
        )
        TargetPhase.objects.create(target=target, year=2019, value=i)
        TargetPhase.objects.create(target=target, year=2020, value=i + 1)
        for r in rounds:
            StatusUpdate.objects.create(target=target, round=r, value=i)


@pytest.mark.parametrize("url", [LIST, detail("kongresturisme")])
def test_page_query_counts_do_not_grow_with_the_data(
    client, users, django_assert_num_queries, settings, url
):
    settings.SESSION_REFRESH_SECONDS = 3600  # no once-a-minute session refresh mid-test
    client.force_login(users.baggrundsgruppe)
    # The detail page: session, user, initiative, rounds, targets, phases, updates,
    # snapshots, the filtered target ids, the chart series, chain, sub-initiatives, and the
    # user's roles (may they edit targets?).
    expected = {LIST: 3, detail("kongresturisme"): 13}[url]
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    _grow(70)  # ten times the reference data's 7 targets
    with django_assert_num_queries(expected):
        page = client.get(url).content.decode()
    if url != LIST:
        assert "Ekstra mål 69" in page


def test_the_initiative_page_shows_computed_attainment_and_how_it_was_computed(client, users):
    client.force_login(users.baggrundsgruppe)
    page = client.get(detail("smajobs")).content.decode()
    assert "Beregnet målopnåelse" in page
    assert "375 % (over mål)" in page
    assert "Sådan er tallet beregnet" in page
    assert "(60 − 0) / (16 − 0) × 100" in page  # the formula with its inputs
    assert "Angivet målopnåelse uden data bag" in page  # the flagged report row
    assert "runde 2018-2" in page


def test_a_stale_figure_says_it_is_being_updated(client, users):
    from evaluations.models import AttainmentSnapshot

    AttainmentSnapshot.objects.filter(target__initiative__slug="ivaerksaetteri").update(stale=True)
    client.force_login(users.udvalg)
    page = client.get(detail("ivaerksaetteri")).content.decode()
    assert "opdateres…" in page
    assert "50 %" in page  # the last computed figure is still shown


def test_the_initiative_page_title_is_just_its_name(client, users):
    client.force_login(users.udvalg)
    page = client.get(detail("smajobs")).content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert title == "Småjobs – Jobvækst monitor"
    assert page.count('id="explain-heading"') == 1


def test_a_cached_target_block_shows_every_change_at_once(client, users, monkeypatch):
    """The target blocks are cached (``{% cache %}``), keyed on what they show: a second
    view renders none anew, and any change, however it was written, shows on the next."""
    from django.core.cache import caches

    from evaluations.models import AttainmentSnapshot

    fragments = caches["default"]
    fragments.clear()
    writes: list[str] = []
    real_set = fragments.set
    monkeypatch.setattr(
        fragments,
        "set",
        lambda key, value, *a, **kw: (writes.append(value), real_set(key, value, *a, **kw)),
    )
    client.force_login(users.udvalg)
    url = detail("smajobs")
    n_targets = Target.objects.filter(initiative__slug="smajobs").count()
    client.get(url)
    assert len(writes) == n_targets
    writes.clear()
    first = client.get(url).content.decode()
    assert writes == []  # every block came from the cache

    # An earlier round's figure, rewritten by a bulk update (as a recompute would write it)
    earliest = (
        AttainmentSnapshot.objects.filter(target__initiative__slug="smajobs", actual__isnull=False)
        .order_by("round__year", "round__number", "target_id")
        .select_related("target", "round")
        .first()
    )
    assert "4.321" not in first
    AttainmentSnapshot.objects.filter(pk=earliest.pk).update(actual=4321)
    page = client.get(url).content.decode()
    block = page.split(f'id="mal-{earliest.target_id}"')[1].split("</details>")[0]
    assert f'<th scope="row">{earliest.round.code}</th><td>4.321</td>' in block
    assert len(writes) == 1  # only the changed target's block is rendered anew

    # The shown round's own figure: how it was computed
    AttainmentSnapshot.objects.filter(
        target_id=earliest.target_id, round__year=2018, round__number=2
    ).update(formula="(1 − 0) / (2 − 0) × 100")
    page = client.get(url).content.decode()
    assert "(1 − 0) / (2 − 0) × 100" in page

    # A title changed by update(), which leaves updated_at alone
    Target.objects.filter(pk=earliest.target_id).update(title="Nyt navn på målet")
    page = client.get(url).content.decode()
    block = page.split(f'id="mal-{earliest.target_id}"')[1].split("</details>")[0]
    assert "Nyt navn på målet" in block


def test_a_cached_target_block_keeps_each_roles_links(client, users):
    """The blocks hold an edit link for those who may manage targets, and the cache keeps
    the programleder's blocks and the committee's apart."""
    url = detail("smajobs")
    for user, may_edit in [
        (users.udvalg, False),
        (users.programleder, True),
        (users.udvalg, False),
    ]:
        client.force_login(user)
        explained = client.get(url).content.decode().split('id="explain-heading"')[1]
        assert ("Ret målet" in explained) is may_edit, user


def test_the_initiative_list_counts_each_target_once(client, users):
    """The cards' counts per level are the initiative's targets, also for an initiative
    with sub-initiatives (a join with them once counted each target per sub-initiative)."""
    import re

    industri = Initiative.objects.get(slug="industri-og-byggeri")
    assert industri.sub_initiatives.count() >= 2
    client.force_login(users.baggrundsgruppe)
    page = client.get(LIST).content.decode()
    for initiative in Initiative.objects.all():
        card = page.split(f'href="{initiative.get_absolute_url()}"')[1].split("</li>")[0]
        shown = [int(n) for n in re.findall(r"<dd>(\d+)</dd>", card)]
        expected = [
            initiative.targets.filter(level=level).count()
            for level in ("aktivitet", "output", "effekt")
        ]
        assert shown == expected, initiative.name
    card = page.split(f'href="{industri.get_absolute_url()}"')[1].split("</li>")[0]
    assert re.findall(r"<dd>(\d+)</dd>", card) == ["2", "2", "3"]


def test_a_target_without_a_figure_shows_no_expected_attainment(client, users):
    """ "Antallet af bevillinger" has no target figure (Intet måltal): an expected 33 % now
    would be a number about nothing."""
    target = Target.objects.get(title="Antallet af bevillinger")
    client.force_login(users.udvalg)
    page = client.get(detail("ivaerksaetteri")).content.decode()
    block = page.split(f'id="mal-{target.pk}"')[1].split("</details>")[0]
    assert "Intet måltal" in block
    assert "Forventet målopnåelse nu</dt><dd>– (intet måltal at forvente imod)</dd>" in block
    assert "Forventet på dette tidspunkt" not in block
    # A target with a figure still shows it, in percent, and the table says its unit.
    assert "Forventet målopnåelse nu</dt><dd>33,15 %</dd>" in page
    assert '<th scope="col">Forventet værdi</th>' in page


def test_every_page_has_the_favicon(client, users):
    from django.contrib.staticfiles import finders

    client.force_login(users.udvalg)
    page = client.get(LIST).content.decode()
    href = page.split('<link rel="icon" href="')[1].split('"')[0]
    assert href.endswith("img/favicon.svg")
    path = finders.find("img/favicon.svg")
    assert path and Path(path).read_text().startswith("<svg")
