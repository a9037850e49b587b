"""What a person sees: the running dashboard in headless Chromium (Debian's /usr/bin/chromium).

Every page is opened from the sidebar and photographed (test-output/screenshots/<page>.png); the
What-if page is driven with the keyboard, applied twice and saved; the Cash flow page's finance CSV
is downloaded and compared with what ``slate cashflow`` writes, the Cost report's with ``slate
costreport``; the Risk page is run twice (all development productions counted, then none) and its
workbook downloaded. Elements are found by stable handles (page titles, button labels, data-testid,
widget keys), never by the pages' prose.

The What-if test runs first so the tour after it sees a saved scenario and an optimized baseline;
the tour's checks hold either way.
"""

import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from benchmarks.browser_app import (_count_runs, apply_whatif, comparison, errors, go_to, move_slider, open_app,
                                    pick, pick_plan, save_scenario, screenshot, slider_value, wait_idle)
from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-output" / "screenshots"
SOLVE_MS = 120_000


def main(page):
    return page.locator("[data-testid='stMain']")


def charts_drawn(page, at_least: int = 1):
    """Wait until at least ``at_least`` Plotly charts are drawn in the main area."""
    charts = main(page).locator("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg")
    charts.nth(at_least - 1).wait_for(state="visible", timeout=SOLVE_MS)
    return main(page).locator("[data-testid='stPlotlyChart']").count()


def timeline_drawn(page) -> bool:
    """Wait until the Slate timeline (a component in its own iframe) has drawn its phase bars."""
    bars = page.frame_locator("iframe[title*='slate_timeline']").locator(".vis-item.phase")
    bars.first.wait_for(state="visible", timeout=SOLVE_MS)
    return bars.count() > 0


def visible(page, selector: str, at_least: int = 1) -> int:
    found = main(page).locator(selector)
    found.nth(at_least - 1).wait_for(state="visible", timeout=SOLVE_MS)
    return found.count()


def plans_compared(page) -> int:
    """How many plans a page that compares the plan shown with the planned dates draws: one when the
    sidebar's "Plan shown" is the plan as planned (the optimizer has not run on this server yet, or
    nobody picked another), else two."""
    return 1 if page.locator(".st-key-shown_plan input").first.input_value() == "As planned" else 2


def shoot(page, name: str) -> None:
    screenshot(page, SHOTS / f"{name}.png")


def cut_off(page) -> list[str]:
    """What the page shows cut short: a metric label or value that ends in "…", and a table (``st.table``)
    wider than the page (its right columns out of sight)."""
    return page.evaluate("""() => [
      ...[...document.querySelectorAll("[data-testid='stMain'] [data-testid='stMetricLabel'], "
                                       + "[data-testid='stMain'] [data-testid='stMetricValue']")]
        .filter(label => [...label.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
        .map(label => 'metric: ' + label.innerText.trim()),
      ...[...document.querySelectorAll("[data-testid='stMain'] [data-testid='stTable']")]
        .filter(table => [table, ...table.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
        .map(table => 'table: ' + table.innerText.trim().split('\\n')[0])]""")


def moved(deltas: dict[str, str]) -> bool:
    """True when some metric shows a non-zero change."""
    return any(re.search(r"[1-9]", shown.split(" | ")[1]) for shown in deltas.values())


