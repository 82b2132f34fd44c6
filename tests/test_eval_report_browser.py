"""report.html opens in Debian's Chromium and shows its three plots (a screenshot goes to test-artifacts/)."""
import shutil
from pathlib import Path

import pytest

from assistant.evaluation import write_reports

from conftest import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"),
                    reason="Chromium missing: run `make chromium`")
def test_report_html_shows_the_plots(seed_eval, tmp_path):
    from playwright.sync_api import sync_playwright

    html = write_reports(seed_eval, tmp_path / "report")["html"]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "eval-report.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(html.resolve().as_uri())
            page.wait_for_load_state("load")
            assert page.title() == "Evaluation: seed"
            assert page.locator("table#summary tr").count() == 1 + len(seed_eval.summary)
            for name in ("metrics", "latency", "refusal"):
                img = page.locator(f"img#plot-{name}")
                img.scroll_into_view_if_needed()
                natural = img.evaluate("el => [el.complete, el.naturalWidth, el.naturalHeight]")
                assert natural[0] and natural[1] > 0 and natural[2] > 0, (name, natural)
                box = img.bounding_box()
                assert box and box["width"] > 0 and box["height"] > 0, (name, box)
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
