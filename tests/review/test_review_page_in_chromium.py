"""The review loop in a real headless Chromium: open a run's review.html, filter, accept, reject and fix
links with the keyboard and the mouse, download the reviewed TSV, `pipeline apply` it, check the corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import review_browser
from export_builders import link_row
from oracle import select_pairs, write_review_page

from pipeline.config import ExportFilters, ExportSection
from pipeline.export.tsv import COLUMNS, read_tsv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(review_browser.missing() is not None, reason=str(review_browser.missing())),
]
STATUS, EN_FIXED, NOTE = (COLUMNS.index(c) for c in ("status", "en_fixed", "note"))
FIX = 'Fixed "English"\nover two lines'
NOTE_TEXT = 'a literal \\t, a "quote" and <b>markup</b>'


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = review_browser.start(tmp_path / "profile", downloads)
    try:
        yield driver, downloads
    finally:
        driver.quit()


def open_page(driver: Any, page: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    # Reopening the page at the same address: the old page's flag must not pass for the new one's.
    driver.execute_script("window.reviewReady = false")
    driver.get(page.as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return window.reviewReady === true"))


def wait_for(driver: Any, condition: str, timeout: float = 10) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(f"return {condition}"))


def shown(driver: Any) -> list[dict[str, str]]:
    """The links on the page now: id, type and status, as a person sees them."""
    return driver.execute_script(
        """return [...document.querySelectorAll('#rows .link')].map(n => ({
             id: n.querySelector('.id').textContent, type: n.querySelector('.type').textContent,
             status: ['accept', 'reject', 'fix'].find(s => n.classList.contains(s)) || '',
             text: n.textContent}))"""
    )


def keys(driver: Any, *sequence: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(driver)
    for key in sequence:
        actions.send_keys(key)
    actions.perform()


def downloaded(folder: Path, timeout: float = 20) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [p.name for p in folder.iterdir()]
        done = [folder / n for n in names if n.endswith(".reviewed.tsv")]
        # Chromium writes into a .crdownload file and may create the final name early: wait for both
        if done and done[0].stat().st_size and not any(n.endswith(".crdownload") for n in names):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no download in {folder}: {[p.name for p in folder.iterdir()]}")


def test_review_round_trip(copy_run: Path, browser: tuple[Any, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    driver, downloads = browser
    _, run_rows = read_tsv(copy_run / "aligned.tsv")
    open_page(driver, copy_run / "review.html")

    # self-contained, and a <script> in a document is text
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert driver.execute_script("return typeof window.pwned") == "undefined"
    assert any("<script>window.pwned = 1</script>" in link["text"] for link in shown(driver))
    assert len(shown(driver)) == min(100, len(run_rows))
    assert driver.find_element(By.ID, "stats").text.startswith(f"{len(run_rows)} links")

    # filters: link type, document, search
    Select(driver.find_element(By.ID, "type")).select_by_value("1-1")
    one_to_one = [r for r in run_rows if r[7] == "1-1"]
    assert [link["type"] for link in shown(driver)] == ["1-1"] * len(one_to_one)
    Select(driver.find_element(By.ID, "type")).select_by_value("")
    Select(driver.find_element(By.ID, "doc")).select_by_value("markup")
    assert [link["id"] for link in shown(driver)] == [f"markup:{r[1]}" for r in run_rows if r[0] == "markup"]
    Select(driver.find_element(By.ID, "doc")).select_by_value("")
    driver.find_element(By.ID, "search").send_keys("vientiane")
    wait_for(driver, "document.querySelectorAll('#rows .link').length < 10")
    assert shown(driver) and all("vientiane" in link["text"].lower() for link in shown(driver))
    driver.find_element(By.ID, "search").send_keys(Keys.CONTROL, "a", Keys.BACKSPACE, Keys.ESCAPE)
    wait_for(driver, f"document.querySelectorAll('#rows .link').length === {min(100, len(run_rows))}")

    # decisions: a, a, r with the keyboard from the first link; a click on Reject; an edit
    keys(driver, "a", "a", "r")
    links = driver.find_elements(By.CSS_SELECTOR, "#rows .link")
    links[5].find_element(By.CSS_SELECTOR, "button.reject").click()
    links[4].find_element(By.CSS_SELECTOR, "button.edit").click()
    english = driver.find_element(By.CSS_SELECTOR, '.editor textarea[name="en_fixed"]')
    english.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    english.send_keys('Fixed "English"', Keys.ENTER, "over two lines")
    driver.find_element(By.CSS_SELECTOR, '.editor textarea[name="note"]').send_keys(NOTE_TEXT)
    english.send_keys(Keys.CONTROL, Keys.ENTER)
    assert [link["status"] for link in shown(driver)[:7]] == ["accept", "accept", "reject", "", "fix", "reject", ""]
    assert "2 accepted · 2 rejected · 1 fixed" in driver.find_element(By.ID, "stats").text

    # decisions survive a reload (kept in the browser until downloaded)
    open_page(driver, copy_run / "review.html")
    assert "5 decision(s) from an earlier visit were restored" in driver.find_element(By.ID, "notice").text
    Select(driver.find_element(By.ID, "status")).select_by_value("reject")
    assert [link["id"] for link in shown(driver)] == ["covid-cooperation:2", "covid-cooperation:5"]

    driver.find_element(By.ID, "download").click()
    reviewed = downloaded(downloads)
    header, rows = read_tsv(reviewed)
    assert header == list(COLUMNS)
    assert [r[:12] for r in rows] == [r[:12] for r in run_rows], "the run's columns come back unchanged"
    assert [r[STATUS] for r in rows[:7]] == ["accept", "accept", "reject", "", "fix", "reject", ""]
    assert rows[4][EN_FIXED] == FIX and rows[4][NOTE] == NOTE_TEXT

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "pipeline", "apply", str(reviewed), "--run", str(copy_run)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "2 accepted, 2 rejected, 1 fixed" in out.stdout

    records = [json.loads(line) for line in (copy_run / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    reference = {r["id"]: r for r in records if r["origin"] == "reference"}
    assert "covid-cooperation:2" not in reference and "covid-cooperation:5" not in reference
    assert reference["covid-cooperation:4"]["en"] == FIX and reference["covid-cooperation:4"]["note"] == NOTE_TEXT
    assert reference["covid-cooperation:0"]["status"] == "accept"
    english_lines = (copy_run / "corpus.en").read_text(encoding="utf-8").splitlines()
    assert 'Fixed "English" over two lines' in english_lines
    manifest = json.loads((copy_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reviews"][-1]["decisions"]["reject"] == 2


def test_twenty_thousand_links_render_one_page_at_a_time(tmp_path: Path, browser: tuple[Any, Path]) -> None:
    from selenium.webdriver.common.by import By

    driver, _ = browser
    rows = [link_row(doc=f"d{i // 500}", index=i % 500, score=f"{(i % 97) / 96:.4f}") for i in range(20_000)]
    settings = ExportSection(filters=ExportFilters(min_align_score=0.5))
    page = write_review_page(tmp_path / "big.html", "big", rows, {}, select_pairs(rows, settings))
    open_page(driver, page)
    assert len(shown(driver)) == 100
    assert driver.find_element(By.ID, "page").text == "page 1 of 200"
    assert "not in corpus: reference: min_align_score" in shown(driver)[0]["text"]  # align 0.0000
    keys(driver, "a")
    assert "in corpus by your decision" in shown(driver)[0]["text"]
    keys(driver, "n", "n")
    assert shown(driver)[0]["id"] == "d0:200" and driver.find_element(By.ID, "page").text == "page 3 of 200"
    driver.find_element(By.ID, "low").click()  # confidence below 0.5
    low = sum(1 for r in rows if r.align_score is not None and r.align_score < 0.5)
    assert f"{low} shown" in driver.find_element(By.ID, "stats").text and len(shown(driver)) == 100