def test_whatif_apply_twice_then_save(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    go_to(page, "What-if")
    visible(page, "[data-testid='stSlider']", at_least=4)

    # Build one more of the largest stages: the planned dates then clash less, whatever the solver finds.
    assert move_slider(page, "wi_stage_30000", +1) == 1
    first_seconds = apply_whatif(page, timeout=SOLVE_MS)
    first = comparison(page)
    assert len(first) == 5, first
    assert not cut_off(page), cut_off(page)
    assert moved(first), f"no metric changed against the baseline: {first}"
    assert visible(page, "[data-testid='stDataFrame']") >= 2  # KPI table and deliveries that change
    charts_drawn(page)
    assert not errors(page)
    shoot(page, "whatif-comparison")

    # Take away two grip & electric crews: more clashes as planned, so the comparison must change.
    assert move_slider(page, "wi_pool_CREW-GE", -2) == -2
    second_seconds = apply_whatif(page, timeout=SOLVE_MS)
    second = comparison(page)
    assert len(second) == 5
    assert second != first, f"the comparison did not change: {second}"
    assert not errors(page)

    name = f"browser test {time.strftime('%H%M%S')}"
    save_scenario(page, name, note="stage +1, G&E -2")
    assert not errors(page)
    print(f"apply: {first_seconds:.1f} s, then {second_seconds:.1f} s")

    go_to(page, "Scenarios", timeout=SOLVE_MS)
    visible(page, "[data-testid='stDataFrame']")
    charts_drawn(page, at_least=2)  # cash position and the difference heatmap of the chosen scenario
    chosen = main(page).locator("[data-testid='stMultiSelect']").first
    assert chosen.get_by_text(name, exact=True).count() or _listed(page, chosen, name), f"{name!r} not on Scenarios"
    assert not errors(page)
    assert not cut_off(page), cut_off(page)                   # the saved scenarios: every column in view
    shoot(page, "scenarios-compare")


def _listed(page, multiselect, name) -> bool:
    """Open a multiselect and see whether ``name`` is among its options."""
    multiselect.locator("input").click()
    found = page.get_by_role("option", name=name, exact=True).count() > 0
    page.keyboard.press("Escape")
    return found


# page title -> screenshot name and what must be visible once it has rendered
TOUR = {
    "Slate": ("slate", lambda p: timeline_drawn(p) and visible(p, "[data-testid='stMetric']", 5)),
    "Capacity": ("capacity", lambda p: charts_drawn(p, 4) == 4
                 and p.locator(".js-plotly-plot .heatmaplayer").count() == 2     # load heatmap and stage board
                 and p.locator(".st-key-people_places .js-plotly-plot").count() == 1   # people and places
                 and visible(p, ".st-key-people_places [data-testid='stTable']")),
    "Conflicts": ("conflicts", lambda p: charts_drawn(p) >= 1 and visible(p, "[data-testid='stTable']")
                  and visible(p, "[data-testid='stMetric']") == plans_compared(p)),
    "Plan": ("plan", lambda p: p.get_by_role("button", name="Optimize the plan").is_visible()),
    "What-if": ("whatif", lambda p: visible(p, "[data-testid='stSlider']", 10)
                and p.get_by_role("button", name="Apply", exact=True).is_visible()),
    "Scenarios": ("scenarios", lambda p: visible(p, "[data-testid='stDataFrame'], [data-testid='stAlert']")),
    "Cash flow": ("cashflow", lambda p: charts_drawn(p, 2) == 2 and visible(p, "[data-testid='stMetric']", 4)
                  and visible(p, "[data-testid='stDownloadButton']", 4)),
    "Cost report": ("costreport", lambda p: charts_drawn(p, 2) == 2 and visible(p, "[data-testid='stMetric']", 10)
                    and visible(p, "[data-testid='stDataFrame']", 4) and visible(p, "[data-testid='stDownloadButton']", 2)),
    "Data": ("data", lambda p: visible(p, "[data-testid='stMetric']", 4) and visible(p, "[data-testid='stDataFrame']")
             and visible(p, "[data-testid='stDownloadButton']", 2)),
}


@pytest.mark.parametrize("title", list(TOUR))
def test_every_page_from_the_sidebar(browser_page, app_url, title):
    page = browser_page
    open_app(page, app_url)
    go_to(page, title, timeout=SOLVE_MS)
    shot, key_elements = TOUR[title]
    assert page.get_by_role("heading", name=title, exact=True).first.is_visible()
    assert key_elements(page), f"{title}: its key elements are not shown"
    if main(page).locator("[data-testid='stPlotlyChart']").count():
        charts_drawn(page)
    assert not errors(page), errors(page)
    assert not cut_off(page), cut_off(page)
    shoot(page, shot)


def test_on_a_laptop_screen_no_metric_or_table_is_cut_off(browser, app_url):
    """At 1280 x 800 (a laptop's browser) every metric's label and value, and every table, reads in full:
    the pages with the most metrics in a row (Slate, Cash flow, Cost report, Data; Risk once run)."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(60_000)
    open_app(page, app_url)
    for title in ("Slate", "Conflicts", "Cash flow", "Cost report", "Data", "Risk"):
        go_to(page, title, timeout=SOLVE_MS)
        if title == "Risk":
            run_risk(page)
        visible(page, "[data-testid='stMetric']")
        assert not cut_off(page), (title, cut_off(page))
    page.context.close()


def test_cash_by_production_keeps_its_whole_legend_in_view(browser_page, app_url):
    """Spend by production: 20 productions, incentives and financing in a legend under the chart that
    wraps into rows, never one that scrolls (plotly draws a scroll bar when a legend does not fit)."""
    page = browser_page
    open_app(page, app_url)
    go_to(page, "Cash flow", timeout=SOLVE_MS)
    runs = _count_runs(page)
    page.locator(".st-key-cash_by").get_by_text("production", exact=True).click()
    wait_idle(page, runs)
    charts_drawn(page, 2)
    entries = main(page).locator(".js-plotly-plot .legend .traces")
    assert entries.count() >= 22                                        # 20 productions, incentives, financing
    scrolling = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stMain'] .js-plotly-plot .legend "
                                 + ".scrollbar")].map(bar => bar.getBoundingClientRect().height).filter(h => h > 0)""")
    assert not scrolling, f"a legend scrolls: {scrolling}"
    shoot(page, "cashflow-by-production")


