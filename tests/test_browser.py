"""What a person sees: the running dashboard in headless Chromium (Debian's /usr/bin/chromium)."""

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-output" / "screenshots"


def open_page(browser_page, url, path=""):
    browser_page.goto(url + path)
    browser_page.wait_for_selector("[data-testid='stApp']")
    browser_page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    browser_page.wait_for_timeout(500)


def test_slate_page_shows_the_timeline(browser_page, app_url):
    open_page(browser_page, app_url)
    assert browser_page.get_by_text("Slate timeline (as planned)").first.is_visible()
    assert browser_page.get_by_text("P05 · ").first.is_visible()
    browser_page.screenshot(path=str(SHOTS / "slate.png"), full_page=True)


def test_capacity_page_shows_the_heatmap(browser_page, app_url):
    open_page(browser_page, app_url, "/capacity")
    assert browser_page.get_by_text("Capacity: demand / capacity by week").first.is_visible()
    assert browser_page.locator(".js-plotly-plot .heatmaplayer").count() == 2  # load heatmap and stage board
    browser_page.screenshot(path=str(SHOTS / "capacity.png"), full_page=True)


def test_conflicts_page_from_the_sidebar(browser_page, app_url):
    open_page(browser_page, app_url)
    browser_page.get_by_role("link", name="Conflicts").click()
    browser_page.wait_for_selector("[data-testid='stDataFrame']", timeout=60_000)
    assert browser_page.get_by_role("heading", name="Conflicts").is_visible()
    browser_page.screenshot(path=str(SHOTS / "conflicts.png"), full_page=True)
