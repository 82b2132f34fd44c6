"""The chat UI in Debian's Chromium (Playwright, no network): answer, citation -> report viewer, follow-up, source
filter, upload, and a report full of markup that must stay inert text. Screenshots: test-artifacts/screenshots/."""
import re
import shutil
from pathlib import Path

import pytest

from conftest import ARTIFACTS, MINI, NUJABA, SEED, free_port

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ARTIFACTS / "screenshots"
XSS_SENTENCE = ("The harbour committee said the old pier reopened on Friday <script>alert(1)</script> after "
                "repairs <img src=x onerror=alert(1)> were finished.")
XSS_REPORT = f"""---
title: Pier reopens <img src=x onerror=alert(1)> after repairs
source: Coast <b>Courier</b>
date: 2024-04-02
url: javascript:alert(1)
---
Pier reopens after repairs

{XSS_SENTENCE}

Engineers said <iframe src="javascript:alert(1)"></iframe> the [link](javascript:alert(1)) cost was small.
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`")
    from assistant import Assistant
    from assistant.ui import launch

    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(MINI, corpus)
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "pier.md").write_text(XSS_REPORT)
    a = Assistant.open({"data_dir": str(root / "index")}, embedder=embedder)
    assert not a.ingest([corpus], progress=False).failed
    mp = pytest.MonkeyPatch()
    mp.setenv("GRADIO_TEMP_DIR", str(root / "gradio-tmp"))
    port = free_port()
    demo = launch(a, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield {"url": f"http://127.0.0.1:{port}", "root": root}
    demo.close()
    mp.undo()


@pytest.fixture(scope="module")
def ui(app):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 950})
        pg.dialogs = []
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        # Nothing may leave the machine: any request to another host fails the test.
        pg.outside = []
        pg.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), lambda route: (pg.outside.append(route.request.url),
                                                                                   route.abort()))
        pg.goto(app["url"])
        pg.locator("#ra-question textarea").wait_for()
        yield pg
        browser.close()


def ask(page, question: str):
    """Type a question, press Enter, wait for the streamed reply to finish; the last bot message."""
    before = page.locator('[data-testid="bot"]').count()
    box = page.locator("#ra-question textarea")
    box.fill(question)
    box.press("Enter")
    bot = page.locator('[data-testid="bot"]').nth(before)
    bot.locator(".ra-sources, .ra-refusal, .ra-error").first.wait_for(timeout=60_000)
    return bot


def close_viewer(page):
    page.locator("#ra-viewer .ra-viewer-close").click()
    page.locator("#ra-viewer").wait_for(state="detached")


def test_seed_question_citation_opens_the_report_at_the_cited_sentence(ui):
    from playwright.sync_api import expect
    page = ui

    bot = ask(page, "Which groups did not suspend attacks?")
    expect(bot).to_contain_text("Harakat Hezbollah Al Nujaba")
    expect(bot).to_contain_text("Kataib Sayyid Al Shuhada")
    expect(bot.locator(".ra-sources")).to_contain_text("Revealed: Iranian commander")
    expect(bot.locator(".ra-sources mark.ra-quote").filter(has_text="Harakat Hezbollah Al Nujaba")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "01-answer.png"), full_page=True)

    marker = bot.locator("p.ra-line", has_text="Harakat Hezbollah Al Nujaba").locator("a.ra-cite")
    expect(marker).to_have_text(re.compile(r"\[\d+\]"))
    marker.click()
    hl = page.locator("#ra-viewer mark#ra-hl")
    expect(hl).to_have_text(NUJABA)
    expect(hl).to_be_in_viewport()
    expect(page.locator("#ra-viewer .ra-viewer-title")).to_contain_text("Revealed: Iranian commander")
    assert "Updated: February 01, 2024" in page.locator("#ra-viewer .ra-viewer-text").inner_text()  # the whole report
    page.screenshot(path=str(SHOTS / "02-report-viewer.png"))
    close_viewer(page)

    bot.locator(".ra-sources a.ra-src").first.click()  # a source opens the viewer too
    expect(page.locator("#ra-viewer mark#ra-hl")).to_be_in_viewport()
    close_viewer(page)


def test_follow_up_answers_in_context(ui):
    from playwright.sync_api import expect
    page = ui

    bot = ask(page, "When was that?")
    expect(bot.locator(".ra-sources")).to_be_visible()  # answered from the earlier turn's topic, not refused
    expect(bot.locator(".ra-sources")).to_contain_text("Revealed: Iranian commander")
    page.screenshot(path=str(SHOTS / "03-follow-up.png"), full_page=True)


def test_source_filter_applies_to_the_next_question(ui):
    from playwright.sync_api import expect
    page = ui

    page.locator("#ra-sources label", has_text="Harbor Gazette").click()
    page.locator("#ra-apply").click()
    expect(page.locator("#ra-filter-status")).to_contain_text("sources: Harbor Gazette")
    bot = ask(page, "Which groups did not suspend attacks?")
    text = bot.inner_text()
    assert "The National" not in text and "Kataib Sayyid" not in text
    page.screenshot(path=str(SHOTS / "04-filtered.png"), full_page=True)
    page.locator("#ra-sources label", has_text="Harbor Gazette").click()  # clear the filter again
    page.locator("#ra-apply").click()
    expect(page.locator("#ra-filter-status")).to_contain_text("No filters")


def test_author_filter_applies_to_the_next_question(ui):
    from playwright.sync_api import expect
    page = ui

    field = page.locator("#ra-authors input")
    field.click()
    field.fill("Mina")
    page.get_by_role("option", name="Mina Ortega").click()
    page.locator("#ra-apply").click()
    expect(page.locator("#ra-filter-status")).to_contain_text("authors: Mina Ortega")
    bot = ask(page, "Which groups did not suspend attacks?")  # answered by a report Mina Ortega did not write
    expect(bot).not_to_contain_text("Kataib Sayyid")
    expect(bot.locator(".ra-meta").first).to_contain_text("Harbor Gazette · by Mina Ortega · 2024-03-05")
    page.screenshot(path=str(SHOTS / "04b-author-filter.png"), full_page=True)
    page.locator("#ra-authors .token-remove, #ra-authors [aria-label^='Remove']").first.click()  # clear the filter
    page.locator("#ra-apply").click()
    expect(page.locator("#ra-filter-status")).to_contain_text("No filters")


def test_markup_in_a_report_stays_text(ui):
    from playwright.sync_api import expect
    page = ui

    bot = ask(page, "When did the old pier reopen?")
    expect(bot).to_contain_text("<script>alert(1)</script>")
    expect(bot).to_contain_text("<img src=x onerror=alert(1)>")
    bot.locator("a.ra-cite").first.click()
    expect(page.locator("#ra-viewer mark#ra-hl")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("#ra-viewer .ra-viewer-title")).to_have_text("Pier reopens <img src=x onerror=alert(1)> after repairs")
    page.screenshot(path=str(SHOTS / "05-inert-markup.png"))
    close_viewer(page)
    page.wait_for_timeout(500)
    assert page.dialogs == []
    injected = page.evaluate("""() => ({
        imgs: [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x').length,
        scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')).length,
        iframes: document.querySelectorAll('iframe').length,
        handlers: [...document.querySelectorAll('[onerror]')].length,
        jslinks: [...document.querySelectorAll('a[href^="javascript"]')].length,
        bold: [...document.querySelectorAll('b')].filter(b => b.textContent === 'Courier').length,
    })""")
    assert injected == {"imgs": 0, "scripts": 0, "iframes": 0, "handlers": 0, "jslinks": 0, "bold": 0}


def test_upload_lists_the_new_report(ui, app, tmp_path):
    from playwright.sync_api import expect
    page = ui

    page.get_by_role("tab", name="Reports").click()
    expect(page.locator("#ra-report-list")).to_contain_text("Dockworkers end strike at Port Alder")
    expect(page.locator("#ra-totals")).to_contain_text("5 reports")
    new = tmp_path / "lighthouse.md"
    new.write_text("---\ntitle: Lighthouse keeper retires after forty years\nsource: Coast Courier\ndate: 2024-05-01\n---\n"
                   "Lighthouse keeper retires after forty years\n\nThe keeper of the Gull Point lighthouse retired on "
                   "Monday after forty years of service.\n")
    bad = tmp_path / "notes.exe"
    bad.write_text("MZ")
    page.locator("#ra-upload input[type=file]").set_input_files([str(bad)])  # refused before it is even sent
    expect(page.get_by_text("Invalid file type: notes.exe")).to_be_visible()
    page.locator("#ra-upload input[type=file]").set_input_files([str(new)])
    page.locator("#ra-upload").get_by_text("lighthouse.md").first.wait_for()
    page.locator("#ra-ingest").click()
    results = page.locator("#ra-ingest-results")
    expect(results.locator("tr", has_text="lighthouse.md")).to_contain_text("added", timeout=60_000)
    expect(page.locator("#ra-report-list")).to_contain_text("Lighthouse keeper retires after forty years")
    expect(page.locator("#ra-totals")).to_contain_text("6 reports")
    assert (app["root"] / "index" / "uploads" / "lighthouse.md").exists()
    page.screenshot(path=str(SHOTS / "06-reports-upload.png"), full_page=True)
    assert page.outside == []