def test_capacity_threshold_leaves_development_out(browser_page, app_url):
    """Move the Capacity page's threshold with the keyboard past every development production's
    chance (the sample's highest is 70%): the caption then counts none of them."""
    page = browser_page
    open_app(page, app_url)
    go_to(page, "Capacity", timeout=SOLVE_MS)
    charts_drawn(page, 3)
    counted = main(page).locator(".st-key-capacity_counted")
    before = counted.inner_text()
    assert "Left out: none" in before
    assert move_slider(page, "capacity_threshold", +15) == 75          # 15 steps of 5%
    expect(counted).not_to_have_text(before, timeout=SOLVE_MS)
    wait_idle(page)
    after = counted.inner_text()
    assert "counted: none" in after and all(p in after for p in ("P14", "P15", "P17")), after
    charts_drawn(page, 3)
    assert not errors(page), errors(page)
    shoot(page, "capacity-threshold")


def metrics(page) -> dict[str, str]:
    """Every metric on the page: label -> value."""
    found = main(page).locator("[data-testid='stMetric']")
    return {found.nth(i).locator("[data-testid='stMetricLabel']").inner_text().strip():
            found.nth(i).locator("[data-testid='stMetricValue']").inner_text().strip() for i in range(found.count())}


def test_pages_follow_the_plan_picked_in_the_sidebar(browser_page, app_url):
    """Optimize, then switch the sidebar's plan between as planned and optimized: the Slate KPIs and
    timeline, Conflicts, Capacity and Cash flow all change with it."""
    page = browser_page
    open_app(page, app_url)
    go_to(page, "Plan")
    page.get_by_role("button", name="Optimize the plan").click()
    visible(page, "[data-testid='stMetric']", 5)                # the plan's numbers: it is solved
    seen = {}
    for choice in ("Optimized", "As planned"):
        go_to(page, "Slate", timeout=SOLVE_MS)
        pick_plan(page, choice)
        timeline_drawn(page)
        title = main(page).locator("[data-testid='stCaptionContainer']").first.text_content()
        seen[choice] = {"slate": metrics(page), "title": title}
        shoot(page, f"slate-{choice.lower().replace(' ', '-')}")
        go_to(page, "Conflicts", timeout=SOLVE_MS)
        seen[choice]["conflicts"] = metrics(page)
        go_to(page, "Cash flow", timeout=SOLVE_MS)
        visible(page, "[data-testid='stMetric']", 4)
        seen[choice]["cash"] = metrics(page)
        assert not errors(page), errors(page)
    optimized, planned = seen["Optimized"], seen["As planned"]
    assert optimized["slate"]["Conflicts"] == "0" and int(planned["slate"]["Conflicts"]) > 0
    assert "optimized" in optimized["title"] and "as planned" in planned["title"]
    assert optimized["conflicts"]["Conflicts: optimized"] == "0"
    assert planned["conflicts"] == {"Conflicts: as planned": planned["slate"]["Conflicts"]}
    assert optimized["cash"]["Peak funding need (USD)"] != planned["cash"]["Peak funding need (USD)"]


