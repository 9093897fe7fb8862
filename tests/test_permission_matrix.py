"""Every URL × every role × own/other initiative × GET/POST: no unexpected success.

"Own" is Småjobs, the demo tovholder's initiative; "other" is Kongresturisme. A
success (2xx, or a 302 that is not a redirect to the login page) is allowed only where
the table below says so. The count of combinations is printed for the issue notes.
"""

from __future__ import annotations

import pytest

from initiatives.models import Indicator, StatusReport

from .base import open_round_2018_3

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "tovholder", "programleder", "baggrundsgruppe", "udvalg", "admin"]
READERS = {"tovholder", "programleder", "baggrundsgruppe", "udvalg", "admin"}
EDITORS_OWN = {"tovholder", "programleder", "admin"}
EDITORS_OTHER = {"programleder", "admin"}
REVIEWERS = {"programleder", "admin"}
LOGGED_IN = set(ROLES) - {"anonymous"}


PUBLISH = {"runde": "2018-2", "committee": "magistraten", "meeting_date": "01.06.2018"}


def _pages():
    """(name, url, method, data, roles allowed to succeed)."""
    report = "/rapportering/jobvaekstpakken/2018-3/{}/"
    save = {"version": "0", "action": "gem", "progress": "x"}
    review = {"review": "godkend", "version": "1"}
    # Indicators are loaded by natural key, so their ids are not fixed.
    indicator = "/api/v1/indicators/{}/".format(
        Indicator.objects.get(slug="virksomhedsvendt-aktivering").pk
    )
    return [
        ("overview", "/oversigt/", "get", None, LOGGED_IN),
        ("overview", "/oversigt/", "post", {}, set()),
        ("programme overview", "/oversigt/jobvaekstpakken/", "get", None, READERS),
        (
            "programme overview 2018-2",
            "/oversigt/jobvaekstpakken/?runde=2018-2",
            "get",
            None,
            READERS,
        ),
        ("programme overview", "/oversigt/jobvaekstpakken/", "post", {}, set()),
        ("targets export other", "/initiativer/kongresturisme/?_export=xlsx", "get", None, READERS),
        ("summaries", "/udskrift/", "get", None, LOGGED_IN),
        ("summary list", "/udskrift/jobvaekstpakken/", "get", None, READERS),
        ("programme summary", "/udskrift/jobvaekstpakken/program/", "get", None, READERS),
        ("initiative summary", "/udskrift/jobvaekstpakken/indsats/smajobs/", "get", None, READERS),
        ("summary post", "/udskrift/jobvaekstpakken/program/", "post", {}, set()),
        ("edition archive", "/udskrift/jobvaekstpakken/arkiv/", "get", None, READERS),
        ("publish", "/udskrift/jobvaekstpakken/udgiv/", "get", None, set()),
        ("publish", "/udskrift/jobvaekstpakken/udgiv/", "post", PUBLISH, REVIEWERS),
        ("data", "/data/", "get", None, LOGGED_IN),
        ("template", "/data/skabelon.xlsx", "get", None, LOGGED_IN),
        ("export", "/data/jobvaekstpakken/eksport.xlsx", "get", None, READERS),
        ("import", "/data/import/", "get", None, set()),
        ("import", "/data/import/", "post", {}, REVIEWERS),
        ("import confirm", "/data/import/bekraeft/", "post", {"token": "x"}, REVIEWERS),
        ("indicator import", "/data/indikator/", "get", None, set()),
        ("indicator import", "/data/indikator/", "post", {}, REVIEWERS),
        (
            "indicator import confirm",
            "/data/indikator/bekraeft/",
            "post",
            {"token": "x"},
            REVIEWERS,
        ),
        ("api targets", "/api/v1/targets/", "get", None, LOGGED_IN),  # outsider: empty list
        ("api targets", "/api/v1/targets/", "post", {}, set()),
        ("api programme", "/api/v1/programmes/jobvaekstpakken/", "get", None, READERS),
        ("api initiative other", "/api/v1/initiatives/kongresturisme/", "get", None, READERS),
        ("api target other", "/api/v1/targets/8/", "get", None, READERS),
        ("api indicators", "/api/v1/indicators/", "get", None, LOGGED_IN),  # outsider: empty
        ("api indicators", "/api/v1/indicators/", "post", {}, set()),
        ("api indicator", indicator, "get", None, READERS),
        ("api programme", "/api/v1/programmes/jobvaekstpakken/", "get", None, READERS),
        ("api initiative", "/api/v1/initiatives/smajobs/", "get", None, READERS),
        ("api schema", "/api/v1/schema/", "get", None, set(ROLES)),  # structure only, no data
        ("initiative list", "/initiativer/", "get", None, LOGGED_IN),
        ("initiative list", "/initiativer/", "post", {}, set()),
        ("initiative own", "/initiativer/smajobs/", "get", None, READERS),
        ("initiative other", "/initiativer/kongresturisme/", "get", None, READERS),
        ("initiative own", "/initiativer/smajobs/", "post", {}, set()),
        ("rounds", "/rapportering/", "get", None, LOGGED_IN),
        ("rounds", "/rapportering/", "post", {}, set()),
        ("round", "/rapportering/jobvaekstpakken/2018-3/", "get", None, READERS),
        ("round", "/rapportering/jobvaekstpakken/2018-3/", "post", {}, set()),
        ("report own", report.format("smajobs"), "get", None, READERS),
        ("report other", report.format("kongresturisme"), "get", None, READERS),
        ("report own", report.format("smajobs"), "post", save, EDITORS_OWN),
        ("report other", report.format("kongresturisme"), "post", save, EDITORS_OTHER),
        ("review own", report.format("ivaerksaetteri"), "post", review, REVIEWERS),
        # The history holds values nobody approved: only for those who write and review.
        ("report history own", report.format("smajobs") + "historik/", "get", None, EDITORS_OWN),
        (
            "report history other",
            report.format("kongresturisme") + "historik/",
            "get",
            None,
            EDITORS_OTHER,
        ),
        ("new target own", "/initiativer/smajobs/maal/ny/", "get", None, REVIEWERS),
        ("new target other", "/initiativer/kongresturisme/maal/ny/", "post", {}, REVIEWERS),
        ("edit target other", "/initiativer/kongresturisme/maal/8/", "post", {}, REVIEWERS),
        ("target history", "/initiativer/kongresturisme/maal/8/historik/", "get", None, READERS),
        ("target from another initiative", "/initiativer/smajobs/maal/8/", "get", None, set()),
        ("assessments", "/vurderinger/jobvaekstpakken/", "get", None, READERS),
        ("assessments", "/vurderinger/jobvaekstpakken/", "post", {}, set()),
        ("new assessment", "/vurderinger/jobvaekstpakken/ny/", "get", None, REVIEWERS),
        ("new assessment", "/vurderinger/jobvaekstpakken/ny/", "post", {}, REVIEWERS),
        ("admin", "/admin/", "get", None, {"admin"}),
        ("admin targets", "/admin/initiatives/target/", "get", None, {"admin"}),
        ("admin target change", "/admin/initiatives/target/1/change/", "post", {}, {"admin"}),
    ]


