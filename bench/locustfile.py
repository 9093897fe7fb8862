"""Load run: logged-in users reading the pages and the API, and saving a report now and then.

    locust -f bench/locustfile.py --headless -u 20 -r 5 -t 120s --host http://127.0.0.1:PORT

BENCH_USERS is a comma-separated list of user names (password BENCH_PASSWORD), BENCH_PATHS
the pages to read (comma-separated), BENCH_SAVE_PATH a status form to save to.
"""

import itertools
import os
import re

from locust import HttpUser, between, task

from bench.forms import status_save

USERS = itertools.cycle(os.environ["BENCH_USERS"].split(","))
PASSWORD = os.environ["BENCH_PASSWORD"]
PATHS = os.environ["BENCH_PATHS"].split(",")
SAVE_PATH = os.environ.get("BENCH_SAVE_PATH", "")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Reader(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        page = self.client.get("/login/", name="/login/")
        self.client.post(
            "/login/",
            {
                "username": next(USERS),
                "password": PASSWORD,
                "csrfmiddlewaretoken": TOKEN.search(page.text).group(1),
            },
            name="/login/ (POST)",
        )

    @task(10)
    def read(self):
        for path in PATHS:
            self.client.get(path, name=path.split("?")[0])

    @task(1)
    def save(self):
        if not SAVE_PATH:
            return
        form = self.client.get(SAVE_PATH, name="status form")
        data = status_save(form.text, "Belastningstest")
        if "version" not in data:
            return
        with self.client.post(
            SAVE_PATH,
            data,
            name="status form (POST)",
            catch_response=True,
        ) as response:
            # Two users saving the same report at once: the later one gets 409 and is asked
            # to reload. That is the conflict check working, not an error.
            if response.status_code in (200, 302, 409):
                response.success()
