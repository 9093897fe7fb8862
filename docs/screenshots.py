"""Take the README's screenshots from a running app (``make run`` in another shell).

    uv run python docs/screenshots.py [http://127.0.0.1:8000]

Logs in as the demo Baggrundsgruppe user and saves docs/screenshots/*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{BASE}/login/")
        page.get_by_label("Brugernavn").fill("baggrundsgruppe")
        page.get_by_label("Adgangskode").fill("jobvaekst-demo")
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url(f"{BASE}/oversigt/")
        page.wait_for_timeout(1500)
        page.screenshot(path=OUT / "oversigt.png", full_page=True)
        page.goto(f"{BASE}/initiativer/smajobs/")
        page.locator("details.explain summary").first.click()
        page.wait_for_timeout(1500)
        page.screenshot(path=OUT / "initiativ-smajobs.png", full_page=True)
        browser.close()
    print(f"Gemt i {OUT}")


if __name__ == "__main__":
    main()