def test_data_page_edit_with_an_error_and_restore_asks_first(browser_page, app_url):
    """Edit a cell to a value the contract forbids: the page names the problem and stores nothing.
    The restore button stays off until its confirmation is ticked."""
    page = browser_page
    open_app(page, app_url)
    go_to(page, "Data")
    productions_before = metrics(page)["Productions"]
    grid = main(page).locator(".st-key-edit_productions [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + 52)          # first row, first column
    page.wait_for_timeout(300)
    for _ in range(3):                                       # -> priority (1..5)
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")                             # open the cell's editor, type over, commit
    page.wait_for_timeout(500)
    page.keyboard.press("Control+a")
    page.keyboard.type("9")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    page.get_by_role("button", name="Check and save").click()
    error = main(page).locator("[data-testid='stAlertContentError']")
    error.first.wait_for(state="visible", timeout=SOLVE_MS)
    assert "nothing was changed" in error.first.inner_text()
    problems = main(page).locator("[data-testid='stTable']").first.inner_text()
    assert "P01" in problems and "priority" in problems and "must be at most 5" in problems
    shoot(page, "data-editor-error")
    assert metrics(page)["Productions"] == productions_before

    restore = page.get_by_role("button", name="Restore the bundled sample slate")
    restore.scroll_into_view_if_needed()
    assert restore.is_disabled()
    page.locator(".st-key-restore_sure label").click()
    page.wait_for_function("() => !document.querySelector('.st-key-restore_sample button').disabled", timeout=30_000)
    shoot(page, "data-restore-confirm")
    assert not errors(page)[1:], errors(page)                # only the editor's problem is shown as an error


def test_a_saved_scenario_reopens_in_whatif(browser_page, app_url, saved_scenario):
    page = browser_page
    open_app(page, app_url)
    go_to(page, "Scenarios", timeout=SOLVE_MS)
    main(page).get_by_role("tab", name="Open in What-if").click()
    pick(page, "sc_open_pick", saved_scenario)
    main(page).get_by_role("button", name="Open in What-if").click()
    page.get_by_role("heading", name="What-if", exact=True).first.wait_for(state="visible", timeout=SOLVE_MS)
    visible(page, "[data-testid='stMetric']", 5)             # the comparison of the reopened scenario
    assert main(page).get_by_text("Opened “", exact=False).first.is_visible()
    assert move_slider(page, "wi_stage_30000", 0) == 1 and move_slider(page, "wi_pool_CREW-GE", 0) == -2
    assert page.locator(".st-key-wi_replace input").is_checked()
    assert not errors(page)
    shoot(page, "whatif-reopened")


def test_the_plan_picked_stays_through_open_in_whatif(browser_page, app_url, saved_scenario):
    """Pick a saved scenario as the plan shown, open a scenario in What-if from Scenarios: the
    sidebar still shows the scenario picked, and so does the Cash flow page."""
    page = browser_page
    open_app(page, app_url)
    go_to(page, "Scenarios", timeout=SOLVE_MS)
    choice = f"Scenario: {saved_scenario}"
    pick_plan(page, choice)
    picked = page.locator(".st-key-shown_plan input").first
    expect(picked).to_have_value(choice)
    main(page).get_by_role("tab", name="Open in What-if").click()
    pick(page, "sc_open_pick", saved_scenario)
    main(page).get_by_role("button", name="Open in What-if").click()
    page.get_by_role("heading", name="What-if", exact=True).first.wait_for(state="visible", timeout=SOLVE_MS)
    visible(page, "[data-testid='stMetric']", 5)             # the reopened scenario is planned
    wait_idle(page)
    expect(picked).to_have_value(choice)
    go_to(page, "Cash flow", timeout=SOLVE_MS)
    expect(picked).to_have_value(choice)
    name = choice.removeprefix("Scenario: ")
    expect(main(page).locator("[data-testid='stCaptionContainer']").first).to_contain_text(f"scenario “{name}”")
    assert not errors(page), errors(page)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def test_nothing_is_fetched_from_outside_this_computer(browser_page, app_url):
    """Every request of every page (documents, scripts, fonts, icons, the favicon, the websocket)
    goes to this computer: the app is local-only. Requests elsewhere are recorded and refused."""
    from urllib.parse import urlsplit

    page = browser_page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda ws: requested.append(ws.url))
    page.context.route(lambda url: urlsplit(url).hostname not in LOOPBACK, lambda route: route.abort())
    open_app(page, app_url)
    for title in TOUR:
        go_to(page, title, timeout=SOLVE_MS)
        if main(page).locator("[data-testid='stPlotlyChart']").count():
            charts_drawn(page)
        if title == "Slate":
            timeline_drawn(page)                              # the timeline's own files, in its iframe
    page.wait_for_timeout(1000)                               # (late requests: favicon, fonts)
    outside = sorted({url for url in requested
                      if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname not in LOOPBACK})
    assert len(requested) > 20, requested
    assert any(urlsplit(url).path.endswith("/vis-timeline-graph2d.min.js") for url in requested), requested
    assert not outside, f"requests that leave this computer: {outside}"


