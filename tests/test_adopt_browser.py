"""Adopting a scenario in the running dashboard (headless Chromium): a what-if is saved, adopted from the
Scenarios page with a note, and the Slate page shows what changed against the slate before and the
decision log. The shared server's slate is put back (the bundled sample restored) afterwards, so the
other browser tests see the slate they expect. Screenshots: test-output/screenshots/adopt-*.png."""

import time

import pytest

from benchmarks.browser_app import _count_runs, apply_whatif, errors, go_to, move_slider, open_app, save_scenario, wait_idle
from test_browser import SOLVE_MS, main, shoot, visible

pytestmark = pytest.mark.browser
NOTE = "Agreed with finance: one more large stage <b>from June</b>"


def click_and_wait(page, locator) -> None:
    before = _count_runs(page)
    locator.click()
    wait_idle(page, before, SOLVE_MS)


def restore_sample(page) -> None:
    go_to(page, "Data")
    page.locator(".st-key-restore_sure label").click()
    page.wait_for_function("() => !document.querySelector('.st-key-restore_sample button').disabled", timeout=30_000)
    click_and_wait(page, page.get_by_role("button", name="Restore the bundled sample slate"))
    main(page).locator("[data-testid='stAlertContentSuccess']").first.wait_for(state="visible", timeout=SOLVE_MS)


def test_adopt_a_scenario_then_see_what_changed_and_the_decision_log(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    go_to(page, "What-if")
    visible(page, "[data-testid='stSlider']", at_least=4)
    assert move_slider(page, "wi_stage_30000", +1) == 1
    apply_whatif(page, timeout=SOLVE_MS)
    name = f"adopt test {time.strftime('%H%M%S')}"
    save_scenario(page, name, note="one more large stage")
    try:
        go_to(page, "Scenarios", timeout=SOLVE_MS)
        main(page).get_by_role("tab", name="Adopt as the slate's plan").click()      # tabs switch in the browser
        page.locator(".st-key-sc_adopt_pick input").first.click()
        option = page.get_by_role("option", name=name, exact=True)
        if option.get_attribute("aria-selected") == "true":                      # the newest is picked first
            page.keyboard.press("Escape")
        else:
            click_and_wait(page, option)
        note = page.locator(".st-key-sc_adopt_note textarea")
        note.fill(NOTE)
        page.wait_for_timeout(300)
        form = main(page).locator("[data-testid='stForm']").filter(has=note)
        form.scroll_into_view_if_needed()
        shoot(page, "adopt-scenarios-form")
        click_and_wait(page, form.get_by_role("button", name="Adopt as the slate's plan"))

        page.get_by_role("heading", name="Slate", exact=True).first.wait_for(state="visible", timeout=SOLVE_MS)
        success = main(page).locator("[data-testid='stAlertContentSuccess']").first
        success.wait_for(state="visible", timeout=SOLVE_MS)
        assert success.inner_text().startswith(f"Adopted scenario “{name}”")
        moves = main(page).locator(".st-key-version_moves [data-testid='stDataFrame']")
        moves.wait_for(state="visible", timeout=SOLVE_MS)
        log = main(page).locator(".st-key-decision_log [data-testid='stTable']")
        assert NOTE in log.inner_text() and name in log.inner_text()        # the note as typed, not as markup
        labels = main(page).locator("[data-testid='stMetricLabel']").all_inner_texts()
        assert {"Estimate at final cost (EFC) now (USD)", "Peak funding need now (USD)", "Conflicts now"} <= {t.strip() for t in labels}
        main(page).locator("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg").first.wait_for(
            state="visible", timeout=SOLVE_MS)                               # the weeks moved, drawn
        assert not errors(page), errors(page)
        main(page).get_by_role("heading", name="What changed since an earlier version").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(main_shot("adopt-what-changed")))
        shoot(page, "adopt-slate-page")
    finally:
        restore_sample(page)


def main_shot(name: str):
    from test_browser import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"
