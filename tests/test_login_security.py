"""Login and sessions (OWASP ASVS level 2): lockout, password rules, timeouts, rotation, logs."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from .base import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_five_failed_logins_lock_the_username_for_30_minutes(client, users):
    for _ in range(4):
        response = log_in(client, "bente", "forkert-kode")
        assert "Brugernavn eller adgangskode er forkert" in response.content.decode()
    locked = log_in(client, "bente", "forkert-kode")  # the fifth failure locks
    assert locked.status_code == 429
    assert "midlertidigt spærret" in locked.content.decode()
    # Now even the right password is refused, from any address.
    again = client.post(
        "/login/", {"username": "bente", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Other users are not affected.
    assert log_in(client, "ulla", PASSWORD).status_code == 302
    # After 30 minutes the lock is lifted.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    client.logout()
    assert log_in(client, "bente", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client, users):
    for _ in range(4):
        log_in(client, "bente", "forkert-kode")
    assert log_in(client, "bente", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "bente", "forkert-kode")
    assert log_in(client, "bente", PASSWORD).status_code == 302  # not locked: count was reset


def test_weak_passwords_are_refused_in_danish(users):
    with pytest.raises(ValidationError) as caught:
        validate_password("kort123", user=users.baggrundsgruppe)
    messages = " ".join(caught.value.messages)
    assert "for kort" in messages and "mindst 12 tegn" in messages
    with pytest.raises(ValidationError):
        validate_password("password1234")  # a common password
    validate_password("Jobvækst-Nord-2026!")  # a decent one passes


def test_the_session_key_changes_at_login(client, users):
    session = client.session
    session["note"] = "før login"
    session.save()
    client.cookies["sessionid"] = session.session_key
    before = session.session_key
    assert log_in(client, "bente", PASSWORD).status_code == 302
    assert client.session.session_key != before


def test_the_session_expires_after_30_idle_minutes_and_moves_with_activity(client, users):
    from django.contrib.sessions.models import Session

    log_in(client, "bente", PASSWORD)
    assert "sessionid" not in client.get("/oversigt/").cookies  # just refreshed: no write
    session = client.session
    session["seen_at"] = time.time() - 61  # the last refresh is over a minute old
    session.save()
    response = client.get("/oversigt/")
    assert response.cookies["sessionid"]["max-age"] == 1800  # activity: 30 more minutes
    expiry = Session.objects.get().expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # 30 min idle
    response = client.get("/oversigt/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_session_ends_12_hours_after_login_however_active(client, users):
    log_in(client, "bente", PASSWORD)
    assert client.get("/oversigt/").status_code == 200
    session = client.session
    session["login_at"] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/oversigt/", follow=True)
    assert response.request["PATH_INFO"] == "/login/"
    assert "logget ind i 12 timer" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logins_failures_and_denials_are_logged_without_secrets(client, users, caplog):
    caplog.set_level("INFO")
    log_in(client, "bente", "hemmelig-forkert-kode")
    log_in(client, "bente", PASSWORD)
    client.get("/initiativer/smajobs/maal/ny/")  # a denial: baggrundsgruppe may not edit
    text = caplog.text
    assert "login failed: username='bente'" in text
    assert f"login: user={users.baggrundsgruppe.pk}" in text
    assert "Forbidden" in text or "access denied" in text
    assert "hemmelig-forkert-kode" not in text and PASSWORD not in text