def download(page, button, dest):
    """Click a download button and save what the browser receives as ``dest``."""
    for attempt in range(2):  # the file is built on the server at the click; once in a while no download starts
        try:
            with page.expect_download(timeout=45_000) as info:
                button.click()
            info.value.save_as(dest)
            return dest
        except PlaywrightTimeout:
            if attempt:
                raise
            print("no download after 45 s: clicking again")


def test_cashflow_download_equals_the_cli(browser_page, app_url, tmp_path):
    from planning.finance.periods import PERIODS
    from planning.cli import main as cli

    page = browser_page
    open_app(page, app_url)
    go_to(page, "Cash flow")
    pick_plan(page, "As planned")                 # `slate cashflow` without --plan: the planned dates
    box = page.locator(".st-key-cash_period")
    shown = f"{box.locator('input').first.input_value()} {box.inner_text()}".lower()  # the page's default period
    period = next(p for p in PERIODS if re.search(rf"\b{p}\b", shown))
    button = page.locator(".st-key-download_long [data-testid='stDownloadButton'] button")
    downloaded = download(page, button, tmp_path / "page.csv")

    expected = tmp_path / "cli.csv"
    assert cli(["cashflow", str(SAMPLE), "--period", period, "--out", str(expected)]) == 0
    assert downloaded.read_bytes() == expected.read_bytes()
    assert not errors(page)


def test_costreport_downloads_equal_the_cli(browser_page, app_url, tmp_path):
    """The Cost report page's CSV is the bytes `slate costreport` writes for the planned dates; its
    workbook's name says the plan and the report date, and its About sheet the same."""
    import pandas as pd

    from planning.cli import main as cli

    page = browser_page
    open_app(page, app_url)
    go_to(page, "Cost report")
    pick_plan(page, "As planned")                 # `slate costreport` without --plan: the planned dates
    csv = download(page, page.locator(".st-key-download_costreport_csv button"), tmp_path / "page.csv")
    expected = tmp_path / "cli.csv"
    assert cli(["costreport", str(SAMPLE), "--out", str(expected)]) == 0
    assert csv.read_bytes() == expected.read_bytes()
    with page.expect_download(timeout=45_000) as info:
        page.locator(".st-key-download_costreport_xlsx button").click()
    name = info.value.suggested_filename
    assert name.startswith("slate-costreport-as-planned-") and name.endswith("-as-of-2027-04-05.xlsx"), name
    info.value.save_as(tmp_path / name)
    about = pd.read_excel(tmp_path / name, sheet_name="About")["about"].tolist()
    assert "plan: as planned" in about and "as of 2027-04-05" in about
    assert not errors(page)


MILLIONS = re.compile(r"^(-?[\d,]+\.\d)M$")


def run_risk(page) -> float:
    """Press "Run the samples" and wait for the results: the run over, its three charts drawn.
    Returns the seconds from the click to the page drawn."""
    runs = _count_runs(page)
    t0 = time.time()
    page.locator(".st-key-risk_run button").click()
    drawn = wait_idle(page, runs)
    charts_drawn(page, 3)
    return drawn - t0


def p90_need(page) -> float:
    """The "P90 peak funding need" metric, in millions of the slate's currency (USD)."""
    shown = metrics(page)["P90 peak funding need (USD)"]
    found = MILLIONS.match(shown)
    assert found, f"P90 peak funding need (USD) shows {shown!r}, not millions"
    return float(found.group(1).replace(",", ""))


def ranked(page) -> list[str]:
    """The rows of the page's one grid (the ranked risks), each as its cells' text run together."""
    rows = main(page).locator("[data-testid='stDataFrame'] [role='row']")
    return [r for r in rows.all_text_contents()[1:] if r]          # below the header