def _succeeded(response) -> bool:
    if response.status_code == 302:
        return "/login/" not in response["Location"]
    return 200 <= response.status_code < 300 or response.status_code == 400


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_role_gets_further_than_it_may(client, users, role):
    round_ = open_round_2018_3(programme_id=users.tovholder.memberships.get().programme_id)
    # A submitted report for the review row.
    StatusReport.objects.create(initiative_id=5, round=round_, state="indsendt", version=1)
    if role != "anonymous":
        client.force_login(getattr(users, role))
    unexpected = []
    tried = 0
    for name, url, method, data, allowed in _pages():
        response = getattr(client, method)(url, data or {})
        tried += 1
        ok = _succeeded(response)
        if ok and role not in allowed:
            unexpected.append(f"{method.upper()} {name} {url}: {response.status_code}")
        if role in allowed and not ok:
            unexpected.append(f"{method.upper()} {name} {url} refused: {response.status_code}")
        if role == "outsider" and response.status_code == 404 and (method == "get" or data):
            # What these name exists, in a programme they hold no role in: "not yours" is
            # 403 everywhere, the API included (404 is for what does not exist).
            unexpected.append(f"{method.upper()} {name} {url}: 404 for something that exists")
        if role == "anonymous" and method == "get" and url.startswith("/api/v1/schema"):
            pass  # the schema is public: structure, no data
        elif role == "anonymous" and url.startswith("/api/"):
            assert response.status_code == 401  # machines get 401, not a login page
        elif role == "anonymous" and method == "get" and not url.startswith("/admin"):
            assert response.status_code == 302 and "/login/" in response["Location"]
        # Reset what an allowed POST changed, so every role meets the same state.
        StatusReport.objects.filter(round=round_).exclude(initiative_id=5).delete()
        StatusReport.objects.filter(initiative_id=5, round=round_).update(
            state="indsendt", version=1
        )
    print(f"{role}: {tried} combinations, {len(unexpected)} unexpected")
    assert unexpected == []