def test_risk_run_threshold_and_workbook(browser_page, app_url, tmp_path):
    """Open Risk from the sidebar: nothing is computed until "Run the samples" is pressed. Run the
    default 1000 samples of the plan as planned: three charts, the ranked risks and the P90 peak
    funding need. Move the threshold past every development production's chance (the highest is
    70%): none is counted, the results shown are gone until the next run, and that run needs less
    money. Its workbook says so."""
    import pandas as pd

    page = browser_page
    open_app(page, app_url)
    go_to(page, "Risk", timeout=SOLVE_MS)
    pick_plan(page, "As planned")                     # the plan shown is then known whatever ran before
    assert page.url.rstrip("/").endswith("/risk"), page.url

    # Before the button: a prompt naming it, and nothing computed.
    prompt = main(page).locator("[data-testid='stAlertContentInfo']")
    expect(prompt).to_contain_text("Run the samples")
    shown = main(page)
    assert shown.locator("[data-testid='stMetric'], [data-testid='stPlotlyChart'], "
                         "[data-testid='stDownloadButton']").count() == 0
    assert page.locator(".st-key-risk_samples input").input_value() == "1000"
    assert slider_value(page, "risk_threshold") == 0
    counted = shown.locator("[data-testid='stCaptionContainer']").filter(has_text="Development productions counted")
    assert all(p in counted.inner_text() for p in ("P14", "P15", "P17")), counted.inner_text()

    first_seconds = run_risk(page)
    assert shown.locator("[data-testid='stPlotlyChart']").count() == 3     # cash fan, deliveries, over-booking
    assert shown.locator("[data-testid='stPlotlyChart'] .js-plotly-plot .heatmaplayer").count() == 1
    assert prompt.count() == 0
    assert page.get_by_role("heading", name="The risks that move the P90s most").is_visible()
    assert visible(page, "[data-testid='stDataFrame']") == 1               # the ranked risks (no re-planning)
    headers = shown.locator("[data-testid='stDataFrame'] [role='columnheader']").all_text_contents()
    assert headers[:5] == ["Risk", "Kind", "Prod.", "Takes away", "Chance"], headers
    risks = ranked(page)
    assert len(risks) == 8 and sum("goes ahead" in r for r in risks) == 3, risks  # 5 named risks, 3 developments
    assert shown.locator("[data-testid='stMetric']").count() == 4
    assert not cut_off(page), cut_off(page)
    all_counted = p90_need(page)
    assert shown.locator("[data-testid='stDownloadButton']").count() == 2
    assert not errors(page), errors(page)
    shoot(page, "risk")

    # Every development production left out: the results of the other threshold are not shown as these.
    assert move_slider(page, "risk_threshold", +15) == 75               # 15 steps of 5%
    expect(counted).to_contain_text("counted: none", timeout=SOLVE_MS)
    wait_idle(page)
    assert "P1" not in counted.inner_text(), counted.inner_text()
    expect(prompt).to_contain_text("Run the samples")
    assert shown.locator("[data-testid='stMetric']").count() == 0
    second_seconds = run_risk(page)
    none_counted = p90_need(page)
    risks = ranked(page)
    assert len(risks) == 5 and not any("goes ahead" in r for r in risks), risks
    assert none_counted < all_counted, f"P90 peak funding need {none_counted}M with no development, {all_counted}M with"
    assert not errors(page), errors(page)
    shoot(page, "risk-threshold")
    print(f"runs: {first_seconds:.1f} s, then {second_seconds:.1f} s; "
          f"P90 peak funding need {all_counted:,.1f}M -> {none_counted:,.1f}M USD")

    # The workbook of the run shown.
    book = download(page, page.locator(".st-key-risk_xlsx button"), tmp_path / "risk.xlsx")
    sheets = pd.read_excel(book, sheet_name=None)
    assert {"About", "Money", "Deliveries", "Risks ranked", "Cash position"} <= set(sheets), list(sheets)
    assert next(iter(sheets)) == "About"
    about = " ".join(sheets["About"].astype(str).stack())
    assert "plan: as planned" in about and "1000 samples" in about and "counted from 75%" in about, about
    money = sheets["Money"].set_index("key")
    assert round(money.at["peak_need", "p90"] / 1e6, 1) == none_counted
    assert len(sheets["Deliveries"]) == 20
    sheet = sheets["Risks ranked"]
    assert len(sheet) == 5 and not (sheet["kind"] == "development").any(), sheet   # none counted, none ranked
    assert {"week_start", "p10", "p50", "p90"} <= set(sheets["Cash position"].columns)
    assert not errors(page), errors(page)
